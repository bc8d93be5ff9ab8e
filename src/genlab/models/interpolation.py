"""Paths through a latent (noise) space: linear and spherical interpolation, and latent walks.

Gaussian noise in many dimensions concentrates on a shell of radius about sqrt(d); the straight
line between two draws cuts through the shell's inside, where the generator saw no noise during
training. Spherical interpolation (slerp, Shoemake 1985; White 2016) follows the great circle and
keeps the norm in between. Both work for any latent code, a GAN's noise or a VAE's z.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

import torch

Method = Literal["lerp", "slerp"]


def lerp(z0: torch.Tensor, z1: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """(1 - t) z0 + t z1 for codes (D,) and fractions t (T,) -> (T, D)."""
    t = t.to(z0.dtype).unsqueeze(1)
    return (1 - t) * z0 + t * z1


def slerp(z0: torch.Tensor, z1: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation of codes (D,) at fractions t (T,) -> (T, D).

    sin((1 - t) w) / sin(w) z0 + sin(t w) / sin(w) z1, with w the angle between z0 and z1; for
    (nearly) parallel codes, where sin(w) vanishes, it falls back to lerp.
    """
    cos = torch.dot(z0, z1) / (z0.norm() * z1.norm()).clamp_min(1e-12)
    omega = torch.arccos(cos.clamp(-1.0, 1.0))
    if float(torch.sin(omega)) < 1e-6:
        return lerp(z0, z1, t)
    t = t.to(z0.dtype).unsqueeze(1)
    return (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)


def interpolate(z0: torch.Tensor, z1: torch.Tensor, steps: int, method: Method = "slerp") -> torch.Tensor:
    """``steps`` codes from z0 to z1 inclusive (steps, D), by ``lerp`` or ``slerp``."""
    if steps < 2:
        raise ValueError(f"an interpolation needs at least 2 steps, got {steps}")
    if z0.shape != z1.shape or z0.dim() != 1:
        raise ValueError(f"interpolate needs two codes of the same shape (D,), got {tuple(z0.shape)} and {tuple(z1.shape)}")
    t = torch.linspace(0, 1, steps, device=z0.device)
    if method == "lerp":
        return lerp(z0, z1, t)
    if method == "slerp":
        return slerp(z0, z1, t)
    raise ValueError(f"unknown interpolation {method!r}; choose lerp or slerp")


def latent_walk(anchors: torch.Tensor, steps: int, method: Method = "slerp") -> torch.Tensor:
    """A closed walk through anchors (K, B, D): for each of B walkers, the path anchor 0 -> 1 -> ... ->
    K-1 -> 0 with ``steps`` codes per leg. Returns (K * steps, B, D)."""
    k, b, _ = anchors.shape
    legs = []
    for i in range(k):
        start, end = anchors[i], anchors[(i + 1) % k]
        leg = torch.stack([interpolate(start[j], end[j], steps + 1, method)[:-1] for j in range(b)], 1)
        legs.append(leg)
    return torch.cat(legs)


@torch.no_grad()
def save_latent_walk(
    model: Any, out: str | Path, n: int = 16, anchors: int = 4, steps: int = 12, seed: int = 0,
    method: Method = "slerp", labels: torch.Tensor | None = None, fps: float = 12.0,
) -> Path:  # fmt: skip
    """A GIF of ``n`` generated images walking smoothly through ``anchors`` noise draws each.

    ``model`` has ``noise(n, generator)`` and ``generate(z, labels)`` (a genlab GAN). A conditional
    model walks with fixed ``labels`` (n,), by default 0, 1, 2, ... cycling through its classes.
    """
    from genlab.viz.animation import grid_frames, save_gif

    generator = torch.Generator().manual_seed(seed)
    points = torch.stack([model.noise(n, generator).cpu() for _ in range(anchors)])
    path = latent_walk(points, steps, method)
    classes = getattr(model.config, "classes", 0)
    if classes and labels is None:
        labels = torch.arange(n) % classes
    batches = [model.generate(z, labels).clamp(0, 1).cpu() for z in path]
    ncol = int(math.ceil(math.sqrt(n)))
    return save_gif(grid_frames(batches, ncol), out, fps)
