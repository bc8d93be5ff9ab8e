"""Non-face negatives for face detection: houses, trees, cars, landscapes and clutter.

They are drawn with the same signed-distance painter as the faces, on the same background
colors and brightness levels, and with object colors that include the skin tones, so that a
detector has to find the face and not a color or a background.
"""

from __future__ import annotations

import numpy as np
import torch

from genlab.data import sdf
from genlab.data.face_render import BACKGROUNDS, SKIN_TONES

NEGATIVE_KINDS = ("house", "tree", "car", "landscape", "clutter")
OBJECT_COLORS = (
    *SKIN_TONES,
    (0.80, 0.15, 0.15), (0.15, 0.35, 0.75), (0.95, 0.80, 0.20), (0.20, 0.55, 0.25),
    (0.95, 0.95, 0.95), (0.15, 0.15, 0.18), (0.55, 0.35, 0.65), (0.90, 0.50, 0.15),
)  # fmt: skip
GREENS = ((0.20, 0.50, 0.20), (0.35, 0.60, 0.25), (0.15, 0.40, 0.25), (0.80, 0.50, 0.15), (0.70, 0.25, 0.10))
BRIGHTNESS = (0.7, 0.85, 1.0)


def _pick(rng: np.random.Generator, palette, n: int) -> torch.Tensor:
    table = torch.tensor(palette, dtype=torch.float32)
    return table[torch.from_numpy(rng.integers(0, len(palette), n))]


def _house(c: sdf.Canvas, rng: np.random.Generator, n: int) -> None:
    x, y, u = c.x, c.y, lambda lo, hi: sdf.param(rng.uniform(lo, hi, n))
    c.window().paint(u(0.5, 0.7) - y, _pick(rng, GREENS[:3] + ((0.55, 0.55, 0.55),), n))
    cx, hw, hh, top = u(-0.25, 0.25), u(0.3, 0.55), u(0.22, 0.35), u(-0.15, 0.05)
    cy = top + hh
    c.window().paint(sdf.box(x, y, cx, cy, hw, hh), _pick(rng, OBJECT_COLORS, n))
    peak = top - u(0.25, 0.45)
    c.window().paint(sdf.triangle(x, y, (cx - hw - 0.08, top), (cx + hw + 0.08, top), (cx, peak)), _pick(rng, ((0.55, 0.15, 0.10), (0.35, 0.25, 0.20), (0.40, 0.40, 0.45)), n))
    door_x = cx + u(-0.5, 0.5) * hw
    c.window().paint(sdf.box(x, y, door_x, cy + hh - 0.14, 0.08, 0.14), _pick(rng, ((0.40, 0.25, 0.12), (0.2, 0.2, 0.3)), n))
    for side in (-0.55, 0.55):
        window = sdf.box(x, y, cx + side * hw, cy - 0.3 * hh, 0.09, 0.08)
        c.window().paint(window, torch.tensor([[0.70, 0.85, 0.95]]).expand(n, 3), (torch.abs(door_x - (cx + side * hw)) > 0.18).float())


def _tree(c: sdf.Canvas, rng: np.random.Generator, n: int) -> None:
    x, y, u = c.x, c.y, lambda lo, hi: sdf.param(rng.uniform(lo, hi, n))
    c.window().paint(u(0.55, 0.75) - y, _pick(rng, GREENS[:3] + ((0.75, 0.65, 0.45),), n))
    cx = u(-0.3, 0.3)
    c.window().paint(sdf.box(x, y, cx, u(0.35, 0.5), u(0.05, 0.1), 0.32), _pick(rng, ((0.40, 0.25, 0.12), (0.30, 0.20, 0.12)), n))
    crown = _pick(rng, GREENS, n)
    for dx, dy in ((-0.2, 0.0), (0.2, 0.0), (0.0, -0.25)):
        c.window().paint(sdf.circle(x, y, cx + dx * u(0.7, 1.3), u(-0.2, 0.0) + dy, u(0.22, 0.35)), crown * sdf.param(rng.uniform(0.85, 1.1, n)).view(n, 1))


def _car(c: sdf.Canvas, rng: np.random.Generator, n: int) -> None:
    x, y, u = c.x, c.y, lambda lo, hi: sdf.param(rng.uniform(lo, hi, n))
    c.window().paint(u(0.5, 0.62) - y, _pick(rng, ((0.45, 0.45, 0.47), (0.30, 0.30, 0.32), (0.35, 0.55, 0.30)), n))
    cx, cy, length = u(-0.2, 0.2), u(0.15, 0.3), u(0.5, 0.7)
    color = _pick(rng, OBJECT_COLORS, n)
    c.window().paint(sdf.box(x, y, cx, cy, length, 0.15, 0.08), color)
    c.window().paint(sdf.box(x, y, cx - 0.05, cy - 0.2, length * 0.55, 0.13, 0.1), color)
    glass = torch.tensor([[0.70, 0.85, 0.95]]).expand(n, 3)
    c.window().paint(sdf.box(x, y, cx - 0.05, cy - 0.2, length * 0.45, 0.08, 0.04), glass)
    c.window().paint(sdf.box(x, y, cx - 0.05, cy - 0.2, 0.02, 0.09), color)
    for side in (-0.62, 0.62):
        c.window().paint(sdf.circle(x, y, cx + side * length, cy + 0.15, 0.14), torch.tensor([[0.1, 0.1, 0.1]]).expand(n, 3))
        c.window().paint(sdf.circle(x, y, cx + side * length, cy + 0.15, 0.06), torch.tensor([[0.7, 0.7, 0.7]]).expand(n, 3))
    c.window().paint(sdf.circle(x, y, cx + length - 0.04, cy - 0.04, 0.045), torch.tensor([[1.0, 0.9, 0.5]]).expand(n, 3))


def _landscape(c: sdf.Canvas, rng: np.random.Generator, n: int) -> None:
    x, y, u = c.x, c.y, lambda lo, hi: sdf.param(rng.uniform(lo, hi, n))
    c.window().paint(sdf.circle(x, y, u(-0.7, 0.7), u(-0.8, -0.4), u(0.1, 0.2)), _pick(rng, ((1.0, 0.9, 0.4), (1.0, 0.7, 0.3), (0.98, 0.98, 0.9)), n))
    horizon = u(0.1, 0.45)
    for _ in range(2):
        px, half = u(-0.8, 0.8), u(0.4, 0.9)
        peak = (px, horizon - u(0.3, 0.8))
        c.window().paint(sdf.triangle(x, y, (px - half, horizon + 0.05), (px + half, horizon + 0.05), peak), _pick(rng, ((0.45, 0.45, 0.50), (0.50, 0.40, 0.30), (0.30, 0.45, 0.30)), n))
    c.window().paint(horizon - y, _pick(rng, GREENS[:3] + ((0.85, 0.75, 0.50),), n))
    lake = sdf.ellipse(x, y, u(-0.5, 0.5), horizon + u(0.25, 0.45), u(0.25, 0.5), u(0.06, 0.12))
    c.window().paint(lake, torch.tensor([[0.35, 0.55, 0.80]]).expand(n, 3), sdf.param(rng.integers(0, 2, n)))


def _clutter(c: sdf.Canvas, rng: np.random.Generator, n: int) -> None:
    x, y, u = c.x, c.y, lambda lo, hi: sdf.param(rng.uniform(lo, hi, n))
    for _ in range(8):
        cx, cy, r = u(-0.8, 0.8), u(-0.8, 0.8), u(0.08, 0.35)
        kind = sdf.param(rng.integers(0, 3, n))
        shape = torch.where(
            kind == 0, sdf.circle(x, y, cx, cy, r),
            torch.where(kind == 1, sdf.box(x, y, cx, cy, r, r * u(0.3, 1.0), 0.03),
                        sdf.segment(x, y, cx - r, cy + u(-0.3, 0.3), cx + r, cy + u(-0.3, 0.3), u(0.05, 0.12))),
        )  # fmt: skip
        c.window().paint(shape, _pick(rng, OBJECT_COLORS, n))


_DRAW = {"house": _house, "tree": _tree, "car": _car, "landscape": _landscape, "clutter": _clutter}


def render_nonfaces(n: int, rng: np.random.Generator, size: int = 64) -> tuple[torch.Tensor, np.ndarray]:
    """``n`` non-face images (n, 3, size, size) on the 8-bit grid, and their kinds (n,) as indices
    into NEGATIVE_KINDS; the same generator state gives the same images."""
    with sdf.render_threads():
        return _render_nonfaces(n, rng, size)


def _render_nonfaces(n: int, rng: np.random.Generator, size: int) -> tuple[torch.Tensor, np.ndarray]:
    kinds = rng.integers(0, len(NEGATIVE_KINDS), n)
    out = torch.empty(n, 3, size, size)
    for k, kind in enumerate(NEGATIVE_KINDS):
        index = np.flatnonzero(kinds == k)
        if len(index) == 0:
            continue
        m = len(index)
        canvas = sdf.Canvas(m, size)
        _DRAW[kind](canvas, rng, m)
        background = _pick(rng, tuple(BACKGROUNDS.values()), m).view(m, 3, 1, 1) * (1.0 + 0.12 * canvas.y.unsqueeze(1))
        brightness = torch.tensor(BRIGHTNESS)[torch.from_numpy(rng.integers(0, len(BRIGHTNESS), m))].view(m, 1, 1, 1)
        image = (canvas.rgb + background * (1.0 - canvas.alpha)) * brightness
        out[torch.from_numpy(index)] = image.clamp_(0.0, 1.0).mul_(255.0).round_().div_(255.0)
    return out, kinds
