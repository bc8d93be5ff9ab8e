"""Pictures of a latent code: labeled traversal grids, interpolation strips, and their GIF animations."""

from __future__ import annotations

from pathlib import Path

import torch
from PIL import Image, ImageDraw, ImageFont

from genlab.errors import ConfigError
from genlab.latent import Traversal
from genlab.viz.grid import auto_scale, grid_image

LABEL_WIDTH = 96
INACTIVE_TINT = 0.35  # inactive rows are faded toward white by this much
GIF_FRAME_MS = 120


def _font() -> ImageFont.ImageFont:
    return ImageFont.load_default()


def _row_label(traversal: Traversal, row: int) -> str:
    state = "" if traversal.active[row] else " inactive"
    kl = traversal.kl[row]
    return (
        f"z{traversal.dims[row]} KL {kl:.2f}{state}"
        if kl >= 0.1
        else f"z{traversal.dims[row]} KL {kl:.3f}{state}"
    )


def traversal_figure(traversal: Traversal, columns: slice = slice(None)) -> Image.Image:
    """One row per traversed dimension, labeled with its index and KL; inactive rows faded and marked."""
    rows = traversal.images[:, columns]
    faded = rows.clone()
    for r, active in enumerate(traversal.active):
        if not active:
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
    shown = traversal.values[columns]
    span = f"z_d = {shown[0]:+.2g}" if len(shown) == 1 else f"z_d from {shown[0]:+.2g} to {shown[-1]:+.2g}"
    draw.text((LABEL_WIDTH + 2, 2), span, fill="black", font=font)
    for r in range(len(rows)):
        y = header + int(r * row_height + row_height / 2) - 6
        color = "black" if traversal.active[r] else "#b03020"
        draw.text((4, y), _row_label(traversal, r), fill=color, font=font)
    return canvas


def traversal_frames(traversal: Traversal) -> list[Image.Image]:
    """Animation frames: every row at one value per frame, there and back."""
    steps = traversal.images.shape[1]
    frames = [traversal_figure(traversal, slice(i, i + 1)) for i in range(steps)]
    return frames + frames[-2:0:-1]


def interpolation_strip(a: torch.Tensor, path: torch.Tensor, b: torch.Tensor) -> Image.Image:
    """Image a, the decoded path, image b, in one row."""
    row = torch.cat([a[None], path, b[None]])
    return grid_image(row, ncol=len(row), scale=auto_scale(row)).convert("RGB")


def interpolation_frames(path: torch.Tensor) -> list[Image.Image]:
    """Animation frames along the decoded path, there and back."""
    scale = 2 * auto_scale(path)
    frames = [grid_image(image[None], ncol=1, scale=scale).convert("RGB") for image in path]
    return frames + frames[-2:0:-1]


def check_picture_path(path: str | Path) -> Path:
    """``path`` if it ends in .png or .gif (checked before any work is done), else a ConfigError."""
    path = Path(path)
    if path.suffix.lower() not in (".png", ".gif"):
        raise ConfigError(f"--out must end in .png or .gif, got {path.name}")
    return path


def save_picture(path: str | Path, still: Image.Image, frames: list[Image.Image] | None = None) -> Path:
    """Write ``still`` as a PNG, or ``frames`` as a looping GIF when ``path`` ends in .gif; atomically."""
    path = check_picture_path(path)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    if suffix == ".gif":
        images = frames or [still]
        images[0].save(
            tmp, format="GIF", save_all=True, append_images=images[1:], duration=GIF_FRAME_MS, loop=0
        )
    else:
        still.save(tmp, format="PNG")
    tmp.replace(path)
    return path


# --- the run report -------------------------------------------------------------------------------


def _encoded(image: Image.Image, frames: list[Image.Image] | None = None) -> str:
    import base64
    import io

    buffer = io.BytesIO()
    if frames:
        frames[0].save(
            buffer, format="GIF", save_all=True, append_images=frames[1:], duration=GIF_FRAME_MS, loop=0
        )
        mime = "image/gif"
    else:
        image.save(buffer, format="PNG")
        mime = "image/png"
    return f"data:{mime};base64,{base64.b64encode(buffer.getvalue()).decode()}"


def report_section(run_path: str | Path) -> str:
    """HTML for the run report: traversal (still and animated) and an interpolation, for VAE-family runs.

    Empty for runs without a posterior to traverse (autoencoders, vector data).
    """
    import html
    import logging

    from genlab.errors import GenlabError
    from genlab.latent import INACTIVE_KL, interpolate_run, traverse_run

    try:
        traversal = traverse_run(str(run_path), device="cpu")
        a, path, b = interpolate_run(str(run_path), device="cpu")
    except GenlabError as e:  # not a VAE-family run, or no pictures: nothing to show
        logging.getLogger(__name__).debug("no latent pictures in the report: %s", e)
        return ""
    except Exception as e:  # noqa: BLE001  (a figure must never cost the report, or a finished training)
        logging.getLogger(__name__).warning("could not draw the latent pictures of the report: %s", e)
        return ""
    active = sum(traversal.active)
    figures = [
        (
            _encoded(traversal_figure(traversal)),
            f"traversal from test example {traversal.base_index}: rows sorted by KL",
        ),
        (_encoded(traversal_figure(traversal), traversal_frames(traversal)), "the same traversal, animated"),
        (
            _encoded(interpolation_strip(a, path, b)),
            "test example 0, the decoded straight path, test example 1",
        ),
    ]
    parts = [
        "<h2>Latent code</h2>",
        f"<p>{active} of {len(traversal.dims)} latent dimensions are active (mean KL at least {INACTIVE_KL} nats); "
        "inactive rows are faded and marked. Each row sets one dimension from "
        f"{traversal.values[0]:+g} to {traversal.values[-1]:+g} and keeps the others at the example's posterior mean.</p>",
    ]
    parts += [
        f'<figure><img src="{uri}" alt="{html.escape(caption)}"><figcaption>{html.escape(caption)}</figcaption></figure>'
        for uri, caption in figures
    ]
    return "\n".join(parts)
