"""What pix2pix and CycleGAN share: the patch GAN loss as the papers' code computes it, the
conversion between genlab's images in [0, 1] and the networks' [-1, 1], the players' optimizers
and schedule, and translation in evaluation mode."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from genlab.models.training import Part, linear_decay


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


def augment(batches: list[torch.Tensor], crop: int, flip: bool) -> list[torch.Tensor]:
    """The same random ``crop`` x ``crop`` window and left-right flip of each example, applied to
    every batch of a pair (pix2pix's load-size / crop / flip, the load size being --resize); the
    draws come from torch's global random state, which the trainer seeds per step."""
    if not crop and not flip:
        return batches
    n, (h, w) = len(batches[0]), batches[0].shape[-2:]
    size_h, size_w = (min(crop, h), min(crop, w)) if crop else (h, w)
    tops, lefts = torch.randint(h - size_h + 1, (n,)).tolist(), torch.randint(w - size_w + 1, (n,)).tolist()
    flips = (torch.rand(n) < 0.5).tolist() if flip else [False] * n
    out = []
    for batch in batches:
        rows = [batch[i, :, t : t + size_h, l : l + size_w] for i, (t, l) in enumerate(zip(tops, lefts))]
        out.append(torch.stack([r.flip(-1) if f else r for r, f in zip(rows, flips)]))
    return out


def scheduled_parts(players: dict[str, tuple[nn.Module, float]], beta1: float, decay_start: float) -> dict[str, Part]:
    """One Adam part per player (in the order given, the order of their updates), each with its
    learning rate, betas (``beta1``, 0.999) and the papers' schedule: constant, then linearly to
    zero from ``decay_start`` of training."""
    schedule = linear_decay(decay_start)
    return {name: Part(module, lr=lr, betas=(beta1, 0.999), lr_schedule=schedule) for name, (module, lr) in players.items()}


@torch.no_grad()
def translate_in_eval_mode(model: nn.Module, net: Callable[[torch.Tensor], torch.Tensor], images: torch.Tensor) -> torch.Tensor:
    """``net`` applied to ``images`` in [0, 1] with ``model`` in evaluation mode (dropout off, batch
    norm on running statistics), its mode restored afterwards; the result in [0, 1]."""
    was_training = model.training
    model.eval()
    try:
        return to_data(net(to_model(images)))
    finally:
        model.train(was_training)
