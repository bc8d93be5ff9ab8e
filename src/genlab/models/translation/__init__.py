"""Image-to-image translation: pix2pix (paired) and CycleGAN (unpaired).

The configs (:mod:`.configs`) load at once and without torch; a model class loads when first used.
"""

from genlab.lazy import lazy_attributes
from genlab.models.translation.configs import CycleGANConfig, Pix2PixConfig, TranslationConfig

MODEL_CLASSES = {"Pix2Pix": "genlab.models.translation.pix2pix", "CycleGAN": "genlab.models.translation.cyclegan"}
__getattr__ = lazy_attributes(__name__, MODEL_CLASSES)
__all__ = ["CycleGAN", "CycleGANConfig", "Pix2Pix", "Pix2PixConfig", "TranslationConfig"]
