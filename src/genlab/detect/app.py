"""What ``genlab detect fit`` and ``genlab detect score`` do: data in, run folder and scores out.

Data comes through genlab's data registry (files by their ending: ``.csv``, ``.mat``, ``.npz``;
folders; built-in sets). Labels are used for evaluation only: with ``normal_class`` the examples
of other classes are the outliers; otherwise labels that are all 0 or 1 mark outliers with 1.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genlab.data.dataset import Dataset
from genlab.data.registry import get_source, source_name
from genlab.detect.detector import GenerativeOutlierDetector
from genlab.detect.persist import FIT_JSON, HEATMAPS, SCORES_JSON, detector_section
from genlab.detect.report import write_detect_report
from genlab.errors import ConfigError, DataError
from genlab.evaluate.detection import detection_metrics
from genlab.io import check_output_path, write_json, write_text
from genlab.progress import ProgressFn
from genlab.run import Run
from genlab.viz.grid import save_grid
from genlab.viz.heatmap import heatmap_pairs

log = logging.getLogger(__name__)


def load_examples(data: str, split: str, limit: int | None = None) -> tuple[Dataset, str]:
    """The examples of ``data`` (a name, PREFIX:PATH or a bare path) in ``split``: train, test or auto."""
    if split not in ("auto", "train", "test"):
        raise ConfigError(f"--split must be auto, train or test, got {split!r}")
    name = source_name(data)
    train, test = get_source(name).load()
    if split == "test" and test is None:
        raise DataError(f"{data} has no test split; use --split train (all of its examples)")
    chosen = test if split == "test" or (split == "auto" and test is not None) else train
    return first_examples(chosen, limit), name


def first_examples(examples: Dataset, limit: int | None) -> Dataset:
    """The first ``limit`` examples (all of them for None); a ConfigError for a limit below 1."""
    if limit is None:
        return examples
    if limit < 1:
        raise ConfigError(f"--limit must be at least 1, got {limit}")
    return examples.subset(slice(0, limit))


def outlier_labels(data: Dataset, normal_class: int | None) -> np.ndarray | None:
    """1 for outliers, 0 for inliers, or None when the data says nothing about it."""
    if data.y is None:
        return None
    y = data.y.numpy()
    if normal_class is not None:
        return (y != normal_class).astype(np.int64)
    return y.astype(np.int64) if np.isin(y, (0, 1)).all() else None


def fit_detector(data: str, out: str | Path, detector: GenerativeOutlierDetector, split: str = "train",
                 normal_class: int | None = None, limit: int | None = None, overwrite: bool = False,
                 progress: ProgressFn | None = None) -> dict[str, Any]:  # fmt: skip
    """Fit ``detector`` (its parameters are the options; it is fitted in place) on ``data`` and save it,
    with its report, as the run folder ``out``."""
    if split not in ("train", "test"):
        raise ConfigError(f"--split must be train or test, got {split!r}")
    examples, name = load_examples(data, split)
    if normal_class is not None:
        if examples.y is None:
            raise DataError(f"{data} has no labels, so --normal-class cannot pick a class")
        keep = torch.nonzero(examples.y == normal_class).flatten()
        if len(keep) == 0:
            raise DataError(f"{data} has no examples of class {normal_class}")
        examples = examples.subset(keep)
    examples = first_examples(examples, limit)  # after the class filter: N examples of the normal class
    detector.fit(examples.x.numpy(), progress=progress)
    extra = {"data_name": data, "split": split, "normal_class": normal_class, "limit": limit}
    run = Run(detector.save(out, data=name, overwrite=overwrite))
    summary: dict[str, Any] = {
        "run": str(run.path),
        "data": data,
        "n": len(examples),
        "kind": detector.kind_,
        "input_shape": list(detector.input_shape_),
        "model": detector.model,
        "score": detector.outlier_score,
        "threshold": detector.threshold_,
        "n_flagged": int(detector.labels_.sum()),
        "fit_seconds": round(detector.fit_seconds_, 3),
    }
    labels = outlier_labels(examples, None) if normal_class is None else None
    if labels is not None and 0 < labels.sum() < len(labels):
        summary["training_metrics"] = detection_metrics(labels, detector.decision_scores_, detector.threshold_)
    _config_extra(run, extra)
    write_json(run.path / FIT_JSON, summary)
    if detector.kind_ == "images":
        save_heatmaps(detector, examples.x, detector.decision_scores_, run.path / HEATMAPS)
    summary["report"] = str(write_detect_report(run))
    return summary


def _config_extra(run: Run, extra: dict[str, Any]) -> None:
    values = run.read_json(run.config_path) or {}
    values["detector"] |= extra
    write_json(run.config_path, values)


def score_detector(run_path: str | Path, data: str, out: str | Path, split: str = "auto",
                   limit: int | None = None, device: str = "cpu") -> dict[str, Any]:  # fmt: skip
    """Score ``data`` with the detector at ``run_path``; write a CSV of scores to ``out`` and return the results."""
    out = check_output_path(out, (".csv",))
    run = Run(run_path)
    section = detector_section(run)
    detector = GenerativeOutlierDetector.load(run.path, device)
    examples, _ = load_examples(data, split, limit)
    scores = detector.decision_function(examples.x.numpy())
    flags = (scores > detector.threshold_).astype(np.int64)
    labels = outlier_labels(examples, section.get("normal_class"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["index", "score", "outlier"] + (["label"] if labels is not None else []))
    for i, (s, f) in enumerate(zip(scores, flags)):
        writer.writerow([i, repr(float(s)), int(f)] + ([int(labels[i])] if labels is not None else []))
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text(out, buffer.getvalue())
    result: dict[str, Any] = {
        "run": str(run.path),
        "data": data,
        "scores": str(out.resolve()),
        "score": detector.outlier_score,
        "n": len(scores),
        "n_flagged": int(flags.sum()),
        "threshold": detector.threshold_,
    }
    if labels is not None and 0 < labels.sum() < len(labels):
        result |= detection_metrics(labels, scores, detector.threshold_)
    elif labels is not None:
        log.warning("the labels of %s are all %d: no AUROC without both inliers and outliers", data, labels[0])
    write_json(run.path / SCORES_JSON, result)
    if detector.kind_ == "images":
        save_heatmaps(detector, examples.x, scores, run.path / HEATMAPS)
    write_detect_report(run)
    return result


def save_heatmaps(detector: Any, images: torch.Tensor, scores: np.ndarray, path: Path, n: int = 16) -> Path:
    """The ``n`` highest-scoring images above heat maps of their squared reconstruction errors."""
    top = np.argsort(-scores, kind="stable")[:n]
    chosen = images[torch.from_numpy(top.copy())]
    maps = torch.from_numpy(detector.explain(chosen.numpy())).float()
    return save_grid(heatmap_pairs(chosen, maps), path)
