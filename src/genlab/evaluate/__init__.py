"""Metrics: pure functions of tensors, and the evaluation of a run folder."""

from genlab.evaluate.likelihood import (
    bits_per_dim,
    iwae_log_likelihood,
    psnr,
    reconstruction_errors,
    vae_likelihood,
)
from genlab.evaluate.quality import frechet_distance, kernel_distance, precision_recall, sample_quality
from genlab.evaluate.run_metrics import evaluate_run
from genlab.evaluate.toy import ks, mmd, modes_covered, toy_metrics, wasserstein1

__all__ = [
    "bits_per_dim", "evaluate_run", "frechet_distance", "iwae_log_likelihood", "kernel_distance", "ks", "mmd",
    "modes_covered", "precision_recall", "psnr", "reconstruction_errors", "sample_quality", "toy_metrics",
    "vae_likelihood", "wasserstein1",
]  # fmt: skip
