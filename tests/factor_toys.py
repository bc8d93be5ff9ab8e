"""Tiny factor sources for tests: known factors, rendered in microseconds, no data branch needed."""

from __future__ import annotations

import itertools

import numpy as np
import torch

from genlab.data.dataset import Dataset
from genlab.data.source import SourceInfo


class PixelFactors:
    """Each factor written into one pixel: image (1, 1, F) with pixel j = f_j / (size_j - 1).

    ``identity`` reads the factor values back, so it is the perfectly disentangled code.
    """

    def __init__(self, sizes: tuple[int, ...] = (3, 5, 4)) -> None:
        self.factor_sizes = tuple(sizes)
        self.factor_names = tuple(f"f{i}" for i in range(len(sizes)))

    def sample_factors(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return np.stack([rng.integers(s, size=n) for s in self.factor_sizes], axis=1).astype(np.int64)

    def render(self, factors: np.ndarray) -> torch.Tensor:
        scale = torch.tensor([max(1, s - 1) for s in self.factor_sizes], dtype=torch.float32)
        return (torch.from_numpy(np.asarray(factors)).float() / scale).view(len(factors), 1, 1, -1)

    def identity(self, images: torch.Tensor) -> np.ndarray:
        scale = np.array([max(1, s - 1) for s in self.factor_sizes], dtype=np.float64)
        return images.flatten(1).double().numpy() * scale


class Blobs:
    """A Gaussian blob on a 12x12 canvas at one of 6 x positions and 6 y positions (36 images).

    A built-in-style data source (``name``, ``info``, ``load``) whose ``factors`` is a
    FactorSource, so runs trained on it can be scored with --disentanglement.
    """

    name = "test-blobs"
    factor_names = ("x", "y")
    factor_sizes = (6, 6)
    side = 12
    repeats = 20  # the training set repeats all 36 images

    @property
    def factors(self) -> Blobs:
        return self

    def sample_factors(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return np.stack([rng.integers(s, size=n) for s in self.factor_sizes], axis=1).astype(np.int64)

    def render(self, factors: np.ndarray) -> torch.Tensor:
        f = torch.from_numpy(np.asarray(factors)).float()
        centers = 2.5 + f * 1.4  # 2.5 .. 9.5
        grid = torch.arange(self.side, dtype=torch.float32)
        dx = (grid[None, :] - centers[:, 0:1]) ** 2  # (N, W)
        dy = (grid[None, :] - centers[:, 1:2]) ** 2  # (N, H)
        image = torch.exp(-(dy[:, :, None] + dx[:, None, :]) / (2 * 1.5**2))
        return image[:, None]

    def all_factors(self) -> np.ndarray:
        return np.array(list(itertools.product(*map(range, self.factor_sizes))), dtype=np.int64)

    def info(self) -> SourceInfo:
        n = len(self.all_factors())
        return SourceInfo(
            self.name, "images", f"1x{self.side}x{self.side}", n * self.repeats, n, "test", True
        )

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset]:
        x = self.render(self.all_factors())
        train, test = Dataset(x.repeat(self.repeats, 1, 1, 1)), Dataset(x.clone())
        return (train.resized(resize), test.resized(resize)) if resize else (train, test)
