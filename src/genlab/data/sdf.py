"""Signed-distance drawing over a batch: the painter's algorithm for procedural images.

Coordinates are normalized: x runs from -1 (left) to 1 (right), y from -1 (top) to 1 (bottom).
Every shape parameter is a tensor shaped (B, 1, 1) (or a number), so one call draws a shape in
all B images at once. A signed distance is negative inside a shape; its alpha falls from 1 to 0
over one pixel across the boundary, which gives anti-aliased edges at any resolution.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

Tensorish = torch.Tensor | float
_ONE = torch.ones(1, 1, 1, 1)


# Drawing is many small element-wise passes. Split over threads, each pass waits for the slowest
# thread, and on a busy machine (another process on a core) that made rendering 30 times slower
# with 2 threads than with 1; so the renderers draw on one thread (see benchmarks/procedural_data.py).
RENDER_THREADS = 1


@contextmanager
def render_threads() -> Iterator[None]:
    """Run the enclosed drawing on RENDER_THREADS torch threads, then restore the setting."""
    before = torch.get_num_threads()
    if before != RENDER_THREADS:
        torch.set_num_threads(RENDER_THREADS)
    try:
        yield
    finally:
        if before != RENDER_THREADS:
            torch.set_num_threads(before)


def grid(size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Pixel-centre coordinates: x shaped (1, 1, size), y shaped (1, size, 1), both in (-1, 1)."""
    centres = (torch.arange(size, dtype=torch.float32) + 0.5) / size * 2.0 - 1.0
    return centres.view(1, 1, size), centres.view(1, size, 1)


def param(values, n: int | None = None) -> torch.Tensor:
    """A per-image parameter as a float32 tensor shaped (B, 1, 1)."""
    t = torch.as_tensor(values, dtype=torch.float32)
    if t.dim() == 0 and n is not None:
        t = t.expand(n)
    return t.reshape(-1, 1, 1)


def coverage(distance: torch.Tensor, pixel: float) -> torch.Tensor:
    """Alpha in [0, 1] of a signed distance: 1 inside, 0 outside, a one-pixel ramp between."""
    return (0.5 - distance / pixel).clamp_(0.0, 1.0)


def ellipse(x: torch.Tensor, y: torch.Tensor, cx: Tensorish, cy: Tensorish, rx: Tensorish, ry: Tensorish) -> torch.Tensor:
    """Approximate signed distance to an axis-aligned ellipse (exact on its boundary's normal)."""
    u, v = (x - cx) / rx, (y - cy) / ry
    k = torch.sqrt(u * u + v * v + 1e-12)
    gradient = torch.sqrt((u / rx) ** 2 + (v / ry) ** 2 + 1e-12) / k
    return (k - 1.0) / gradient


def circle(x: torch.Tensor, y: torch.Tensor, cx: Tensorish, cy: Tensorish, r: Tensorish) -> torch.Tensor:
    return torch.sqrt((x - cx) ** 2 + (y - cy) ** 2 + 1e-12) - r


def box(x: torch.Tensor, y: torch.Tensor, cx: Tensorish, cy: Tensorish, hw: Tensorish, hh: Tensorish, radius: Tensorish = 0.0) -> torch.Tensor:
    """Signed distance to a box with half-width ``hw``, half-height ``hh`` and rounded corners."""
    qx = (x - cx).abs() - hw + radius
    qy = (y - cy).abs() - hh + radius
    outside = torch.sqrt(qx.clamp(min=0) ** 2 + qy.clamp(min=0) ** 2 + 1e-12)
    return outside + torch.maximum(qx, qy).clamp(max=0) - radius


def segment(
    x: torch.Tensor, y: torch.Tensor, ax: Tensorish, ay: Tensorish, bx: Tensorish, by: Tensorish, width: Tensorish
) -> torch.Tensor:
    """Signed distance to a stroke (capsule) of full ``width`` from (ax, ay) to (bx, by)."""
    px, py = x - ax, y - ay
    dx, dy = bx - ax, by - ay
    t = ((px * dx + py * dy) / (dx * dx + dy * dy + 1e-12)).clamp(0.0, 1.0)
    return torch.sqrt((px - t * dx) ** 2 + (py - t * dy) ** 2 + 1e-12) - width / 2


def _edge(x: torch.Tensor, y: torch.Tensor, ax: Tensorish, ay: Tensorish, bx: Tensorish, by: Tensorish) -> torch.Tensor:
    """Signed distance from the line a -> b, positive on its left in (x, y) coordinates."""
    dx, dy = bx - ax, by - ay
    length = torch.sqrt(torch.as_tensor(dx * dx + dy * dy) + 1e-12)
    return (dx * (y - ay) - dy * (x - ax)) / length


def triangle(x: torch.Tensor, y: torch.Tensor, a: tuple, b: tuple, c: tuple) -> torch.Tensor:
    """Signed distance to the triangle with corners a, b, c, each (x, y) (exact inside, a bound outside)."""
    (ax, ay), (bx, by), (cx, cy) = a, b, c
    orientation = torch.sign(torch.as_tensor((bx - ax) * (cy - ay) - (by - ay) * (cx - ax)) + 1e-12)
    edges = [_edge(x, y, ax, ay, bx, by), _edge(x, y, bx, by, cx, cy), _edge(x, y, cx, cy, ax, ay)]
    inside = torch.minimum(torch.minimum(edges[0] * orientation, edges[1] * orientation), edges[2] * orientation)
    return -inside


class Canvas:
    """B RGB images with an alpha channel (premultiplied), painted back to front.

    Drawing happens in windows: a shape that stays inside a known rectangle is evaluated on
    that rectangle's pixels only, which is most of the speed of a detailed drawing. With
    ``labels`` the canvas also keeps a label map (B, size, size), 0 where nothing is painted: each
    paint that names its part writes the part's label where it covers at least half the pixel,
    so the map is the drawing's own partition into parts.
    """

    def __init__(self, n: int, size: int, labels: bool = False) -> None:
        self.size = size
        self.rgb = torch.zeros(n, 3, size, size)
        self.alpha = torch.zeros(n, 1, size, size)
        self.labels = torch.zeros(n, size, size, dtype=torch.long) if labels else None
        self.pixel = 2.0 / size
        self.x, self.y = grid(size)

    def window(self, left: float = -1.0, top: float = -1.0, right: float = 1.0, bottom: float = 1.0) -> Window:
        """The part of the images inside a rectangle given in normalized coordinates."""
        def pixel(v: float) -> int:
            return min(self.size, max(0, round((v + 1.0) / 2.0 * self.size)))

        return Window(self, slice(pixel(top), pixel(bottom)), slice(pixel(left), pixel(right)))


class Window:
    """A rectangle of a canvas: its pixel coordinates ``x`` and ``y`` and a ``paint`` that draws there."""

    def __init__(self, canvas: Canvas, rows: slice, cols: slice) -> None:
        self.canvas, self.rows, self.cols = canvas, rows, cols
        self.x, self.y = canvas.x[..., cols], canvas.y[:, rows, :]

    def paint(self, distance: torch.Tensor, color: torch.Tensor, opacity: Tensorish = 1.0, part: int | None = None) -> None:
        """Paint ``color`` (B, 3) where ``distance`` (B, h, w) is negative, with the given opacity;
        on a canvas with labels, a ``part`` label where the paint covers at least half a pixel."""
        a = coverage(distance, self.canvas.pixel)
        if not isinstance(opacity, float) or opacity != 1.0:
            a = a * opacity
        if self.canvas.labels is not None and part is not None:
            labels = self.canvas.labels[:, self.rows, self.cols]
            labels.masked_fill_(a >= 0.5, part)
        a = a.unsqueeze(1)
        rgb = self.canvas.rgb[:, :, self.rows, self.cols]
        rgb.lerp_(color.view(-1, 3, 1, 1).expand_as(rgb), a)  # one pass, no temporary (B, 3, h, w)
        alpha = self.canvas.alpha[:, :, self.rows, self.cols]
        alpha.lerp_(_ONE.expand_as(alpha), a)
