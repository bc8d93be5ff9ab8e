"""Training: one Fabric-based loop for every model, with checkpoints, resume and logging."""

from genlab.train.checkpoint import Progress
from genlab.train.config import TrainConfig
from genlab.train.trainer import FitResult, Trainer

__all__ = ["FitResult", "Progress", "TrainConfig", "Trainer"]
