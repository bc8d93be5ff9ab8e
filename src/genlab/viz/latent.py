"""Pictures of a latent space, from arrays: labeled traversal grids, interpolation strips, noise walks,
and their GIF animations."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from PIL import Image, ImageDraw, ImageFont

from genlab.io import check_output_path, write_atomically
from genlab.viz.animation import save_gif
from genlab.viz.grid import auto_scale, grid_image

LABEL_WIDTH = 96
INACTIVE_TINT = 0.35  # inactive rows are faded toward white by this much
GIF_FRAME_MS = 120


def _font() -> ImageFont.ImageFont:
    return ImageFont.load_default()


def traversal_figure(
    images: torch.Tensor, values: Sequence[float], labels: Sequence[str], active: Sequence[bool],
    columns: slice = slice(None),
) -> Image.Image:  # fmt: skip
    """One row per traversed dimension: ``images`` (rows, steps, C, H, W) in [0, 1], the traversed
    ``values`` (steps,), a label per row; inactive rows are faded and their labels marked in red."""
    rows = images[:, columns]
    faded = rows.clone()
    for r, is_active in enumerate(active):
        if not is_active:
            faded[r] = faded[r] * (1 - INACTIVE_TINT) + INACTIVE_TINT
    steps = rows.shape[1]
    scale = auto_scale(rows[0])
    grid = grid_image(faded.flatten(0, 1), ncol=steps, scale=scale)
    row_height = grid.height / len(rows)
    header = 16
    canvas = Image.new("RGB", (LABEL_WIDTH + grid.width, grid.height + header), "white")
    canvas.paste(grid.convert("RGB"), (LABEL_WIDTH, header))
    draw = ImageDraw.Draw(canvas)
    font = _font()
    shown = list(values)[columns]
    span = f"z_d = {shown[0]:+.2g}" if len(shown) == 1 else f"z_d from {shown[0]:+.2g} to {shown[-1]:+.2g}"
    draw.text((LABEL_WIDTH + 2, 2), span, fill="black", font=font)
    for r in range(len(rows)):
        y = header + int(r * row_height + row_height / 2) - 6
        draw.text((4, y), labels[r], fill="black" if active[r] else "#b03020", font=font)
    return canvas


def traversal_frames(
    images: torch.Tensor, values: Sequence[float], labels: Sequence[str], active: Sequence[bool]
) -> list[Image.Image]:
    """Animation frames of :func:`traversal_figure`: every row at one value per frame, there and back."""
    steps = images.shape[1]
    frames = [traversal_figure(images, values, labels, active, slice(i, i + 1)) for i in range(steps)]
    return frames + frames[-2:0:-1]


def path_strip(path: torch.Tensor) -> Image.Image:
    """Images (N, C, H, W) along a path, in one row."""
    return grid_image(path, ncol=len(path), scale=auto_scale(path)).convert("RGB")


def interpolation_strip(a: torch.Tensor, path: torch.Tensor, b: torch.Tensor) -> Image.Image:
    """Image a, the decoded path, image b, in one row."""
    return path_strip(torch.cat([a[None], path, b[None]]))


def walk_grid(walk: torch.Tensor, steps: int) -> Image.Image:
    """Images (K * steps, C, H, W) of a closed walk, one row per leg: row i starts at point i."""
    return grid_image(walk, ncol=steps, scale=auto_scale(walk)).convert("RGB")


def interpolation_frames(path: torch.Tensor, bounce: bool = True) -> list[Image.Image]:
    """Animation frames along the decoded path: there and back (``bounce``), or once round a closed walk."""
    scale = 2 * auto_scale(path)
    frames = [grid_image(image[None], ncol=1, scale=scale).convert("RGB") for image in path]
    return frames + frames[-2:0:-1] if bounce else frames


def check_picture_path(path: str | Path) -> Path:
    """``path`` if it ends in .png or .gif (checked before any work is done), else a ConfigError."""
    return check_output_path(path, (".png", ".gif"))


def save_picture(path: str | Path, still: Image.Image, frames: list[Image.Image] | None = None) -> Path:
    """Write ``still`` as a PNG, or ``frames`` as a looping GIF when ``path`` ends in .gif; atomically."""
    path = check_picture_path(path)
    suffix = path.suffix.lower()
    if suffix == ".gif":
        return save_gif(frames or [still], path, fps=1000 / GIF_FRAME_MS)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomically(path, lambda tmp: still.save(tmp, format="PNG"))

