"""The GAN family: MLP and DCGAN players with the usual losses and penalties, and progressive growing."""

from genlab.models.gan.gan import GAN, DCGANConfig, GameConfig, GANConfig
from genlab.models.gan.progan import ProGAN, ProGANConfig

__all__ = ["GAN", "DCGANConfig", "GANConfig", "GameConfig", "ProGAN", "ProGANConfig"]
