"""What pix2pix and CycleGAN share: the patch GAN loss as the papers' code computes it, and the
conversion between genlab's images in [0, 1] and the networks' [-1, 1]."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def patch_loss(kind: str, logits: torch.Tensor, real: bool) -> torch.Tensor:
    """The mean loss of patch logits against all-real (``real``) or all-fake targets: least squares
    (``lsgan``, targets 1 and 0) or cross-entropy on the logits (``vanilla``).

    The discriminator minimizes half the sum of its real and fake terms, the generator the real
    term of its fakes, as in the papers' code (genlab.models.gan.losses halves the generator's
    lsgan term instead, which would change its weight against the L1 and cycle terms).
    """
    target = torch.ones_like(logits) if real else torch.zeros_like(logits)
    if kind == "lsgan":
        return F.mse_loss(logits, target)
    if kind == "vanilla":
        return F.binary_cross_entropy_with_logits(logits, target)
    raise ValueError(f"unknown patch GAN loss {kind!r}; choose lsgan or vanilla")


def to_model(images: torch.Tensor) -> torch.Tensor:
    """Images in [0, 1] as the networks take them, in [-1, 1]."""
    return images * 2 - 1


def to_data(images: torch.Tensor) -> torch.Tensor:
    """Network outputs in [-1, 1] as images in [0, 1]."""
    return ((images + 1) / 2).clamp(0, 1)
