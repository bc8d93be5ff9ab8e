"""The pictures an autoencoder-like model leaves during training (its :class:`~genlab.models.training.Snapshots`)."""

from __future__ import annotations

import torch

from genlab.models.protocols import Sampler
from genlab.models.training import Batch
from genlab.viz.grid import pair_rows


class ReconstructionSnapshots:
    """Inputs above their reconstructions and, for a model that can sample, samples; images only.

    Mixed into models that define ``reconstruct(x)`` (the AE, the VAE family, DB-VAE).
    """

    snapshot_examples = 32
    training_animation: str | None = None

    @torch.no_grad()
    def snapshot_images(self, batch: Batch, generator: torch.Generator) -> dict[str, torch.Tensor]:
        x = batch["x"]
        if x.dim() != 4:
            return {}
        pictures = {"reconstructions": pair_rows(x, self.reconstruct(x).clamp(0, 1))}  # type: ignore[attr-defined]
        if isinstance(self, Sampler):
            pictures["samples"] = self.sample(len(x), generator).clamp(0, 1)
        return pictures
