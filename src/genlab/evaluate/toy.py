"""Exact distances between samples of low-dimensional distributions (the GAN toys).

Pure functions of arrays (N, D) (or (N,) in 1-D) returning floats:

- :func:`wasserstein1`: the 1-D earth mover's distance between two empirical distributions;
- :func:`ks`: the two-sample Kolmogorov-Smirnov statistic (largest gap between the CDFs), 1-D;
- :func:`mmd`: the unbiased squared maximum mean discrepancy with a Gaussian kernel;
- :func:`modes_covered`: how many mixture components the samples reach (Srivastava et al. 2017:
  a mode counts when at least ``min_count`` samples lie within 3 standard deviations of it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats
from scipy.spatial.distance import cdist


def _as_1d(a: Any, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1:
        raise ValueError(f"{name} needs 1-D samples shaped (N,) or (N, 1), got {a.shape}")
    return a


def wasserstein1(a: Any, b: Any) -> float:
    """W1 between the empirical distributions of 1-D samples a and b (same units as the data)."""
    return float(stats.wasserstein_distance(_as_1d(a, "wasserstein1"), _as_1d(b, "wasserstein1")))


def ks(a: Any, b: Any) -> float:
    """The two-sample Kolmogorov-Smirnov statistic sup_x |F_a(x) - F_b(x)| of 1-D samples, in [0, 1]."""
    return float(stats.ks_2samp(_as_1d(a, "ks"), _as_1d(b, "ks")).statistic)


def mmd(x: Any, y: Any, bandwidth: float | None = None) -> float:
    """Unbiased MMD^2 between samples x (N, D) and y (M, D) with k(u, v) = exp(-|u - v|^2 / (2 h^2)).

    ``bandwidth`` h defaults to the median distance between points of x (the median heuristic,
    computed from x alone so that comparisons against one reference share the kernel).
    Near 0 (possibly slightly negative) for equal distributions.
    """
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    x, y = (v[:, None] if v.ndim == 1 else v for v in (x, y))
    n, m = len(x), len(y)
    if n < 2 or m < 2:
        raise ValueError("mmd needs at least 2 samples on each side")
    dxx, dyy, dxy = cdist(x, x, "sqeuclidean"), cdist(y, y, "sqeuclidean"), cdist(x, y, "sqeuclidean")
    if bandwidth is None:
        bandwidth = float(np.sqrt(np.median(dxx[np.triu_indices(n, 1)]))) or 1.0
    gamma = 1.0 / (2 * bandwidth**2)
    kxx, kyy, kxy = np.exp(-gamma * dxx), np.exp(-gamma * dyy), np.exp(-gamma * dxy)
    return float(
        (kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1)) - 2 * kxy.mean()
    )


def modes_covered(samples: Any, centers: Any, std: float, min_count: int = 10) -> dict[str, float]:
    """Modes reached by samples (N, D) of a mixture with ``centers`` (K, D) and component ``std``.

    Each sample belongs to its nearest center; it is of high quality when within 3 std of it. A mode
    is covered when at least ``min_count`` high-quality samples belong to it. Returns
    ``modes_covered`` (count), ``modes_total`` and ``high_quality`` (fraction of samples).
    """
    s, c = np.asarray(samples, np.float64), np.asarray(centers, np.float64)
    s = s[:, None] if s.ndim == 1 else s
    d = cdist(s, c)
    nearest, distance = d.argmin(1), d.min(1)
    good = distance <= 3 * std
    counts = np.bincount(nearest[good], minlength=len(c))
    return {
        "modes_covered": int((counts >= min_count).sum()),
        "modes_total": len(c),
        "high_quality": float(good.mean()),
    }


def toy_metrics(
    real: Any, fake: Any, centers: Any | None = None, std: float | None = None, max_mmd: int = 2_000
) -> dict[str, float]:
    """All the distances that apply: W1 and KS in 1-D, MMD^2 always, modes for mixtures.

    MMD uses the first ``max_mmd`` points of each (its cost grows with N^2).
    """
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    result: dict[str, float] = {}
    if real.ndim == 1 or real.shape[1] == 1:
        result["wasserstein1"] = wasserstein1(real, fake)
        result["ks"] = ks(real, fake)
    result["mmd"] = mmd(real[:max_mmd], fake[:max_mmd])
    if centers is not None and std is not None:
        result |= modes_covered(fake, centers, std, min_count=max(1, round(10 * len(fake) / 2_500)))
    return result
