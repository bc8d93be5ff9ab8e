"""Voice conversion: CycleGAN-VC2 on mel-cepstra.

The config (:mod:`.configs`) loads at once and without torch; the model class loads when first used.
"""

from genlab.lazy import lazy_attributes
from genlab.models.voice.configs import VoiceConfig

MODEL_CLASSES = {"CycleGANVC2": "genlab.models.voice.cyclegan_vc2"}
__getattr__ = lazy_attributes(__name__, MODEL_CLASSES)
__all__ = ["CycleGANVC2", "VoiceConfig"]
