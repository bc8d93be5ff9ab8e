"""Models: plain torch.nn.Modules with their loss beside them, grouped by family and found by name in one registry.

Each family registers its models in its ``configs`` module, beside their options; importing this
package imports those (no torch), so every model is in :data:`MODELS`, in the order the families
are imported here (the order of ``genlab train --help``). A model class loads when first used.
"""

from genlab.models import vae, classifier, gan, translation, voice  # noqa: F401, I001  (registration order: autoencoders first)

from genlab.lazy import lazy_attributes
from genlab.models.classifier import ClassifierConfig, DBVAEConfig
from genlab.models.config import ModelConfig
from genlab.models.gan import DCGANConfig, GANConfig, ProGANConfig
from genlab.models.registry import MODELS, ModelSpec, build_model, get_model_spec, register_model
from genlab.models.translation import CycleGANConfig, Pix2PixConfig
from genlab.models.voice import VoiceConfig
from genlab.models.vae import AEConfig, AnnealedVAEConfig, AutoencoderConfig, IWAEConfig, VAEConfig

MODEL_CLASSES = {
    "Autoencoder": "genlab.models.vae", "VAE": "genlab.models.vae", "IWAE": "genlab.models.vae",
    "AnnealedVAE": "genlab.models.vae", "Classifier": "genlab.models.classifier", "DebiasingVAE": "genlab.models.classifier",
    "GAN": "genlab.models.gan", "ProGAN": "genlab.models.gan", "Pix2Pix": "genlab.models.translation",
    "CycleGAN": "genlab.models.translation", "CycleGANVC2": "genlab.models.voice",
}  # fmt: skip
__getattr__ = lazy_attributes(__name__, MODEL_CLASSES)
__all__ = [
    "GAN", "IWAE", "MODELS", "VAE", "AEConfig", "AnnealedVAE", "AnnealedVAEConfig", "Autoencoder", "AutoencoderConfig",
    "Classifier", "ClassifierConfig", "CycleGAN", "CycleGANConfig", "CycleGANVC2", "DBVAEConfig", "DCGANConfig", "DebiasingVAE",
    "GANConfig", "IWAEConfig", "ModelConfig", "ModelSpec", "Pix2Pix", "Pix2PixConfig", "ProGAN", "ProGANConfig",
    "VAEConfig", "VoiceConfig", "build_model", "get_model_spec", "register_model",
]  # fmt: skip
