"""Toy distributions for GANs and density illustrations: exact, procedural, always present.

``toy1d`` is a mixture of three Gaussians on a line, ``toy2d`` a ring of eight Gaussians in the
plane (Metz et al. 2017), ``swissroll`` a noisy 2-D spiral. Each holds 10,000 training points and
an independent draw of 10,000 test points, from fixed seeds, as float vectors (N, D).
Mixtures expose their ``modes`` (centers) and ``mode_std`` so metrics can count covered modes.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from genlab.data.source import SourceInfo
from genlab.errors import DataError

if TYPE_CHECKING:
    from genlab.data.dataset import Dataset

N_POINTS = 10_000
TRAIN_SEED, TEST_SEED = 1, 2


class ToySource:
    """A procedural distribution of points; subclasses define ``draw(n, rng)``."""

    name = "toy"
    dims = 1
    description = ""
    modes: np.ndarray | None = None  # (K, D) component centers, for mixtures
    mode_std: float | None = None

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n points (n, D) float32."""
        raise NotImplementedError

    def info(self) -> SourceInfo:
        return SourceInfo(self.name, "vectors", str(self.dims), N_POINTS, N_POINTS, f"procedural: {self.description}", True)

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset | None]:
        from genlab.data.dataset import from_array

        if resize is not None:
            raise DataError(f"--resize applies to images, but {self.name} holds {self.dims}-D points")
        train = self.draw(N_POINTS, np.random.default_rng(TRAIN_SEED))
        test = self.draw(N_POINTS, np.random.default_rng(TEST_SEED))
        return from_array(train, origin=self.name), from_array(test, origin=self.name)


class GaussianMixture(ToySource):
    """Equal-weight isotropic Gaussians with the given centers (K, D) and one standard deviation."""

    def __init__(self, name: str, centers: np.ndarray, std: float, description: str) -> None:
        self.name, self.description = name, description
        self.modes, self.mode_std, self.dims = np.asarray(centers, dtype=np.float64), std, centers.shape[1]

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        assert self.modes is not None and self.mode_std is not None
        component = rng.integers(len(self.modes), size=n)
        points = self.modes[component] + self.mode_std * rng.standard_normal((n, self.dims))
        return points.astype(np.float32)


class SwissRoll(ToySource):
    """A 2-D spiral, t in [1.5 pi, 4.5 pi], (t cos t, t sin t) / 5 plus Gaussian noise of 0.05."""

    name, dims = "swissroll", 2
    description = "2-D swiss roll"

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        t = 1.5 * math.pi * (1 + 2 * rng.random(n))
        points = np.stack([t * np.cos(t), t * np.sin(t)], 1) / 5 + 0.05 * rng.standard_normal((n, 2))
        return points.astype(np.float32)


def ring_centers(k: int = 8, radius: float = 2.0) -> np.ndarray:
    angles = 2 * math.pi * np.arange(k) / k
    return radius * np.stack([np.cos(angles), np.sin(angles)], 1)


TOY1D = GaussianMixture("toy1d", np.array([[-3.0], [0.0], [3.0]]), 0.4, "mixture of 3 Gaussians on a line")
TOY2D = GaussianMixture("toy2d", ring_centers(), 0.05, "ring of 8 Gaussians (radius 2, std 0.05)")
SWISSROLL = SwissRoll()
TOYS = (TOY1D, TOY2D, SWISSROLL)
