"""The Python API: every command's function in one place.

    from genlab.api import train_run, evaluate_run, sample_run, write_report
    from genlab.data import DataSpec
    from genlab.train import TrainConfig

    run, result = train_run("vae", DataSpec("digits"), TrainConfig(epochs=5), "runs/vae", {"latent_dim": 8})
    print(evaluate_run("runs/vae", iwae_k=1000))   # saved as runs/vae/eval_test.json
    write_report("runs/vae")                       # the report shows the new numbers

Each name is defined in the module that owns it; this one only gathers them (it is, with the CLI,
the one place that imports the application packages).
"""

from genlab.bias.app import discover_bias
from genlab.detect.app import fit_detector, score_detector
from genlab.evaluate.run_metrics import evaluate_run
from genlab.evaluate.run_quality import quality_run
from genlab.report import write_report
from genlab.workflows import (
    make_run_config,
    reconstruct_run,
    resume_run,
    sample_run,
    train_or_resume,
    train_run,
    write_training_animations,
)

__all__ = [
    "discover_bias",
    "evaluate_run",
    "fit_detector",
    "make_run_config",
    "quality_run",
    "reconstruct_run",
    "resume_run",
    "sample_run",
    "score_detector",
    "train_or_resume",
    "train_run",
    "write_report",
    "write_training_animations",
]
