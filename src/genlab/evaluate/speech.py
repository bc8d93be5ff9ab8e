"""Distances between two renditions of the same sentence: mel-cepstral distortion after dynamic
time warping, and F0 error, as voice conversion papers report them.

    dtw_path             the cheapest monotone alignment of two frame sequences
    mel_cepstral_distortion   MCD in dB over aligned frames, c0 and silent frames left out
    f0_error             RMSE (Hz) and correlation of F0 on frames voiced in both, after alignment
    word_error_rate      word-level edit distance of a transcript to the reference, per reference word

MCD (Kubichek 1993) of mel-cepstra c and c' (SPTK's definition, see genlab.data.world) is
(10 / ln 10) * sqrt(2 * sum_{d >= 1} (c_d - c'_d)^2) per frame, averaged over the frames of the
warping path. c0 (the frame's energy) is left out, as is every frame of either utterance more
than ``silence_db`` below its loudest frame (silence would otherwise dominate the average).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MCD_SCALE = 10.0 / np.log(10.0) * np.sqrt(2.0)


def dtw_path(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the minimum-cost path through ``cost`` (N, M) from (0, 0) to
    (N - 1, M - 1) with steps (1, 0), (0, 1) and (1, 1), each cell's cost counted once.

    The accumulated cost is filled one anti-diagonal at a time (each depends on the two before it),
    so the work is N + M vector operations rather than N * M Python steps.
    """
    n, m = cost.shape
    total = np.full((n + 1, m + 1), np.inf)
    total[0, 0] = 0.0
    for k in range(2, n + m + 1):  # cells (i, j), 1-based, with i + j = k
        i = np.arange(max(1, k - m), min(n, k - 1) + 1)
        j = k - i
        best = np.minimum(np.minimum(total[i - 1, j], total[i, j - 1]), total[i - 1, j - 1])
        total[i, j] = cost[i - 1, j - 1] + best
    rows, cols = [n - 1], [m - 1]
    i, j = n, m
    while (i, j) != (1, 1):
        steps = ((i - 1, j - 1), (i - 1, j), (i, j - 1))
        i, j = min(steps, key=lambda ij: total[ij])
        rows.append(i - 1)
        cols.append(j - 1)
    return np.array(rows[::-1]), np.array(cols[::-1])


def loud_frames(c0: np.ndarray, silence_db: float) -> np.ndarray:
    """Which frames are within ``silence_db`` of the loudest, judged by c0 (the log amplitude's
    mean, in nepers: 20 / ln 10 dB each)."""
    level_db = c0 * 20.0 / np.log(10.0)
    return level_db >= level_db.max() - silence_db


@dataclass(frozen=True)
class Aligned:
    """Frame indices of two utterances paired along their warping path (silent frames left out)."""

    rows: np.ndarray
    cols: np.ndarray


def align(mc_a: np.ndarray, mc_b: np.ndarray, silence_db: float = 40.0) -> Aligned:
    """DTW alignment of two mel-cepstrum sequences (T, D + 1) on their c1.. distance, after leaving
    out the silent frames of each."""
    keep_a, keep_b = np.flatnonzero(loud_frames(mc_a[:, 0], silence_db)), np.flatnonzero(loud_frames(mc_b[:, 0], silence_db))
    a, b = mc_a[keep_a, 1:], mc_b[keep_b, 1:]
    cost = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
    rows, cols = dtw_path(cost)
    return Aligned(keep_a[rows], keep_b[cols])


def mel_cepstral_distortion(mc_a: np.ndarray, mc_b: np.ndarray, silence_db: float = 40.0,
                            aligned: Aligned | None = None) -> float:  # fmt: skip
    """MCD in dB between two renditions (T, D + 1) of one sentence, DTW-aligned unless ``aligned`` is given."""
    pair = aligned or align(mc_a, mc_b, silence_db)
    diff = mc_a[pair.rows, 1:] - mc_b[pair.cols, 1:]
    return float(MCD_SCALE * np.sqrt((diff**2).sum(-1)).mean())


def f0_error(f0_a: np.ndarray, f0_b: np.ndarray, aligned: Aligned) -> dict[str, float]:
    """RMSE in Hz and Pearson correlation of F0 over the aligned frames voiced in both, and how
    many such frames there were (correlation is NaN under 2)."""
    a, b = f0_a[aligned.rows], f0_b[aligned.cols]
    both = (a > 0) & (b > 0)
    a, b = a[both], b[both]
    if len(a) == 0:
        return {"f0_rmse_hz": float("nan"), "f0_corr": float("nan"), "voiced_frames": 0}
    corr = float(np.corrcoef(a, b)[0, 1]) if len(a) >= 2 and a.std() > 0 and b.std() > 0 else float("nan")
    return {"f0_rmse_hz": float(np.sqrt(np.mean((a - b) ** 2))), "f0_corr": corr, "voiced_frames": len(a)}


def words(text: str) -> list[str]:
    """Lower-case words of ``text``, punctuation dropped (as recognizers write them)."""
    return "".join(c if c.isalnum() or c in "' " else " " for c in text.lower()).split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, by edit distance over words."""
    ref, hyp = words(reference), words(hypothesis)
    if not ref:
        raise ValueError("the word error rate needs a reference with at least one word")
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1] / len(ref)
