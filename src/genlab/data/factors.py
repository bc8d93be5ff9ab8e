"""Data sets with known factors of variation, rendered on demand from factor values.

Disentanglement metrics (beta-VAE, FactorVAE, MIG, DCI, SAP) need more than a fixed set of images:
they draw factor values, sometimes with one factor held fixed, and look at the codes of the images
those values produce. A :class:`FactorSource` renders any combination of discrete factor values,
deterministically, the way disentanglement_lib's ground-truth data sets do.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import torch

from genlab.errors import DataError


@runtime_checkable
class FactorSource(Protocol):
    """Images rendered from discrete factor values.

    ``factor_sizes[i]`` is how many values factor ``i`` takes; a factor vector holds one integer
    index per factor, ``0 <= f[i] < factor_sizes[i]`` (continuous attributes are quantized to
    levels for this interface).
    """

    factor_names: tuple[str, ...]
    factor_sizes: tuple[int, ...]

    def sample_factors(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` factor vectors (n, F) int64, each drawn the way the data set draws its examples."""
        ...

    def render(self, factors: np.ndarray) -> torch.Tensor:
        """Images (n, C, H, W) float32 in [0, 1] for factor vectors (n, F); the same input, the same images."""
        ...


@runtime_checkable
class RenderedSource(Protocol):
    """A data source whose examples are rendered from known factors (``shapes``, ``faces``)."""

    factors: FactorSource


@runtime_checkable
class Resizable(Protocol):
    """A factor source that draws natively at any size (sharper than resizing its images)."""

    def at_size(self, size: int) -> FactorSource: ...


def source_factors(source: object) -> FactorSource | None:
    """The factor source of a data source, or None when its examples have no known factors."""
    return source.factors if isinstance(source, RenderedSource) and isinstance(source.factors, FactorSource) else None


class _Resized:
    """A factor source whose images are resized to ``size`` x ``size`` (anti-aliased, 8-bit grid)."""

    def __init__(self, inner: FactorSource, size: int) -> None:
        self.inner, self.size = inner, size
        self.factor_names, self.factor_sizes = inner.factor_names, inner.factor_sizes

    def sample_factors(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self.inner.sample_factors(n, rng)

    def render(self, factors: np.ndarray) -> torch.Tensor:
        from genlab.data.transforms import resize

        return resize(self.inner.render(factors), self.size, 8)


def factor_source(name: str, resize: int | None = None) -> FactorSource:
    """The factor source of the data set called ``name`` (any ``prefix:options`` form too), rendering
    at the size a run trained on (``resize``, as in its DataSpec); a DataError if it has no known factors."""
    from genlab.data.registry import BUILTINS, get_source

    factors = source_factors(get_source(name))
    if factors is None:
        with_factors = [n for n in BUILTINS if source_factors(get_source(n)) is not None]
        raise DataError(
            f"data set '{name}' has no known factors of variation; disentanglement metrics need one that "
            f"has: {', '.join(with_factors) or 'none is registered'}"
        )
    if resize is None:
        return factors
    return factors.at_size(resize) if isinstance(factors, Resizable) else _Resized(factors, resize)
