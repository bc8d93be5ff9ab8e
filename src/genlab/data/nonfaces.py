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


class _Draws:
    """The random parameters of ``m`` images of one kind, of which only the rows ``keep`` are painted.

    Every parameter is drawn for all ``m`` images, so the stream, and with it every image, is the
    same whichever images are painted (a run with ``--limit`` renders only the negatives it uses).
    """

    def __init__(self, rng: np.random.Generator, m: int, keep: np.ndarray) -> None:
        self.rng, self.m, self.keep = rng, m, keep
        self.n = len(keep)  # images painted

    def uniform(self, low: float, high: float) -> torch.Tensor:
        """One value per painted image, shaped (n, 1, 1)."""
        return sdf.param(self.rng.uniform(low, high, self.m)[self.keep])

    def integers(self, high: int) -> np.ndarray:
        return self.rng.integers(0, high, self.m)[self.keep]

    def pick(self, palette) -> torch.Tensor:
        """One color of ``palette`` per painted image: (n, 3)."""
        return torch.tensor(palette, dtype=torch.float32)[torch.from_numpy(self.integers(len(palette)))]

    def color(self, rgb: tuple[float, float, float]) -> torch.Tensor:
        return torch.tensor([rgb]).expand(self.n, 3)


def _house(c: sdf.Canvas, d: _Draws) -> None:
    x, y, u = c.x, c.y, d.uniform
    c.window().paint(u(0.5, 0.7) - y, d.pick(GREENS[:3] + ((0.55, 0.55, 0.55),)))
    cx, hw, hh, top = u(-0.25, 0.25), u(0.3, 0.55), u(0.22, 0.35), u(-0.15, 0.05)
    cy = top + hh
    c.window().paint(sdf.box(x, y, cx, cy, hw, hh), d.pick(OBJECT_COLORS))
    peak = top - u(0.25, 0.45)
    c.window().paint(sdf.triangle(x, y, (cx - hw - 0.08, top), (cx + hw + 0.08, top), (cx, peak)), d.pick(((0.55, 0.15, 0.10), (0.35, 0.25, 0.20), (0.40, 0.40, 0.45))))
    door_x = cx + u(-0.5, 0.5) * hw
    c.window().paint(sdf.box(x, y, door_x, cy + hh - 0.14, 0.08, 0.14), d.pick(((0.40, 0.25, 0.12), (0.2, 0.2, 0.3))))
    for side in (-0.55, 0.55):
        window = sdf.box(x, y, cx + side * hw, cy - 0.3 * hh, 0.09, 0.08)
        c.window().paint(window, d.color((0.70, 0.85, 0.95)), (torch.abs(door_x - (cx + side * hw)) > 0.18).float())


def _tree(c: sdf.Canvas, d: _Draws) -> None:
    x, y, u = c.x, c.y, d.uniform
    c.window().paint(u(0.55, 0.75) - y, d.pick(GREENS[:3] + ((0.75, 0.65, 0.45),)))
    cx = u(-0.3, 0.3)
    c.window().paint(sdf.box(x, y, cx, u(0.35, 0.5), u(0.05, 0.1), 0.32), d.pick(((0.40, 0.25, 0.12), (0.30, 0.20, 0.12))))
    crown = d.pick(GREENS)
    for dx, dy in ((-0.2, 0.0), (0.2, 0.0), (0.0, -0.25)):
        c.window().paint(sdf.circle(x, y, cx + dx * u(0.7, 1.3), u(-0.2, 0.0) + dy, u(0.22, 0.35)), crown * d.uniform(0.85, 1.1).view(d.n, 1))


def _car(c: sdf.Canvas, d: _Draws) -> None:
    x, y, u = c.x, c.y, d.uniform
    c.window().paint(u(0.5, 0.62) - y, d.pick(((0.45, 0.45, 0.47), (0.30, 0.30, 0.32), (0.35, 0.55, 0.30))))
    cx, cy, length = u(-0.2, 0.2), u(0.15, 0.3), u(0.5, 0.7)
    color = d.pick(OBJECT_COLORS)
    c.window().paint(sdf.box(x, y, cx, cy, length, 0.15, 0.08), color)
    c.window().paint(sdf.box(x, y, cx - 0.05, cy - 0.2, length * 0.55, 0.13, 0.1), color)
    glass = d.color((0.70, 0.85, 0.95))
    c.window().paint(sdf.box(x, y, cx - 0.05, cy - 0.2, length * 0.45, 0.08, 0.04), glass)
    c.window().paint(sdf.box(x, y, cx - 0.05, cy - 0.2, 0.02, 0.09), color)
    for side in (-0.62, 0.62):
        c.window().paint(sdf.circle(x, y, cx + side * length, cy + 0.15, 0.14), d.color((0.1, 0.1, 0.1)))
        c.window().paint(sdf.circle(x, y, cx + side * length, cy + 0.15, 0.06), d.color((0.7, 0.7, 0.7)))
    c.window().paint(sdf.circle(x, y, cx + length - 0.04, cy - 0.04, 0.045), d.color((1.0, 0.9, 0.5)))


def _landscape(c: sdf.Canvas, d: _Draws) -> None:
    x, y, u = c.x, c.y, d.uniform
    c.window().paint(sdf.circle(x, y, u(-0.7, 0.7), u(-0.8, -0.4), u(0.1, 0.2)), d.pick(((1.0, 0.9, 0.4), (1.0, 0.7, 0.3), (0.98, 0.98, 0.9))))
    horizon = u(0.1, 0.45)
    for _ in range(2):
        px, half = u(-0.8, 0.8), u(0.4, 0.9)
        peak = (px, horizon - u(0.3, 0.8))
        c.window().paint(sdf.triangle(x, y, (px - half, horizon + 0.05), (px + half, horizon + 0.05), peak), d.pick(((0.45, 0.45, 0.50), (0.50, 0.40, 0.30), (0.30, 0.45, 0.30))))
    c.window().paint(horizon - y, d.pick(GREENS[:3] + ((0.85, 0.75, 0.50),)))
    lake = sdf.ellipse(x, y, u(-0.5, 0.5), horizon + u(0.25, 0.45), u(0.25, 0.5), u(0.06, 0.12))
    c.window().paint(lake, d.color((0.35, 0.55, 0.80)), sdf.param(d.integers(2)))


def _clutter(c: sdf.Canvas, d: _Draws) -> None:
    x, y, u = c.x, c.y, d.uniform
    for _ in range(8):
        cx, cy, r = u(-0.8, 0.8), u(-0.8, 0.8), u(0.08, 0.35)
        kind = sdf.param(d.integers(3))
        shape = torch.where(
            kind == 0, sdf.circle(x, y, cx, cy, r),
            torch.where(kind == 1, sdf.box(x, y, cx, cy, r, r * u(0.3, 1.0), 0.03),
                        sdf.segment(x, y, cx - r, cy + u(-0.3, 0.3), cx + r, cy + u(-0.3, 0.3), u(0.05, 0.12))),
        )  # fmt: skip
        c.window().paint(shape, d.pick(OBJECT_COLORS))


_DRAW = {"house": _house, "tree": _tree, "car": _car, "landscape": _landscape, "clutter": _clutter}


def render_nonfaces(
    n: int, rng: np.random.Generator, size: int = 64, which: np.ndarray | None = None
) -> tuple[torch.Tensor, np.ndarray]:
    """``n`` non-face images (n, 3, size, size) on the 8-bit grid, and their kinds (n,) as indices
    into NEGATIVE_KINDS; the same generator state gives the same images.

    ``which`` (numbers below ``n``, any order) renders only those images, the same as rendering
    all ``n`` and taking those rows, at the cost of the few.
    """
    with sdf.render_threads():
        if which is None:
            return _render_nonfaces(n, rng, size, np.arange(n))
        rows = np.unique(which)  # sorted
        images, kinds = _render_nonfaces(n, rng, size, rows)
        at = torch.from_numpy(np.searchsorted(rows, which))
        return images[at], kinds[np.asarray(which)]


def _render_nonfaces(n: int, rng: np.random.Generator, size: int, rows: np.ndarray) -> tuple[torch.Tensor, np.ndarray]:
    """The images ``rows`` (sorted, distinct) of the ``n`` that ``rng`` draws, and the kinds of all ``n``."""
    kinds = rng.integers(0, len(NEGATIVE_KINDS), n)
    wanted = np.zeros(n, dtype=bool)
    wanted[rows] = True
    out = torch.empty(len(rows), 3, size, size)
    for k, kind in enumerate(NEGATIVE_KINDS):
        index = np.flatnonzero(kinds == k)
        if len(index) == 0:
            continue
        d = _Draws(rng, len(index), np.flatnonzero(wanted[index]))
        canvas = sdf.Canvas(d.n, size)
        _DRAW[kind](canvas, d)
        background = d.pick(tuple(BACKGROUNDS.values())).view(d.n, 3, 1, 1) * (1.0 + 0.12 * canvas.y.unsqueeze(1))
        brightness = torch.tensor(BRIGHTNESS)[torch.from_numpy(d.integers(len(BRIGHTNESS)))].view(d.n, 1, 1, 1)
        image = (canvas.rgb + background * (1.0 - canvas.alpha)) * brightness
        out[torch.from_numpy(np.searchsorted(rows, index[d.keep]))] = image.clamp_(0.0, 1.0).mul_(255.0).round_().div_(255.0)
    return out, kinds
