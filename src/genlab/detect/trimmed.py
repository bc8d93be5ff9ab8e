"""Training on contaminated data: leave each batch's worst-explained examples out of the loss.

An unsupervised detector is fitted on data that holds the outliers it should find. Trained on
everything, the model learns them too and stops flagging them. The trimmed loss (the trimmed
likelihood of robust statistics) averages the per-example loss over the best-explained
``1 - fraction`` of each batch, so the few examples the model explains worst, the likely
outliers, do not shape it.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class TrimmedLoss(nn.Module):
    """Wraps a model with ``example_losses(x)``; ``forward`` returns the trimmed ``loss`` and the plain means."""

    def __init__(self, model: nn.Module, fraction: float) -> None:
        super().__init__()
        if not 0 <= fraction < 1:
            raise ValueError(f"the trimmed fraction must be in [0, 1), got {fraction}")
        self.model = model
        self.fraction = fraction

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        terms = self.model.example_losses(x)
        keep = max(1, math.ceil(len(x) * (1 - self.fraction)))
        trimmed = terms["loss"].topk(keep, largest=False, sorted=False).values.mean()
        return {"loss": trimmed} | {f"{name}_all": value.mean() for name, value in terms.items()}
