"""Run reports: the self-contained HTML page of a run (curves, pictures, metrics, latent space) and the
animations written at the end of training. Above evaluate: it shows the numbers evaluate saved."""

from genlab.report.animations import write_training_animations
from genlab.report.run_report import render_report, write_report

__all__ = ["render_report", "write_report", "write_training_animations"]
