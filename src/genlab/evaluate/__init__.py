"""Metrics: pure functions of tensors, and the evaluation of a run folder."""

from genlab.evaluate.likelihood import bits_per_dim, iwae_log_likelihood, psnr, reconstruction_errors, vae_likelihood
from genlab.evaluate.quality import frechet_distance, kernel_distance, precision_recall, sample_quality
from genlab.evaluate.run_metrics import evaluate_run

__all__ = [
    "bits_per_dim", "evaluate_run", "frechet_distance", "iwae_log_likelihood", "kernel_distance", "precision_recall",
    "psnr", "reconstruction_errors", "sample_quality", "vae_likelihood",
]  # fmt: skip
