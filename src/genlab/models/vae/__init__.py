"""The autoencoder family: the bottleneck autoencoder, the VAE, the IWAE and the capacity-annealed beta-VAE."""

from genlab.models.vae.annealed import AnnealedVAE, AnnealedVAEConfig
from genlab.models.vae.autoencoder import AEConfig, Autoencoder, AutoencoderConfig
from genlab.models.vae.iwae import IWAE, IWAEConfig
from genlab.models.vae.vae import VAE, VAEConfig

__all__ = [
    "IWAE", "VAE", "AEConfig", "AnnealedVAE", "AnnealedVAEConfig", "Autoencoder", "AutoencoderConfig",
    "IWAEConfig", "VAEConfig",
]  # fmt: skip
