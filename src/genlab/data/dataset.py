"""The one in-memory container every model trains on."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from genlab.data.transforms import resize
from genlab.errors import DataError


@dataclass(frozen=True)
class Dataset:
    """Examples held in memory as named tensors, N rows each.

    ``x`` is float32: images shaped (N, C, H, W) with values in [0, 1], vectors shaped (N, D), or
    any other rank, such as sequences of features (N, C, T). ``y`` holds optional int64 labels
    shaped (N,). ``extras`` holds further named arrays of any rank that travel with the examples
    (e.g. ``target``, the paired image of each ``x``); a model trains on :meth:`arrays`, whose names
    are its argument names. ``bits`` is the quantization of the values
    (8 for images stored as bytes) or None for continuous data; likelihoods in bits/dim need it.
    ``factors`` holds each example's known factors of variation or attributes, shaped (N, F)
    (int64 level indices; -1 where unknown, e.g. for the non-faces of a detection set), named by
    ``factor_names``; they travel with the examples through ``subset``, ``resized`` and the
    train/val/test split. ``factor_levels`` optionally names each factor's levels (index -> name),
    as an attributes CSV gives them (``dark``, ``light``); without it a level is shown as its index.
    """

    x: torch.Tensor
    y: torch.Tensor | None = None
    classes: tuple[str, ...] | None = None
    bits: int | None = None
    factors: torch.Tensor | None = None
    factor_names: tuple[str, ...] | None = None
    factor_levels: tuple[tuple[str, ...], ...] | None = None
    extras: Mapping[str, torch.Tensor] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.x.dim() < 2:
            raise DataError(f"data must be shaped (N, ...) with one row per example, got {tuple(self.x.shape)}")
        if self.y is not None and len(self.y) != len(self.x):
            raise DataError(f"{len(self.x)} examples but {len(self.y)} labels")
        for name, values in self.extras.items():
            if name in ("x", "y") or not name.isidentifier():
                raise DataError(f"an extra array needs a name other than x and y that is a Python identifier, got {name!r}")
            if len(values) != len(self.x):
                raise DataError(f"{len(self.x)} examples but {len(values)} rows of '{name}'")
        if (self.factors is None) != (self.factor_names is None):
            raise DataError("factors and factor_names come together: give both or neither")
        if self.factors is not None and self.factor_names is not None:
            if self.factors.dim() != 2 or len(self.factors) != len(self.x):
                raise DataError(f"factors must be shaped (N, F) = ({len(self.x)}, F), got {tuple(self.factors.shape)}")
            if self.factors.shape[1] != len(self.factor_names):
                raise DataError(f"{self.factors.shape[1]} factors per example but {len(self.factor_names)} factor names")
        if self.factor_levels is not None and (self.factor_names is None or len(self.factor_levels) != len(self.factor_names)):
            raise DataError("factor_levels needs one tuple of level names per factor name")

    def __len__(self) -> int:
        return len(self.x)

    @property
    def is_image(self) -> bool:
        return self.x.dim() == 4

    @property
    def example_shape(self) -> tuple[int, ...]:
        return tuple(self.x.shape[1:])

    def arrays(self) -> dict[str, torch.Tensor]:
        """The named arrays a model trains on: ``x``, ``y`` when there are labels, and the extras."""
        named = {"x": self.x} | ({} if self.y is None else {"y": self.y})
        return named | dict(self.extras)

    def resized(self, size: int) -> Dataset:
        """The same images (and image-shaped extras) resized to ``size`` x ``size``."""
        if not self.is_image:
            raise DataError("--resize applies to images, but this data set holds vectors")
        extras = {k: resize(v, size, self.bits) if v.dim() == 4 and v.is_floating_point() else v for k, v in self.extras.items()}
        return replace(self, x=resize(self.x, size, self.bits), extras=extras)

    def subset(self, index: torch.Tensor | slice) -> Dataset:
        """The examples at ``index`` (a LongTensor of positions or a slice), with their labels, factors and extras."""
        return replace(
            self,
            x=self.x[index],
            y=None if self.y is None else self.y[index],
            factors=None if self.factors is None else self.factors[index],
            extras={name: values[index] for name, values in self.extras.items()},
        )

    def factor(self, name: str) -> torch.Tensor:
        """The values (N,) of the factor called ``name``; a DataError names the known ones."""
        if self.factors is None or self.factor_names is None:
            raise DataError(f"this data set has no known factors, so none called '{name}'")
        if name not in self.factor_names:
            raise DataError(f"no factor '{name}'; this data set has: {', '.join(self.factor_names)}")
        return self.factors[:, self.factor_names.index(name)]

    def level_name(self, name: str, level: int) -> str:
        """How to show ``level`` of factor ``name``: its name where known (``dark``), else the index."""
        if self.factor_levels is None or self.factor_names is None or name not in self.factor_names:
            return str(level)
        levels = self.factor_levels[self.factor_names.index(name)]
        return levels[level] if 0 <= level < len(levels) else str(level)


def concatenate(a: Dataset, b: Dataset) -> Dataset:
    """The examples of ``a`` followed by those of ``b`` (two parts of one data set)."""
    if a.example_shape != b.example_shape:
        raise DataError(f"cannot join examples shaped {a.example_shape} and {b.example_shape}")
    if (a.y is None) != (b.y is None) or (a.factors is None) != (b.factors is None) or set(a.extras) != set(b.extras):
        raise DataError("cannot join a part with labels, factors or extra arrays to a part without")
    return replace(
        a,
        x=torch.cat([a.x, b.x]),
        y=None if a.y is None or b.y is None else torch.cat([a.y, b.y]),
        factors=None if a.factors is None or b.factors is None else torch.cat([a.factors, b.factors]),
        extras={name: torch.cat([values, b.extras[name]]) for name, values in a.extras.items()},
    )


def from_array(
    x: np.ndarray,
    y: np.ndarray | None = None,
    *,
    origin: str,
    classes: tuple[str, ...] | None = None,
    factors: np.ndarray | None = None,
    factor_names: tuple[str, ...] | None = None,
    factor_levels: tuple[tuple[str, ...], ...] | None = None,
) -> Dataset:
    """Build a :class:`Dataset` from a NumPy array, checking what it holds.

    Accepts uint8 images (N, H, W), (N, H, W, C) or (N, C, H, W), float images already in
    [0, 1], or float vectors (N, D). ``origin`` names the file in error messages. Optional
    ``factors`` (N, F) with ``factor_names`` (and optionally ``factor_levels``) are each example's
    known attributes.
    """
    x = np.asarray(x)
    if x.size == 0 or len(x) == 0:
        raise DataError(f"{origin} holds no examples")
    if x.dtype.kind not in "biuf":
        raise DataError(f"{origin}: values must be numbers, got dtype {x.dtype}")
    if x.ndim == 3:
        x = x[:, None]
    elif x.ndim == 4 and x.shape[-1] in (1, 3, 4) and x.shape[1] not in (1, 3, 4):
        x = np.transpose(x, (0, 3, 1, 2))
    elif x.ndim not in (2, 4):
        raise DataError(
            f"{origin}: expected images (N, H, W), (N, H, W, C), (N, C, H, W) or vectors (N, D), "
            f"got shape {x.shape}"
        )
    if x.ndim == 4 and x.shape[1] == 4:
        x = x[:, :3]  # drop alpha
    bits: int | None = None
    if x.dtype == np.uint8:
        values = torch.from_numpy(x.astype(np.float32)).div_(255.0)
        bits = 8
    else:
        # no copy when the array already is writable float32 (as np.load returns it)
        values = torch.from_numpy(np.require(x, dtype=np.float32, requirements=["C", "W"]))
        low, high = (float(v) for v in torch.aminmax(values))  # NaN propagates; one pass, no mask copy
        if not (math.isfinite(low) and math.isfinite(high)):
            bad = int((~torch.isfinite(values)).sum())
            raise DataError(f"{origin}: {bad} values are NaN or infinite; clean or impute them first")
        if values.dim() == 4 and (low < 0 or high > 1):
            raise DataError(
                f"{origin}: float images must lie in [0, 1] (found {low:.3g} to {high:.3g}); "
                "store them as uint8 or rescale them"
            )
    labels = None
    if y is not None:
        y = np.asarray(y)
        if y.ndim != 1 or y.dtype.kind not in "biu":
            raise DataError(f"{origin}: labels must be integers shaped (N,), got {y.dtype} {y.shape}")
        if len(y) != len(x):
            raise DataError(f"{origin}: {len(x)} examples but {len(y)} labels")
        labels = torch.from_numpy(y.astype(np.int64))
    factor_values = None if factors is None else torch.from_numpy(np.ascontiguousarray(factors))
    return Dataset(values, labels, classes, bits, factor_values, factor_names, factor_levels)
