"""A fitted detector as a run folder, without pickle.

    RUN/config.json              the run config every genlab run has (model, model_config, data,
                                 train) plus a "detector" section: parameters, threshold, input shape
    RUN/model.safetensors        the generative model's weights (``genlab.run.Run.load_model`` reads them)
    RUN/background.safetensors   the background model's weights (outlier_score="ratio" only)
    RUN/detector.safetensors     training scores, standardization mean and scale, constant columns
    RUN/detect_fit.json          the summary of ``genlab detect fit``
    RUN/detect_scores.json       the results of the last ``genlab detect score``
    RUN/detect_heatmaps.png      the most unusual images above their error maps (image detectors)
    RUN/report.html              the detector's report (:mod:`genlab.detect.report`)

Every file name a detector adds to a run folder is a name here.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genlab.data.splits import DataSpec
from genlab.device import resolve_device
from genlab.errors import RunError
from genlab.io import read_safetensors, write_json, write_safetensors
from genlab.models.registry import build_model
from genlab.run import Run, RunConfig

BACKGROUND = "background.safetensors"
STATE = "detector.safetensors"
FIT_JSON = "detect_fit.json"
SCORES_JSON = "detect_scores.json"
HEATMAPS = "detect_heatmaps.png"
FORMAT = "genlab-detector/1"


def save_detector(detector: Any, path: str | Path, data: str = "array", overwrite: bool = False,
                  extra: dict[str, Any] | None = None) -> Run:  # fmt: skip
    """Write the fitted ``detector`` into a new run folder at ``path``; ``extra`` is kept in config.json."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(detector, "threshold_")
    config = RunConfig(detector.model_name_, detector.model_config_, DataSpec(data), detector.train_config_)
    run = Run.create(path, config, overwrite=overwrite, resumable=False)
    params = detector.get_params()
    params["random_state"] = detector.seed_  # an int, whatever was passed: the fitted model's seed
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
    section = {
        "format": FORMAT,
        "class": type(detector).__name__,
        "params": params,
        "kind": detector.kind_,
        "input_shape": list(detector.input_shape_),
        "n_features_in": detector.n_features_in_,
        "seed": detector.seed_,
        "threshold": detector.threshold_,
        "fit_seconds": round(detector.fit_seconds_, 3),
        "n_train": len(detector.decision_scores_),
        **(extra or {}),
    }
    write_json(run.config_path, config.to_dict() | {"detector": section})
    write_safetensors(run.weights_path, detector.model_.state_dict(), {"format": "genlab-weights/1"})
    if detector.background_ is not None:
        write_safetensors(run.path / BACKGROUND, detector.background_.state_dict(), {"format": "genlab-weights/1"})
    state = {"decision_scores": torch.from_numpy(detector.decision_scores_),
             "constant_columns": torch.from_numpy(np.asarray(detector.constant_columns_, dtype=np.int64))}  # fmt: skip
    if detector.mean_ is not None:
        state |= {"mean": torch.from_numpy(detector.mean_), "scale": torch.from_numpy(detector.scale_)}
    write_safetensors(run.path / STATE, state, {"format": FORMAT})
    return run


def detector_section(run: Run) -> dict[str, Any]:
    """The "detector" section of a run's config.json; a RunError if the run holds no detector."""
    run.require()
    values = run.read_json(run.config_path)
    if not values or "detector" not in values:
        raise RunError(f"{run.path} is a genlab run but not an outlier detector; fit one with `genlab detect fit`")
    return values["detector"]


def load_detector(path: str | Path, device: str, classes: dict[str, type]) -> Any:
    """The detector saved at ``path``, ready to score (its models on ``device``); ``classes`` are the
    detector classes by name, the first the one used when the saved class is unknown."""
    run = Run(path)
    section = detector_section(run)
    config = run.load_config()
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in section["params"].items()}
    if "score" in params:
        params["outlier_score"] = params.pop("score")  # saved before the parameter was renamed
    if "likelihood" not in params and hasattr(config.model_config, "likelihood"):
        params["likelihood"] = config.model_config.likelihood  # saved before the parameter existed
    detector = classes.get(section.get("class"), next(iter(classes.values())))(**params)
    dev = resolve_device(device)
    detector.model_ = run.load_model(dev)
    detector.background_ = None
    if (run.path / BACKGROUND).is_file():
        background = build_model(config.model, config.model_config)
        background.load_state_dict(read_safetensors(run.path / BACKGROUND), strict=True)
        detector.background_ = background.to(dev).eval()
    elif detector.outlier_score == "ratio":
        raise RunError(f"{run.path} scores with 'ratio' but has no {BACKGROUND}; fit the detector again")
    if not (run.path / STATE).is_file():
        raise RunError(f"{run.path} has no {STATE}; fit the detector again")
    state = read_safetensors(run.path / STATE)
    detector.kind_ = section["kind"]
    detector.input_shape_ = tuple(section["input_shape"])
    detector.n_features_in_ = section["n_features_in"]
    detector.seed_ = section["seed"]
    detector.model_name_, detector.model_config_, detector.train_config_ = config.model, config.model_config, config.train
    detector.decision_scores_ = state["decision_scores"].double().numpy()
    detector.threshold_ = float(section["threshold"])
    detector.labels_ = (detector.decision_scores_ > detector.threshold_).astype(np.int64)
    detector.mean_ = state["mean"].numpy() if "mean" in state else None
    detector.scale_ = state["scale"].numpy() if "scale" in state else None
    detector.constant_columns_ = state["constant_columns"].numpy()
    detector._mu, detector._sigma = float(detector.decision_scores_.mean()), float(detector.decision_scores_.std())
    detector.fit_seconds_ = float(section.get("fit_seconds", math.nan))
    return detector
