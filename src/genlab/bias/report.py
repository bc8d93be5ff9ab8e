"""The bias discovery report: latent histograms, the rarest and the most common images, traversals."""

from __future__ import annotations

import html
import io
from pathlib import Path
from typing import Any

import torch

from genlab.bias.discover import Discovery
from genlab.io import write_text
from genlab.report.html import data_uri, figure_png, page
from genlab.viz.grid import auto_scale, grid_image

GRID = 32  # images in each of the rarest / most common grids


def _png(image: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _grid_uri(images: torch.Tensor, ncol: int = 8) -> str:
    return data_uri(_png(grid_image(images.clamp(0, 1), ncol, auto_scale(images))))


def histograms_png(discovery: Discovery, max_dims: int = 16) -> bytes:
    """One histogram of posterior means per active dimension (the most skewed first)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dims = discovery.skewed_dims[:max_dims]
    cols = min(4, len(dims))
    rows = (len(dims) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    for ax in axes.flat[len(dims) :]:
        ax.axis("off")
    for ax, d in zip(axes.flat, dims):
        ax.hist(discovery.mu[:, d].numpy(), bins=40, color="#4a78b5")
        ax.set_title(f"z{d}: KL {float(discovery.kl[d]):.2f}, skew {discovery.skew[d]:.2f}", fontsize=9)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    return figure_png(fig, dpi=80)


def _groups_table(discovery: Discovery) -> str:
    with_unexplained = discovery.unexplained is not None
    rows = "".join(
        f"<tr><td>{html.escape(g.attribute)}</td><td class='num'>{html.escape(g.level_name or str(g.level))}</td><td class='num'>{g.n}</td>"
        f"<td class='num'>{100 * g.share:.1f}%</td><td class='num'>{g.latent:.3f}</td>"
        + (f"<td class='num'>{g.unexplained:.3f}</td>" if g.unexplained is not None else "")
        + f"<td class='num'>{g.mean_weight:.3f}</td></tr>"
        for g in discovery.ranked_groups()
    )
    header = "<tr><th>attribute</th><th>level</th><th>images</th><th>share</th><th>latent rarity</th>"
    header += ("<th>unexplained rarity</th>" if with_unexplained else "") + "<th>mean sampler weight</th></tr>"
    return "<table>" + header + rows + "</table>"


def render_discovery(
    discovery: Discovery, images: torch.Tensor, title: str, traversals: list[tuple[int, torch.Tensor]], notes: dict[str, Any]
) -> str:
    """The report as one self-contained HTML page."""
    n = min(GRID, len(images))
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        ("<p class='sub'>Where the training set is thin, found in a VAE's latent space without labels. "
        "An image's latent rarity is a percentile score of how sparse its latent neighbourhood is "
        "(1 = typical, up to 2 = the rarest); its sampler weight is what DB-VAE would resample with.</p>"),
        "<h2>Setup</h2><table>"
        + "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in notes.items())
        + "</table>",
        f"<h2>Rarest images (lowest latent density)</h2><img src='{_grid_uri(images[discovery.rarest(n)])}' alt='rarest'>",
        f"<h2>Most common images (highest latent density)</h2><img src='{_grid_uri(images[discovery.most_common(n)])}' alt='most common'>",
    ]
    if discovery.unexplained is not None:
        parts.append(
            "<h2>Images whose unexplained part is rarest</h2><p>Ranked by how rare their reconstruction residual "
            "(image minus reconstruction) is among all residuals. A feature too rare to get a latent direction of its "
            "own is left out of the reconstructions, so its images stand out here instead.</p>"
            f"<img src='{_grid_uri(images[discovery.worst_explained(n)])}' alt='worst explained'>"
        )
    if discovery.groups:
        parts.append(
            "<h2>Known attributes</h2><p>Each attribute group's share of the data, the mean latent rarity and "
            "(where the VAE decodes) unexplained-rarity score of its images, both percentile scores with mean 1, "
            "and their mean sampler weight; under-represented groups (the larger score highest) first. The VAE "
            "never saw these labels.</p>"
            + _groups_table(discovery)
        )
    parts.append(f"<h2>Latent histograms</h2><img src='{data_uri(histograms_png(discovery))}' alt='histograms'>")
    if traversals:
        parts.append("<h2>Traversals of the most skewed dimensions</h2><p>Each row moves one dimension from -3 to 3 (prior standard deviations).</p>")
        for dim, row in traversals:
            parts.append(f"<figure><img src='{_grid_uri(row, ncol=len(row))}' alt='z{dim}'><figcaption>z{dim}</figcaption></figure><br>")
    return page(title, "\n".join(parts))


def write_discovery_report(path: Path, *args: Any) -> Path:
    return write_text(path, render_discovery(*args))
