"""Bias discovery and debiasing: where a training set is thin in latent space, and how to resample it."""

from genlab.bias.weights import debiasing_weights, histogram_probabilities

__all__ = ["debiasing_weights", "histogram_probabilities"]
