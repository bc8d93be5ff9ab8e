"""The self-contained HTML report of a run: curves, pictures, metrics and config in one file."""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from pathlib import Path

from genlab.io import write_text
from genlab.report.html import data_uri, figure_png, image_figure, key_value_table, page
from genlab.report.latent import latent_section
from genlab.run import Run
from genlab.train.logger import read_metrics


def _spread(items: list[Path], k: int) -> list[Path]:
    """At most k items evenly spread from the first to the last (the whole course of training)."""
    if len(items) <= k:
        return items
    return [items[round(i * (len(items) - 1) / (k - 1))] for i in range(k)]


def _curves_png(rows: list[dict[str, str]]) -> bytes | None:
    """Loss terms against steps, train and validation, one panel per term."""
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    skip = {"step", "epoch", "split", "examples_per_s"}
    terms = [k for k in rows[0] if k not in skip]
    fig, axes = plt.subplots(1, len(terms), figsize=(4.2 * len(terms), 3.2), squeeze=False)
    for ax, term in zip(axes[0], terms):
        for split, style in (("train", "-"), ("val", "o-")):
            points = [(int(r["step"]), float(r[term])) for r in rows if r["split"] == split and r.get(term) not in ("", None)]
            if points:
                ax.plot(*zip(*points), style, label=split, markersize=3)
        ax.set_title(term)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return figure_png(fig)


def _image_names(run: Run) -> list[str]:
    order = {"reconstructions": 0, "samples": 1}
    return sorted(run.snapshot_names(), key=lambda n: (order.get(n, 2), n))


def _voice_examples(run: Run) -> str:
    """The held-out sentences that ``genlab evaluate --voice`` wrote: audio players and pictures."""
    index = run.read_json(run.voice_examples_dir / "index.json") if run.voice_examples_dir.is_dir() else None
    if not index:
        return ""
    parts = ["<h3>Listen: held-out sentences</h3>"]
    for example in index:
        folder = run.voice_examples_dir
        players = "".join(
            f"<p>{html.escape(kind)}: <audio controls src='{data_uri((folder / name).read_bytes(), 'audio/wav')}'></audio></p>"
            for kind, name in example["waves"].items() if (folder / name).is_file()
        )  # fmt: skip
        caption = f"{example['name']}: {example['text']}" if example.get("text") else example["name"]
        parts.append(f"<h4>{html.escape(caption)}</h4>{players}" + image_figure(folder / example["figure"], "spectral envelopes and F0"))
    return "\n".join(parts)


def render_report(run: Run) -> str:
    """The report of ``run`` as one HTML string with every image embedded."""
    config = json.loads(run.config_path.read_text())
    summary = run.read_json(run.summary_path) or {}
    parts = [
        f"<h1>{html.escape(run.path.name)}</h1>",
        (f"<p class='sub'>{html.escape(config['model'])} on {html.escape(config['data']['name'])} · "
        f"report written {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · genlab {html.escape(config.get('genlab_version', '?'))}</p>"),
    ]
    evals = run.eval_paths()
    qualities = run.quality_paths()
    translations = run.translation_paths()
    voices = run.voice_paths()
    if evals or qualities or translations or voices:
        parts.append("<h2>Metrics</h2>")
        for path in evals:
            result = run.read_json(path) or {}
            note = result.pop("likelihood_note", None)
            parts.append(f"<h3>{html.escape(path.stem.replace('eval_', ''))} split</h3>" + key_value_table(result))
            if note:
                parts.append(f"<p class='note'>{html.escape(note)}</p>")
        for path in qualities:
            result = run.read_json(path) or {}
            shown = {k: v for k, v in result.items() if k not in ("run", "model", "dataset", "feature_info")}
            parts.append(f"<h3>Sample quality against the {html.escape(path.stem.replace('quality_', ''))} split</h3>" + key_value_table(shown))
        for path in translations:
            result = {k: v for k, v in (run.read_json(path) or {}).items() if k not in ("run", "model", "dataset")}
            parts.append(f"<h3>Translation, {html.escape(path.stem.replace('translation_', ''))} split</h3>" + key_value_table(result))
        for path in voices:
            result = {k: v for k, v in (run.read_json(path) or {}).items() if k not in ("run", "per_sentence")}
            parts.append(f"<h3>Voice conversion {html.escape(path.stem.replace('voice_', ''))}, held-out sentences</h3>" + key_value_table(result))
        parts.append(_voice_examples(run))
    else:
        parts.append(f"<p class='note'>No evaluation yet: run <code>genlab evaluate {html.escape(str(run.path))}</code>.</p>")
    if summary:
        parts.append("<h2>Training</h2>" + key_value_table(summary))
    curves = _curves_png(read_metrics(run.metrics_path))
    if curves:
        parts.append(f"<h2>Loss curves</h2><img src='{data_uri(curves)}' alt='loss curves'>")
    names = _image_names(run) if run.images_dir.is_dir() else []
    if names:
        parts.append("<h2>Pictures</h2>")
        for name in names:
            epoch, path = run.snapshots(name)[-1]
            caption = f"{name}, epoch {epoch}" + (" (inputs above reconstructions)" if name == "reconstructions" else "")
            parts.append(image_figure(path, caption))
        history = [path for _, path in run.snapshots("samples")]
        if len(history) > 1:
            parts.append("<h3>Samples over training</h3>")
            parts += [image_figure(p, p.stem.replace("_samples", "").replace("_", " ")) for p in _spread(history, 8)]
    gifs = ((run.training_gif_path, "training, one frame per snapshot"), (run.latent_walk_path, "a walk through the noise space"))
    for path, caption in gifs:
        if path.is_file():
            parts.append(f"<h3>{html.escape(caption.split(',')[0].capitalize())}</h3>" + image_figure(path, caption, "image/gif"))
    parts.append(latent_section(run))
    parts.append("<h2>Config</h2><pre>" + html.escape(json.dumps(config, indent=2)) + "</pre>")
    body = "\n".join(parts)
    return page(f"genlab report: {run.path.name}", body)


def write_report(run: Run | str | Path, out: str | Path | None = None) -> Path:
    """Write the report of a run (to ``RUN/report.html`` unless ``out`` is given) and return its path."""
    run = run if isinstance(run, Run) else Run(run)
    run.require()
    return write_text(Path(out) if out else run.report_path, render_report(run))
