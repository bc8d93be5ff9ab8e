"""Metrics: pure functions of tensors, and the evaluation of a run folder."""

from genlab.evaluate.likelihood import bits_per_dim, iwae_log_likelihood, psnr, reconstruction_errors, vae_likelihood
from genlab.evaluate.run_metrics import evaluate_run
from genlab.evaluate.toy import ks, mmd, modes_covered, toy_metrics, wasserstein1

__all__ = [
    "bits_per_dim",
    "evaluate_run",
    "iwae_log_likelihood",
    "ks",
    "mmd",
    "modes_covered",
    "psnr",
    "reconstruction_errors",
    "toy_metrics",
    "vae_likelihood",
    "wasserstein1",
]
