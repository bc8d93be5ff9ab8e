"""Pictures of a latent space: labeled traversal grids, interpolation strips, noise walks, and their GIF animations."""

from __future__ import annotations

from pathlib import Path

import torch
from PIL import Image, ImageDraw, ImageFont

from genlab.io import check_output_path, write_atomically
from genlab.latent import Traversal
from genlab.viz.animation import save_gif
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


def _figures(figures: list[tuple[str, str]]) -> list[str]:
    import html

    return [
        f'<figure><img src="{uri}" alt="{html.escape(caption)}"><figcaption>{html.escape(caption)}</figcaption></figure>'
        for uri, caption in figures
    ]


def _code_section(run_path: str | Path) -> str:
    """Traversal (still and animated) and an interpolation between two test images, of a VAE-family run."""
    from genlab.latent import INACTIVE_KL, interpolate_run, traverse_run

    traversal = traverse_run(str(run_path), device="cpu")
    a, path, b = interpolate_run(str(run_path), device="cpu")
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
        (
            f"<p>{active} of {len(traversal.dims)} latent dimensions are active (mean KL at least {INACTIVE_KL} nats); "
            "inactive rows are faded and marked. Each row sets one dimension from "
            f"{traversal.values[0]:+g} to {traversal.values[-1]:+g} and keeps the others at the example's posterior mean.</p>"
        ),
    ]
    return "\n".join(parts + _figures(figures))


def _noise_section(run_path: str | Path, steps: int = 10) -> str:
    """The straight and the spherical path between the noise of seeds 0 and 1, of an image GAN run."""
    from genlab.latent import load_generator, noise_path

    model = load_generator(run_path, device="cpu")
    label = 0 if model.config.classes else None
    rows = [noise_path(model, 0, 1, steps, spherical, label) for spherical in (False, True)]
    of_class = " (class 0)" if label is not None else ""
    caption = (
        f"the generator{of_class} from the noise of seed 0 to that of seed 1 in {steps} steps: "
        "straight line (top), arc (bottom); genlab interpolate RUN --out FILE draws it"
    )
    parts = [
        "<h2>Noise space</h2>",
        (
            "<p>Gaussian noise lies near a sphere; the straight line between two draws passes inside it, "
            "the arc (slerp) keeps the norm.</p>"
        ),
    ]
    return "\n".join(parts + _figures([(_encoded(walk_grid(torch.cat(rows), steps)), caption)]))


def report_section(run_path: str | Path) -> str:
    """HTML for the run report: the latent code of a VAE-family run (traversals, an interpolation),
    or the noise space of an image GAN run (straight and spherical paths).

    Empty for other runs (autoencoders, vector data).
    """
    import logging

    from genlab.errors import GenlabError
    from genlab.latent import is_noise_run

    try:
        return _noise_section(run_path) if is_noise_run(run_path) else _code_section(run_path)
    except GenlabError as e:  # no latent code or no pictures: nothing to show
        logging.getLogger(__name__).debug("no latent pictures in the report: %s", e)
        return ""
    except Exception as e:  # noqa: BLE001  (a figure must never cost the report, or a finished training)
        logging.getLogger(__name__).warning("could not draw the latent pictures of the report: %s", e)
        return ""
