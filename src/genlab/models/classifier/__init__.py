"""Classifiers: the binary classifier and the debiasing VAE (DB-VAE) that resamples its training data."""

from genlab.models.classifier.classifier import Classifier, ClassifierConfig
from genlab.models.classifier.dbvae import DBVAEConfig, DebiasingVAE
from genlab.models.classifier.resampling import debiasing_weights, histogram_probabilities

__all__ = ["Classifier", "ClassifierConfig", "DBVAEConfig", "DebiasingVAE", "debiasing_weights", "histogram_probabilities"]
