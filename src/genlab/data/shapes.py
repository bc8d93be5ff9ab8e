"""``shapes``: dSprites-style 64x64 binary sprites rendered from five known factors.

Factors (as in dSprites, Matthey et al. 2017): shape (square, ellipse, heart), scale (6 values
from 0.5 to 1), orientation (40 values over a full turn, 2 pi k / 40, so no angle appears twice),
position x (32 values) and position y (32 values): 3 * 6 * 40 * 32 * 32 = 737,280 images. Image
``i`` has the factor vector of ``i`` written in mixed radix with those sizes (the last factor,
position y, varies fastest), and every image is rendered on demand, vectorized over a batch,
identically on every machine.

The whole grid would take 12 GB as float32, so the registered data set ``shapes`` loads a seeded
draw of distinct grid images (50,000 train + 10,000 test by default, about 1 GB; more with
``shapes:n=100000``); the full grid stays reachable by index through :class:`ShapesFactors`.

The factors, the draw and the description need no torch; the functions that render import it, so
``genlab datasets`` describes the set without it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from genlab.data.options import check_keys, parse_options, positive_int
from genlab.data.source import SourceInfo, load_every, part_number
from genlab.errors import DataError

if TYPE_CHECKING:
    import torch

    from genlab.data.dataset import Dataset

SHAPE_NAMES = ("square", "ellipse", "heart")
FACTOR_NAMES = ("shape", "scale", "orientation", "pos_x", "pos_y")
FACTOR_SIZES = (3, 6, 40, 32, 32)
N_IMAGES = math.prod(FACTOR_SIZES)  # 737,280
SIZE = 64

SCALES = np.linspace(0.5, 1.0, 6)
ORIENTATIONS = 2 * np.pi * np.arange(40) / 40
POSITIONS = np.linspace(0.0, 1.0, 32)

# Geometry in units of the image width: positions 0..1 map to sprite centres 0.2..0.8, and a
# sprite of scale 1 has half-size 0.12 (a square of about 15 pixels), so that no rotated sprite
# leaves the image.
_CENTRE_LOW, _CENTRE_RANGE = 0.2, 0.6
_HALF_SIZE = 0.12
# Images rendered at once: small enough that the temporary (chunk, 64, 64) tensors stay in the
# CPU's caches (measured on 2 cores: 128 at a time draws 5 to 10 times faster than 2048).
_CHUNK = 128


def index_to_factors(index: np.ndarray | int) -> np.ndarray:
    """Factor vectors (n, 5) int64 of grid indices (n,) in [0, 737280)."""
    index = np.atleast_1d(np.asarray(index, dtype=np.int64))
    if index.size and (index.min() < 0 or index.max() >= N_IMAGES):
        raise DataError(f"shapes has images 0 to {N_IMAGES - 1}, got index {int(index.min())}..{int(index.max())}")
    out = np.empty((len(index), len(FACTOR_SIZES)), dtype=np.int64)
    rest = index.copy()
    for i in reversed(range(len(FACTOR_SIZES))):
        rest, out[:, i] = np.divmod(rest, FACTOR_SIZES[i])
    return out


def factors_to_index(factors: np.ndarray) -> np.ndarray:
    """Grid indices (n,) of factor vectors (n, 5); the inverse of :func:`index_to_factors`."""
    factors = _check_factors(factors)
    index = np.zeros(len(factors), dtype=np.int64)
    for i, size in enumerate(FACTOR_SIZES):
        index = index * size + factors[:, i]
    return index


def _check_factors(factors: np.ndarray) -> np.ndarray:
    factors = np.asarray(factors)
    if factors.ndim != 2 or factors.shape[1] != len(FACTOR_SIZES) or factors.dtype.kind not in "iu":
        raise DataError(f"shapes factors must be integers shaped (n, {len(FACTOR_SIZES)}), got {factors.dtype} {factors.shape}")
    factors = factors.astype(np.int64)
    low, high = factors.min(axis=0, initial=0), factors.max(axis=0, initial=0)
    for name, size, lo, hi in zip(FACTOR_NAMES, FACTOR_SIZES, low, high, strict=True):
        if lo < 0 or hi >= size:
            raise DataError(f"shapes factor '{name}' takes values 0 to {size - 1}, got {lo}..{hi}")
    return factors


def _sprite_coordinates(factors: np.ndarray, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Each pixel's coordinates (u, v), each (n, size, size), in the frame of its sprite and in
    units of the sprite's half-size: the sprite sits at its position and turns by its orientation."""
    import torch

    n = len(factors)
    half = torch.from_numpy(_HALF_SIZE * SCALES[factors[:, 1]]).float().view(n, 1, 1)
    angle = torch.from_numpy(ORIENTATIONS[factors[:, 2]]).float().view(n, 1, 1)
    cx = torch.from_numpy(_CENTRE_LOW + _CENTRE_RANGE * POSITIONS[factors[:, 3]]).float().view(n, 1, 1)
    cy = torch.from_numpy(_CENTRE_LOW + _CENTRE_RANGE * POSITIONS[factors[:, 4]]).float().view(n, 1, 1)
    grid = (torch.arange(size, dtype=torch.float32) + 0.5) / size  # pixel centres in [0, 1]
    dx = grid.view(1, 1, size) - cx  # columns: x grows to the right
    dy = grid.view(1, size, 1) - cy  # rows: y grows downwards
    cos, sin = torch.cos(angle), torch.sin(angle)
    return (cos * dx + sin * dy) / half, (cos * dy - sin * dx) / half


def _square(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    return u.abs().maximum(v.abs()) <= 1.0


def _ellipse(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    return u.square() + (2.0 * v).square() <= 1.0  # 2:1, so that its orientation shows


def _heart(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    # the classic heart curve (x^2 + y^2 - 1)^3 <= x^2 y^3 with y pointing up, centred and sized
    # to the same box as the square
    hx, hy = u * 1.15, -(v * 1.15) + 0.12
    return (hx.square() + hy.square() - 1.0).pow(3) <= hx.square() * hy.pow(3)


def _render_chunk(factors: np.ndarray, size: int) -> torch.Tensor:
    """Binary images (n, 1, size, size): each sprite tests only its own shape's inequality."""
    import torch

    out = torch.empty(len(factors), 1, size, size)
    for shape, inside in enumerate((_square, _ellipse, _heart)):
        rows = np.flatnonzero(factors[:, 0] == shape)
        if len(rows):
            out[torch.from_numpy(rows), 0] = inside(*_sprite_coordinates(factors[rows], size)).to(torch.float32)
    return out


class ShapesFactors:
    """The full grid of 737,280 sprites, rendered from factor vectors (a FactorSource)."""

    factor_names = FACTOR_NAMES
    factor_sizes = FACTOR_SIZES
    n_images = N_IMAGES

    def sample_factors(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` factor vectors (n, 5), each factor uniform over its values."""
        return np.stack([rng.integers(0, s, size=n) for s in FACTOR_SIZES], axis=1).astype(np.int64)

    def render(self, factors: np.ndarray) -> torch.Tensor:
        """Binary images (n, 1, 64, 64) float32 of factor vectors (n, 5)."""
        import torch

        from genlab.data.sdf import render_threads

        factors = _check_factors(factors)
        out = torch.empty(len(factors), 1, SIZE, SIZE)
        with render_threads():
            for start in range(0, len(factors), _CHUNK):
                out[start : start + _CHUNK] = _render_chunk(factors[start : start + _CHUNK], SIZE)
        return out

    def images(self, index: np.ndarray | int) -> torch.Tensor:
        """Images (n, 1, 64, 64) of grid indices (n,)."""
        return self.render(index_to_factors(index))


class Shapes:
    """The registered data set: a seeded draw of distinct sprites from the grid, with their factors."""

    def __init__(self, n_train: int = 50_000, n_test: int = 10_000, seed: int = 0, name: str = "shapes") -> None:
        if n_train + n_test > N_IMAGES:
            raise DataError(f"{name}: n + test = {n_train + n_test:,} is more than the {N_IMAGES:,} images in the grid")
        self.name = name
        self.n_train, self.n_test, self.seed = n_train, n_test, seed
        self.factors = ShapesFactors()

    @classmethod
    def from_options(cls, text: str) -> Shapes:
        """``shapes:n=N,test=M,seed=S``: N training and M test images drawn with seed S."""
        name = f"shapes:{text}"
        options = parse_options(text, name)
        check_keys(options, ["n", "test", "seed"], name)
        return cls(
            positive_int(options, "n", name, 50_000),
            positive_int(options, "test", name, 10_000),
            positive_int(options, "seed", name, 0, minimum=0),
            name,
        )

    def info(self) -> SourceInfo:
        return SourceInfo(self.name, "images", f"1x{SIZE}x{SIZE}", self.n_train, self.n_test, "procedural", True)

    def indices(self) -> tuple[np.ndarray, np.ndarray]:
        """The grid indices of the train and test images: distinct, drawn with the seed."""
        rng = np.random.default_rng([self.seed, 0x5A7E5])
        chosen = rng.choice(N_IMAGES, size=self.n_train + self.n_test, replace=False)
        return chosen[: self.n_train], chosen[self.n_train :]

    def sizes(self) -> tuple[int, int]:
        return self.n_train, self.n_test

    def load_at(self, part: str, index: torch.Tensor, resize: int | None = None) -> Dataset:
        """The sprites at positions ``index`` of the train or test draw, rendered alone."""
        import torch

        from genlab.data.dataset import Dataset

        factors = index_to_factors(self.indices()[part_number(part)][index.numpy()])
        if resize is None or resize == SIZE:
            x, bits = self.factors.render(factors), 1  # binary
        else:
            x, bits = _render_resized(factors, resize), 8  # anti-aliased, so gray levels
        return Dataset(x, None, None, bits, torch.from_numpy(factors), FACTOR_NAMES)

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset | None]:
        return load_every(self, resize)


def _render_resized(factors: np.ndarray, size: int) -> torch.Tensor:
    """Sprites rendered at 64x64 and resized to ``size`` (anti-aliased, on the 8-bit grid)."""
    import torch

    from genlab.data.transforms import resize

    full = ShapesFactors()
    out = torch.empty(len(factors), 1, size, size)
    for start in range(0, len(factors), _CHUNK):
        out[start : start + _CHUNK] = resize(full.render(factors[start : start + _CHUNK]), size, 8)
    return out
