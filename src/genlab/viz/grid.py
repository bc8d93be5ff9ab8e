"""Image grids: tensors (N, C, H, W) in [0, 1] to PNG files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from genlab.io import write_atomically


def pair_rows(top: torch.Tensor, bottom: torch.Tensor, ncol: int = 8) -> torch.Tensor:
    """Interleave two batches row by row: ncol of ``top``, the matching ncol of ``bottom``, ...

    Shown as a grid with ``ncol`` columns, each input sits directly above its counterpart.
    """
    return interleave_rows([top, bottom], ncol)


def interleave_rows(batches: list[torch.Tensor], ncol: int = 8) -> torch.Tensor:
    """Interleave batches of equal shape row by row: ncol of the first, the matching ncol of the
    second, ... (an input, its translation and its target, each above the next)."""
    shapes = {tuple(b.shape) for b in batches}
    if len(shapes) != 1:
        raise ValueError(f"interleave_rows needs equal shapes, got {sorted(shapes)}")
    rows = []
    for start in range(0, len(batches[0]), ncol):
        rows += [b[start : start + ncol] for b in batches]
    return torch.cat(rows)


def make_grid(images: torch.Tensor, ncol: int = 8, padding: int = 2, pad_value: float = 1.0) -> np.ndarray:
    """Tile images (N, C, H, W) in [0, 1] into one uint8 array (H', W', C) with C in {1, 3}."""
    if images.dim() != 4:
        raise ValueError(f"make_grid needs images shaped (N, C, H, W), got {tuple(images.shape)}")
    images = images.detach().float().cpu().clamp(0, 1)
    n, c, h, w = images.shape
    ncol = max(1, min(ncol, n))
    nrow = (n + ncol - 1) // ncol
    grid = torch.full((c, nrow * (h + padding) + padding, ncol * (w + padding) + padding), pad_value)
    for i in range(n):
        r, col = divmod(i, ncol)
        top, left = padding + r * (h + padding), padding + col * (w + padding)
        grid[:, top : top + h, left : left + w] = images[i]
    array = (grid.permute(1, 2, 0).numpy() * 255.0 + 0.5).astype(np.uint8)
    return array


def grid_image(images: torch.Tensor, ncol: int = 8, scale: int = 1) -> Image.Image:
    """A PIL image of the grid, enlarged ``scale`` times with nearest-neighbour for small images."""
    array = make_grid(images, ncol)
    image = Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    return image


def auto_scale(images: torch.Tensor) -> int:
    """An enlargement that makes small images (8x8, 28x28) comfortable to look at."""
    side = max(images.shape[-2:])
    return max(1, 64 // side)


def save_grid(images: torch.Tensor, path: str | Path, ncol: int = 8, scale: int | None = None) -> Path:
    """Write the grid as a PNG, atomically, and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image = grid_image(images, ncol, auto_scale(images) if scale is None else scale)
    return write_atomically(path, lambda tmp: image.save(tmp, format="PNG"))


def save_image(image: torch.Tensor, path: str | Path) -> Path:
    """Write one image (C, H, W) in [0, 1] as a PNG of exactly H x W pixels, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    array = make_grid(image[None], ncol=1, padding=0)
    picture = Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)
    return write_atomically(path, lambda tmp: picture.save(tmp, format="PNG"))
