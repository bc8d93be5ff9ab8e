"""The GAN family: MLP and DCGAN players with the usual losses and penalties, and progressive growing.

The configs (:mod:`.configs`) load at once and without torch; a model class loads when first used.
"""

from genlab.lazy import lazy_attributes
from genlab.models.gan.configs import DCGANConfig, GameConfig, GANConfig, ProGANConfig

MODEL_CLASSES = {"GAN": "genlab.models.gan.gan", "ProGAN": "genlab.models.gan.progan"}
__getattr__ = lazy_attributes(__name__, MODEL_CLASSES)
__all__ = ["GAN", "DCGANConfig", "GANConfig", "GameConfig", "ProGAN", "ProGANConfig"]
