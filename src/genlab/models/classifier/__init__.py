"""Classifiers: the binary classifier and the debiasing VAE (DB-VAE) that resamples its training data.

The configs (:mod:`.configs`) load at once and without torch; the model classes and the resampling
weights load when first used.
"""

from genlab.lazy import lazy_attributes
from genlab.models.classifier.configs import ClassifierConfig, DBVAEConfig

MODEL_CLASSES = {
    "Classifier": "genlab.models.classifier.classifier",
    "DebiasingVAE": "genlab.models.classifier.dbvae",
    "debiasing_weights": "genlab.models.classifier.resampling",
    "histogram_probabilities": "genlab.models.classifier.resampling",
}
__getattr__ = lazy_attributes(__name__, MODEL_CLASSES)
__all__ = ["Classifier", "ClassifierConfig", "DBVAEConfig", "DebiasingVAE", "debiasing_weights", "histogram_probabilities"]
