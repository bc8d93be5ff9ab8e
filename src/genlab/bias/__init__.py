"""Bias discovery: where a training set is thin, found in a VAE's latent space without labels.

The resampling weights that DB-VAE trains with (:mod:`genlab.models.classifier.resampling`) are
re-exported here, as bias discovery reports them beside its own scores.
"""

from genlab.models.classifier.resampling import debiasing_weights, histogram_probabilities

__all__ = ["debiasing_weights", "histogram_probabilities"]
