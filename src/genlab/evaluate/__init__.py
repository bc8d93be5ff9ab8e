"""Metrics: pure functions of tensors, and the evaluation of a run folder."""

from genlab.evaluate.likelihood import bits_per_dim, iwae_log_likelihood, psnr, reconstruction_errors, vae_likelihood
from genlab.evaluate.run_metrics import evaluate_run

__all__ = ["bits_per_dim", "evaluate_run", "iwae_log_likelihood", "psnr", "reconstruction_errors", "vae_likelihood"]
