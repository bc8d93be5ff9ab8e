"""The building blocks of genlab's self-contained HTML pages (run, detection and bias reports):
one style sheet, images inlined as data URIs, figures, key-value tables and the page itself."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { margin-bottom: 0.1em; } .sub { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
td, th { border-bottom: 1px solid #ddd; padding: 4px 12px; text-align: left; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
img { image-rendering: pixelated; max-width: 100%; border: 1px solid #eee; }
figure { display: inline-block; margin: 0 1.5em 1em 0; vertical-align: top; } figcaption { color: #555; font-size: 13px; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: 13px; }
.note { color: #8a5a00; }
"""


def data_uri(data: bytes, mime: str = "image/png") -> str:
    """Bytes as a ``data:`` URI, so that a page needs no files beside it."""
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def picture_uri(image: Any, frames: list[Any] | None = None, frame_ms: int = 120) -> str:
    """A PIL picture (or, with ``frames``, a looping GIF of them) as a ``data:`` URI."""
    buffer = io.BytesIO()
    if frames:
        frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=frame_ms, loop=0)
        return data_uri(buffer.getvalue(), "image/gif")
    image.save(buffer, format="PNG")
    return data_uri(buffer.getvalue())


def uri_figure(uri: str, caption: str) -> str:
    """A captioned ``<figure>`` of an image given as a URI."""
    text = html.escape(caption)
    return f'<figure><img src="{uri}" alt="{text}"><figcaption>{text}</figcaption></figure>'


def image_figure(path: Path, caption: str, mime: str = "image/png") -> str:
    """An image file inlined as a captioned ``<figure>``."""
    return uri_figure(data_uri(path.read_bytes(), mime), caption)


def figure_png(fig: Any, dpi: int = 90) -> bytes:
    """A matplotlib figure as PNG bytes; the figure is closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()


def flatten(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested results (the disentanglement metrics) as dotted keys: {"mig": {"mig": 1}} -> {"mig.mig": 1}."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat |= flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def key_value_table(values: dict[str, Any]) -> str:
    """A two-column table of (possibly nested) results; numbers right-aligned, floats to 4 places."""
    rows = []
    for key, value in flatten(values).items():
        if isinstance(value, float):
            shown, cls = f"{value:.4f}", "num"
        elif isinstance(value, (int, bool)) or value is None:
            shown, cls = str(value), "num"
        else:
            shown, cls = str(value), ""
        rows.append(f"<tr><th>{html.escape(key)}</th><td class='{cls}'>{html.escape(shown)}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def page(title: str, body: str) -> str:
    """A complete HTML document with genlab's style; ``title`` is plain text."""
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )
