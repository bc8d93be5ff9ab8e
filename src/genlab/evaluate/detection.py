"""Outlier detection metrics: pure functions of labels (1 = outlier) and scores (higher = more abnormal).

Each takes arrays shaped (N,) and returns a float; :func:`detection_metrics` gathers them in a dict.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import rankdata

from genlab.errors import DataError


def _check(labels: Any, scores: Any) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels).ravel()
    s = np.asarray(scores, dtype=np.float64).ravel()
    if len(y) != len(s):
        raise DataError(f"{len(y)} labels but {len(s)} scores")
    if len(y) == 0:
        raise DataError("no examples to evaluate")
    if not np.all(np.isin(y, (0, 1))):
        raise DataError("labels must be 0 (inlier) or 1 (outlier)")
    if not np.all(np.isfinite(s)):
        raise DataError("scores must be finite numbers")
    return y.astype(bool), s


def _need_both(y: np.ndarray, metric: str) -> None:
    if y.all() or not y.any():
        raise DataError(f"{metric} needs both inliers and outliers among the labels")


def auroc(labels: Any, scores: Any) -> float:
    """Area under the ROC curve: the chance that a random outlier scores above a random inlier (ties count half).

    Computed from ranks (the Mann-Whitney U statistic), exactly, with tied scores given average ranks.
    """
    y, s = _check(labels, scores)
    _need_both(y, "AUROC")
    ranks = rankdata(s)  # average ranks for ties
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    u = ranks[y].sum() - n_pos * (n_pos + 1) / 2
    return float(u / (n_pos * n_neg))


def auprc(labels: Any, scores: Any) -> float:
    """Area under the precision-recall curve as average precision: sum over thresholds of
    (recall gained) x (precision there), thresholds at each distinct score (as scikit-learn computes it).

    A random detector scores the share of outliers; a perfect one 1.
    """
    y, s = _check(labels, scores)
    _need_both(y, "AUPRC")
    order = np.argsort(-s, kind="stable")
    s_sorted, y_sorted = s[order], y[order]
    # the last position of each run of equal scores: one threshold per distinct score
    last = np.r_[np.nonzero(np.diff(s_sorted))[0], len(s_sorted) - 1]
    true_positives = np.cumsum(y_sorted)[last]
    flagged = last + 1
    precision = true_positives / flagged
    recall = true_positives / y.sum()
    gained = np.diff(np.r_[0.0, recall])
    return float(np.sum(gained * precision))


def precision_at_n(labels: Any, scores: Any, n: int | None = None) -> float:
    """The share of true outliers among the ``n`` highest scores; ``n`` defaults to the number of outliers.

    Ties at the cut are broken by position (earlier examples first), so the value is deterministic.
    """
    y, s = _check(labels, scores)
    n = int(y.sum()) if n is None else n
    if n < 1:
        raise DataError("precision@n needs n >= 1 (and at least one outlier when n is not given)")
    top = np.argsort(-s, kind="stable")[:n]
    return float(y[top].mean())


def detection_metrics(labels: Any, scores: Any, threshold: float | None = None) -> dict[str, Any]:
    """AUROC, AUPRC, precision@n (n = number of outliers), counts, and with ``threshold`` the
    precision, recall and F1 of flagging every score above it."""
    y, s = _check(labels, scores)
    result: dict[str, Any] = {
        "auroc": auroc(y, s),
        "auprc": auprc(y, s),
        "precision_at_n": precision_at_n(y, s),
        "n": len(y),
        "n_outliers": int(y.sum()),
    }
    if threshold is not None:
        flagged = s > threshold
        tp = int((flagged & y).sum())
        precision = tp / flagged.sum() if flagged.any() else 0.0
        recall = tp / y.sum()
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result |= {
            "threshold": float(threshold),
            "n_flagged": int(flagged.sum()),
            "precision": float(precision),
            "recall": float(recall),
            "f1": float(f1),
        }
    return result
