"""The self-contained HTML report of a run: curves, pictures, metrics and config in one file."""

from __future__ import annotations

import base64
import html
import io
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from genlab.io import write_text
from genlab.run import Run
from genlab.train.logger import read_metrics

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { margin-bottom: 0.1em; } .sub { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
td, th { border-bottom: 1px solid #ddd; padding: 4px 12px; text-align: left; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
img { image-rendering: pixelated; max-width: 100%; border: 1px solid #eee; }
figure { display: inline-block; margin: 0 1.5em 1em 0; vertical-align: top; } figcaption { color: #555; font-size: 13px; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: 13px; }
.note { color: #8a5a00; }
"""


def _data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def _img(path: Path, caption: str, mime: str = "image/png") -> str:
    return f'<figure><img src="{_data_uri(path.read_bytes(), mime)}" alt="{html.escape(caption)}"><figcaption>{html.escape(caption)}</figcaption></figure>'


def _spread(items: list[Path], k: int) -> list[Path]:
    """At most k items evenly spread from the first to the last (the whole course of training)."""
    if len(items) <= k:
        return items
    return [items[round(i * (len(items) - 1) / (k - 1))] for i in range(k)]


def figure_png(fig: Any, dpi: int = 90) -> bytes:
    """A matplotlib figure as PNG bytes; the figure is closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()


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


def _flatten(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested results (the disentanglement metrics) as dotted keys: {"mig": {"mig": 1}} -> {"mig.mig": 1}."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat |= _flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _table(values: dict[str, Any]) -> str:
    rows = []
    for key, value in _flatten(values).items():
        if isinstance(value, float):
            shown, cls = f"{value:.4f}", "num"
        elif isinstance(value, (int, bool)) or value is None:
            shown, cls = str(value), "num"
        else:
            shown, cls = str(value), ""
        rows.append(f"<tr><th>{html.escape(key)}</th><td class='{cls}'>{html.escape(shown)}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def _latest(images_dir: Path, name: str) -> tuple[Path, int] | None:
    found = []
    for path in images_dir.glob(f"epoch_*_{name}.png"):
        match = re.match(r"epoch_(\d+)_", path.name)
        if match:
            found.append((int(match.group(1)), path))
    if not found:
        return None
    epoch, path = max(found)
    return path, epoch


def _image_names(images_dir: Path) -> list[str]:
    names = {re.sub(r"^epoch_\d+_", "", p.stem) for p in images_dir.glob("epoch_*_*.png")}
    order = {"reconstructions": 0, "samples": 1}
    return sorted(names, key=lambda n: (order.get(n, 2), n))


def render_report(run: Run) -> str:
    """The report of ``run`` as one HTML string with every image embedded."""
    config = json.loads(run.config_path.read_text())
    summary = run.read_json(run.summary_path) or {}
    parts = [
        f"<h1>{html.escape(run.path.name)}</h1>",
        f"<p class='sub'>{html.escape(config['model'])} on {html.escape(config['data']['name'])} · "
        f"report written {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · genlab {html.escape(config.get('genlab_version', '?'))}</p>",
    ]
    evals = sorted(run.path.glob("eval_*.json"))
    if evals:
        parts.append("<h2>Metrics</h2>")
        for path in evals:
            result = run.read_json(path) or {}
            note = result.pop("likelihood_note", None)
            parts.append(f"<h3>{html.escape(path.stem.replace('eval_', ''))} split</h3>" + _table(result))
            if note:
                parts.append(f"<p class='note'>{html.escape(note)}</p>")
    else:
        parts.append(f"<p class='note'>No evaluation yet: run <code>genlab evaluate {html.escape(str(run.path))}</code>.</p>")
    if summary:
        parts.append("<h2>Training</h2>" + _table(summary))
    curves = _curves_png(read_metrics(run.metrics_path))
    if curves:
        parts.append(f"<h2>Loss curves</h2><img src='{_data_uri(curves)}' alt='loss curves'>")
    names = _image_names(run.images_dir) if run.images_dir.is_dir() else []
    if names:
        parts.append("<h2>Pictures</h2>")
        for name in names:
            latest = _latest(run.images_dir, name)
            if latest:
                path, epoch = latest
                caption = f"{name}, epoch {epoch}" + (" (inputs above reconstructions)" if name == "reconstructions" else "")
                parts.append(_img(path, caption))
        if "samples" in names:
            history = sorted(run.images_dir.glob("epoch_*_samples.png"))
            if len(history) > 1:
                parts.append("<h3>Samples over training</h3>")
                parts += [_img(p, p.stem.replace("_samples", "").replace("_", " ")) for p in _spread(history, 8)]
    for name, caption in (("training.gif", "training, one frame per snapshot"), ("latent_walk.gif", "a walk through the noise space")):
        if (run.path / name).is_file():
            parts.append(f"<h3>{html.escape(caption.split(',')[0].capitalize())}</h3>" + _img(run.path / name, caption, "image/gif"))
    from genlab.viz.latent import report_section

    parts.append(report_section(run.path))
    parts.append("<h2>Config</h2><pre>" + html.escape(json.dumps(config, indent=2)) + "</pre>")
    body = "\n".join(parts)
    title = html.escape(f"genlab report: {run.path.name}")
    return f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title><style>{_STYLE}</style></head><body>{body}</body></html>"


def write_report(run: Run | str | Path, out: str | Path | None = None) -> Path:
    """Write the report of a run (to ``RUN/report.html`` unless ``out`` is given) and return its path."""
    run = run if isinstance(run, Run) else Run(run)
    run.require()
    return write_text(Path(out) if out else run.report_path, render_report(run))
