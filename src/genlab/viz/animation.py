"""Animated GIFs from pictures: training snapshots over time, latent walks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from PIL import Image

from genlab.io import write_atomically
from genlab.viz.grid import auto_scale, grid_image


def save_gif(frames: Sequence[Image.Image], path: str | Path, fps: float = 4.0, loop: bool = True) -> Path:
    """Write ``frames`` (equal-sized PIL images) as an animated GIF, atomically, and return its path."""
    if not frames:
        raise ValueError("a GIF needs at least one frame")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    first, *rest = [f.convert("RGB") for f in frames]
    duration, repeat = round(1000 / fps), 0 if loop else 1
    return write_atomically(
        path, lambda tmp: first.save(tmp, format="GIF", save_all=True, append_images=rest, duration=duration, loop=repeat)
    )


def grid_frames(batches: Sequence[torch.Tensor], ncol: int = 8) -> list[Image.Image]:
    """One grid image per batch of images (N, C, H, W) in [0, 1]."""
    scale = auto_scale(batches[0]) if len(batches) else 1
    return [grid_image(b, ncol, scale) for b in batches]
