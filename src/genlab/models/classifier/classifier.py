"""A binary classifier (face / not a face): the plain baseline that DB-VAE debiases.

The network is the same encoder the VAEs use, with one output: the logit of the positive class.
Labels are 1 for positives and 0 for negatives.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from genlab.errors import ConfigError
from genlab.models.classifier.configs import ClassifierConfig
from genlab.nets import build_encoder


def require_binary_labels(y: torch.Tensor | None, model: str) -> torch.Tensor:
    """Labels as a float (N,) tensor of 0s and 1s, or a ConfigError that says what the model needs."""
    if y is None:
        raise ConfigError(
            f"'{model}' trains on labeled data (1 = face/positive, 0 = negative); "
            "use a data set with labels such as faces-detection, or class subfolders"
        )
    if y.dim() != 1:
        raise ConfigError(f"'{model}' needs labels shaped (N,), got {tuple(y.shape)}")
    return y.float()


def binary_accuracy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return ((logits > 0).float() == y).float().mean()


class Classifier(nn.Module):
    """``forward(x, y)`` returns ``loss`` (binary cross-entropy) and ``accuracy``."""

    def __init__(self, config: ClassifierConfig) -> None:
        super().__init__()
        config.validate()
        self.config = config
        self.encoder = build_encoder(config.net, config.input_shape, 1, config.hidden, config.channels)

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of the positive class, shaped (N,)."""
        return self.encoder(x).squeeze(1)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        target = require_binary_labels(y, "classifier")
        logits = self.classify(x)
        loss = F.binary_cross_entropy_with_logits(logits, target)
        return {"loss": loss, "accuracy": binary_accuracy(logits.detach(), target)}
