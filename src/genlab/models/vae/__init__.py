"""The autoencoder family: the bottleneck autoencoder, the VAE, the IWAE and the capacity-annealed beta-VAE.

The configs (:mod:`.configs`) load at once and without torch; a model class loads when first used.
"""

from genlab.lazy import lazy_attributes
from genlab.models.vae.configs import AEConfig, AnnealedVAEConfig, AutoencoderConfig, IWAEConfig, VAEConfig

MODEL_CLASSES = {
    "Autoencoder": "genlab.models.vae.autoencoder",
    "VAE": "genlab.models.vae.vae",
    "IWAE": "genlab.models.vae.iwae",
    "AnnealedVAE": "genlab.models.vae.annealed",
}
__getattr__ = lazy_attributes(__name__, MODEL_CLASSES)
__all__ = ["IWAE", "VAE", "AEConfig", "AnnealedVAE", "AnnealedVAEConfig", "Autoencoder", "AutoencoderConfig", "IWAEConfig", "VAEConfig"]
