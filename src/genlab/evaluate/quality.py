"""Sample quality: how close generated examples lie to real ones in a feature space.

Pure functions of feature arrays shaped (N, D), computed in float64:

- :func:`frechet_distance`: the Frechet distance between Gaussians fitted to the two feature sets
  (Heusel et al. 2017; FID when the features are Inception-v3 pool3 activations).
- :func:`kernel_distance`: the kernel inception distance (Binkowski et al. 2018), the unbiased MMD^2
  with the cubic polynomial kernel k(x, y) = (x.y / D + 1)^3, averaged over random subsets.
- :func:`precision_recall`: improved precision and recall (Kynkaanniemi et al. 2019): the share of
  generated examples inside the real k-NN manifold, and of real examples inside the generated one.

:func:`sample_quality` takes two image sets and a feature extractor and returns all of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from scipy import linalg

from genlab.errors import ConfigError
from genlab.progress import ProgressFn, silent


def _as_features(x: Any, name: str) -> np.ndarray:
    array = np.asarray(x.detach().cpu() if isinstance(x, torch.Tensor) else x, dtype=np.float64)
    if array.ndim != 2 or len(array) < 2:
        raise ConfigError(f"{name} features must be shaped (N, D) with N >= 2, got {array.shape}")
    if not np.isfinite(array).all():
        raise ConfigError(f"{name} features hold NaN or infinite values; check the images and the feature extractor")
    return array


def _check_pair(real: Any, generated: Any) -> tuple[np.ndarray, np.ndarray]:
    a, b = _as_features(real, "real"), _as_features(generated, "generated")
    if a.shape[1] != b.shape[1]:
        raise ConfigError(f"real and generated features differ in size: {a.shape[1]} vs {b.shape[1]}")
    return a, b


# --- Frechet distance ---------------------------------------------------------------------------


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    """The symmetric square root of a symmetric positive semi-definite matrix (negative round-off clipped)."""
    values, vectors = linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def frechet_distance_from_moments(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2)) between N(mu1, S1) and N(mu2, S2).

    tr (S1 S2)^(1/2) is computed as tr (S1^(1/2) S2 S1^(1/2))^(1/2): the same eigenvalues, but of
    a symmetric PSD matrix, so two symmetric eigendecompositions replace the non-symmetric sqrtm.
    That stays exact and real for singular covariances (fewer examples than dimensions), where
    sqrtm of S1 S2 returns complex parts and needs a diagonal offset.
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2, np.float64))
    root1 = _psd_sqrt((sigma1 + sigma1.T) / 2)
    middle = root1 @ sigma2 @ root1
    eigenvalues = linalg.eigvalsh((middle + middle.T) / 2)
    trace_sqrt = float(np.sqrt(np.clip(eigenvalues, 0.0, None)).sum())
    distance = float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_sqrt)
    return max(distance, 0.0)  # round-off can leave -1e-12 for identical moments


def frechet_distance(real: Any, generated: Any) -> float:
    """The Frechet distance between Gaussians fitted (mean, unbiased covariance) to two (N, D) feature sets.

    With fewer examples than dimensions the covariances have rank < D, and the D x D route wastes
    work: with centered features A (n1, D), B (n2, D), the eigenvalues of S1 S2 are the squared
    singular values of B A^T / sqrt((n1 - 1)(n2 - 1)), so tr (S1 S2)^(1/2) is that matrix's nuclear norm.
    """
    a, b = _check_pair(real, generated)
    if min(len(a), len(b)) >= a.shape[1]:
        return frechet_distance_from_moments(a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False))
    ca, cb = a - a.mean(0), b - b.mean(0)
    scale = (len(a) - 1) * (len(b) - 1)
    trace_sqrt = float(linalg.svdvals(cb @ ca.T).sum() / np.sqrt(scale))
    traces = float((ca**2).sum() / (len(a) - 1) + (cb**2).sum() / (len(b) - 1))
    return max(float(np.sum((a.mean(0) - b.mean(0)) ** 2)) + traces - 2.0 * trace_sqrt, 0.0)


# --- kernel distance (KID) ----------------------------------------------------------------------


def _polynomial_mmd2(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 between equal-size samples x, y (m, D) with k(a, b) = (a.b / D + 1)^3."""
    m, dims = x.shape
    k_xx = (x @ x.T / dims + 1.0) ** 3
    k_yy = (y @ y.T / dims + 1.0) ** 3
    k_xy = (x @ y.T / dims + 1.0) ** 3
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2.0 * k_xy.mean())


def kernel_distance(
    real: Any, generated: Any, subsets: int = 100, subset_size: int = 1000, random_state: int | np.random.Generator = 0
) -> dict[str, float]:
    """KID: the unbiased polynomial-kernel MMD^2 averaged over ``subsets`` random subsets.

    Each subset draws ``subset_size`` examples (at most the smaller set's size) from each side
    without replacement. Returns ``kid`` (the mean; unbiased, so it can be slightly negative when
    the two sets come from one distribution), ``kid_std`` (the standard deviation over subsets)
    and ``kid_subset_size``.
    """
    a, b = _check_pair(real, generated)
    if subsets < 1:
        raise ConfigError(f"the number of KID subsets must be at least 1, got {subsets}")
    m = min(subset_size, len(a), len(b))
    if m < 2:
        raise ConfigError(f"KID needs subsets of at least 2 examples, got {m}")
    rng = np.random.default_rng(random_state)
    values = [
        _polynomial_mmd2(a[rng.choice(len(a), m, replace=False)], b[rng.choice(len(b), m, replace=False)])
        for _ in range(subsets)
    ]
    return {"kid": float(np.mean(values)), "kid_std": float(np.std(values)), "kid_subset_size": m}


# --- precision and recall -----------------------------------------------------------------------


def _kth_neighbour_radii(x: torch.Tensor, k: int, chunk: int) -> torch.Tensor:
    """Distance of each row of x to its k-th nearest other row."""
    radii = []
    for start in range(0, len(x), chunk):
        d = torch.cdist(x[start : start + chunk], x)
        radii.append(d.kthvalue(k + 1, dim=1).values)  # the smallest distance is the point itself
    return torch.cat(radii)


def _inside_manifold(points: torch.Tensor, support: torch.Tensor, radii: torch.Tensor, chunk: int) -> torch.Tensor:
    """For each point: does it lie within radii[j] of some support[j]?"""
    inside = []
    for start in range(0, len(points), chunk):
        d = torch.cdist(points[start : start + chunk], support)
        inside.append((d <= radii[None, :]).any(dim=1))
    return torch.cat(inside)


def precision_recall(real: Any, generated: Any, k: int = 3, chunk: int = 1024) -> dict[str, float]:
    """Improved precision and recall (Kynkaanniemi et al. 2019) with k-NN manifolds.

    The real manifold is the union of balls around each real example with radius the distance to
    its k-th nearest real neighbour; likewise for the generated one. ``precision`` is the share of
    generated examples inside the real manifold (are samples realistic?), ``recall`` the share of
    real examples inside the generated manifold (is the variety of the data covered?).
    """
    a, b = _check_pair(real, generated)
    if not 1 <= k < min(len(a), len(b)):
        raise ConfigError(f"k must be at least 1 and less than both set sizes ({len(a)}, {len(b)}), got {k}")
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    real_radii = _kth_neighbour_radii(ta, k, chunk)
    generated_radii = _kth_neighbour_radii(tb, k, chunk)
    precision = _inside_manifold(tb, ta, real_radii, chunk).double().mean()
    recall = _inside_manifold(ta, tb, generated_radii, chunk).double().mean()
    return {"precision": float(precision), "recall": float(recall), "k": k}


# --- everything from two image sets -------------------------------------------------------------


def sample_quality(
    real: torch.Tensor,
    generated: torch.Tensor,
    extractor: Callable[[torch.Tensor], np.ndarray],
    *,
    k: int = 3,
    kid_subsets: int = 100,
    kid_subset_size: int = 1000,
    random_state: int = 0,
    progress: ProgressFn | None = None,
) -> dict[str, Any]:
    """FD, KID, precision and recall of ``generated`` against ``real`` in the extractor's feature space.

    ``real`` and ``generated`` are examples shaped alike, e.g. images (N, C, H, W) in [0, 1];
    ``extractor`` maps them to (N, D) features (see genlab.evaluate.features) and names itself in
    ``extractor.name``. Returns ``fd``, ``kid``, ``kid_std``, ``precision``, ``recall``, the
    feature extractor's name and size, the sample counts and ``seconds`` spent on each part.
    ``progress`` hears about the features (in examples) and the three distances.
    """
    if tuple(real.shape[1:]) != tuple(generated.shape[1:]):
        raise ConfigError(
            f"real and generated examples differ in shape: {tuple(real.shape[1:])} vs {tuple(generated.shape[1:])}"
        )
    report = progress or silent
    seconds: dict[str, float] = {}
    n = len(real) + len(generated)
    start = time.perf_counter()
    report("quality: features", 0, n)
    real_features = extractor(real)
    report("quality: features", len(real), n)
    generated_features = extractor(generated)
    report("quality: features", n, n)
    seconds["features"] = time.perf_counter() - start

    start = time.perf_counter()
    fd = frechet_distance(real_features, generated_features)
    seconds["fd"] = time.perf_counter() - start
    report("quality: FD, KID, precision/recall", 1, 3)

    start = time.perf_counter()
    kid = kernel_distance(real_features, generated_features, kid_subsets, kid_subset_size, random_state)
    seconds["kid"] = time.perf_counter() - start
    report("quality: FD, KID, precision/recall", 2, 3)

    start = time.perf_counter()
    pr = precision_recall(real_features, generated_features, k)
    seconds["precision_recall"] = time.perf_counter() - start
    report("quality: FD, KID, precision/recall", 3, 3)

    return {
        "fd": fd,
        **kid,
        **pr,
        "feature_extractor": getattr(extractor, "name", type(extractor).__name__),
        "feature_dim": int(real_features.shape[1]),
        "n_real": len(real),
        "n_generated": len(generated),
        "seconds": {key: round(value, 3) for key, value in seconds.items()},
    }
