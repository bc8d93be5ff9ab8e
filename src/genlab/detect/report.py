"""The self-contained HTML report of an outlier detector's run folder.

Training scores with the threshold, the last scoring (metrics and scores by label), heat maps of
the most unusual images, and the config; built from the same pieces as the training report.
"""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from genlab.detect.persist import FIT_JSON, HEATMAPS, SCORES_JSON, STATE, detector_section
from genlab.io import read_safetensors, write_text
from genlab.report.html import data_uri, figure_png, image_figure, key_value_table, page
from genlab.run import Run


def _histogram_png(train: np.ndarray, threshold: float, scored: dict[str, np.ndarray] | None) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.2))
    every = [train] + (list(scored.values()) if scored else [])
    bins = np.histogram_bin_edges(np.concatenate(every), bins=50)
    ax.hist(train, bins=bins, alpha=0.5, density=True, label="training data")
    for name, values in (scored or {}).items():
        ax.hist(values, bins=bins, histtype="step", density=True, linewidth=1.5, label=name)
    ax.axvline(threshold, color="crimson", linestyle="--", label="threshold")
    ax.set_xlabel("outlier score (higher = more abnormal)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return figure_png(fig)


def _scored_by_label(path: Path) -> dict[str, np.ndarray] | None:
    """Scores of the last `genlab detect score`, split by label when the CSV has them."""
    if not path.is_file():
        return None
    rows = np.genfromtxt(path, delimiter=",", names=True)
    rows = np.atleast_1d(rows)
    if "label" in rows.dtype.names:
        return {"scored inliers": rows["score"][rows["label"] == 0], "scored outliers": rows["score"][rows["label"] == 1]}
    return {"scored data": rows["score"]}


def render_detect_report(run: Run) -> str:
    """The detector's report as one HTML string with every image embedded."""
    config = json.loads(run.config_path.read_text())
    section = detector_section(run)
    fit = run.read_json(run.path / FIT_JSON) or {}
    scored = run.read_json(run.path / SCORES_JSON)
    train_scores = read_safetensors(run.path / STATE)["decision_scores"].numpy()
    params = section.get("params", {})
    score_name = params.get("outlier_score", params.get("score"))  # "score" in runs saved before the rename
    parts = [
        f"<h1>{html.escape(run.path.name)}</h1>",
        (f"<p class='sub'>outlier detector: {html.escape(str(params.get('model')))} scoring by "
        f"{html.escape(str(score_name))} on {html.escape(str(section.get('data_name', config['data']['name'])))} · "
        f"report written {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · genlab {html.escape(config.get('genlab_version', '?'))}</p>"),
        "<h2>Fit</h2>",
        key_value_table({k: v for k, v in fit.items() if k not in ("training_metrics", "report", "run")}),
    ]
    if fit.get("training_metrics"):
        parts.append("<h3>Training data against its labels</h3>" + key_value_table(fit["training_metrics"]))
    if scored:
        parts.append("<h2>Last scoring</h2>" + key_value_table({k: v for k, v in scored.items() if k != "run"}))
    csv_scores = _scored_by_label(Path(scored["scores"])) if scored and scored.get("scores") else None
    histogram = _histogram_png(train_scores, float(section["threshold"]), csv_scores)
    parts.append(f"<h2>Scores</h2><img src='{data_uri(histogram)}' alt='score histogram'>")
    if (run.path / HEATMAPS).is_file():
        source = "the last scored data" if scored else "the training data"
        parts.append("<h2>Where the most unusual images differ</h2>")
        parts.append(image_figure(run.path / HEATMAPS, f"the highest-scoring images of {source}, each above its squared "
                          "reconstruction error (bright = unusual; one color scale for all)"))  # fmt: skip
    parts.append("<h2>Config</h2><pre>" + html.escape(json.dumps(config, indent=2)) + "</pre>")
    return page(f"genlab detector: {run.path.name}", "\n".join(parts))


def write_detect_report(run: Run | str | Path, out: str | Path | None = None) -> Path:
    """Write the detector's report (to ``RUN/report.html`` unless ``out`` is given) and return its path."""
    run = run if isinstance(run, Run) else Run(run)
    run.require()
    return write_text(Path(out) if out else run.report_path, render_detect_report(run))
