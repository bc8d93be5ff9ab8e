"""Animated GIFs: training snapshots over time, latent walks."""

from __future__ import annotations

import re
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


def snapshot_history(images_dir: Path, name: str) -> list[tuple[int, Path]]:
    """The saved ``epoch_NNN_{name}.png`` snapshots of a run, by epoch."""
    found = []
    for path in images_dir.glob(f"epoch_*_{name}.png"):
        match = re.fullmatch(rf"epoch_(\d+)_{re.escape(name)}\.png", path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def training_gif(images_dir: Path, name: str, out: Path, fps: float = 4.0) -> Path | None:
    """Turn a run's snapshots named ``name`` into a GIF at ``out`` (None when there are fewer than 2)."""
    history = snapshot_history(images_dir, name)
    if len(history) < 2:
        return None
    frames = []
    for _, path in history:
        with Image.open(path) as image:
            frames.append(image.convert("RGB"))
    size = frames[0].size
    frames = [f if f.size == size else f.resize(size) for f in frames]
    frames += [frames[-1]] * int(fps)  # rest a second on the final state
    return save_gif(frames, out, fps)
