"""Models: plain torch.nn.Modules with their loss beside them, grouped by family and found by name in one registry.

Each model registers itself beside its class; importing this package imports every family, so
every model is in :data:`MODELS`, in the order the families are imported here (the order of
``genlab train --help``).
"""

from genlab.models import vae, classifier, gan  # noqa: F401, I001  (registration order: autoencoders first)

from genlab.models.classifier import Classifier, ClassifierConfig, DBVAEConfig, DebiasingVAE
from genlab.models.config import ModelConfig
from genlab.models.gan import GAN, DCGANConfig, GANConfig, ProGAN, ProGANConfig
from genlab.models.registry import MODELS, ModelSpec, build_model, get_model_spec, register_model
from genlab.models.vae import (
    IWAE,
    VAE,
    AEConfig,
    AnnealedVAE,
    AnnealedVAEConfig,
    Autoencoder,
    AutoencoderConfig,
    IWAEConfig,
    VAEConfig,
)

__all__ = [
    "GAN",
    "IWAE",
    "MODELS",
    "VAE",
    "AEConfig",
    "AnnealedVAE",
    "AnnealedVAEConfig",
    "Autoencoder",
    "AutoencoderConfig",
    "Classifier",
    "ClassifierConfig",
    "DBVAEConfig",
    "DCGANConfig",
    "DebiasingVAE",
    "GANConfig",
    "IWAEConfig",
    "ModelConfig",
    "ModelSpec",
    "ProGAN",
    "ProGANConfig",
    "VAEConfig",
    "build_model",
    "get_model_spec",
    "register_model",
]
