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


def factor_source(name: str) -> FactorSource:
    """The factor source of the data set called ``name``; a DataError if it has no known factors."""
    from genlab.data.registry import BUILTINS, get_source

    source = get_source(name)
    factors = getattr(source, "factors", None)
    if not isinstance(factors, FactorSource):
        with_factors = [n for n, s in BUILTINS.items() if isinstance(getattr(s, "factors", None), FactorSource)]
        raise DataError(
            f"data set '{name}' has no known factors of variation; disentanglement metrics need one that "
            f"has: {', '.join(with_factors) or 'none is registered'}"
        )
    return factors
