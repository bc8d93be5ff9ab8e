"""`genlab bias`: find under-represented features of a training set without labels."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from genlab.cli._app import app, examples, print_json, progress_bar

log = logging.getLogger("genlab")

bias_app = typer.Typer(help="Bias discovery: where a training set is thin, found in a VAE's latent space.", no_args_is_help=True)
app.add_typer(bias_app, name="bias")


@bias_app.command(
    help="Fit (or reuse) a VAE on the training images and report the rarest images (sparsest latent "
    "neighbourhoods), the images whose unexplained part (reconstruction residual) is rarest, latent histograms, "
    "traversals of the skewed dimensions and, where attributes are known, each group's share, latent rarity, "
    "unexplained rarity and mean sampler weight."
    + examples(
        "genlab bias discover --data faces:skin=0.3,0.3,0.3,0.04,0.03,0.03 --out reports/faces",
        "genlab bias discover --model runs/vae-faces --out reports/faces --json",
        "genlab bias discover --data folder:~/celeba --resize 64 --epochs 5 --out reports/celeba",
        "genlab bias discover --data folder:~/celeba,attributes=attributes.csv --resize 64 --out reports/celeba --json",
    )
)
def discover(
    out: Path = typer.Option(..., "--out", "-o", help="Folder for report.html, discovery.json (and the fitted VAE)."),
    data: str | None = typer.Option(None, help="Training images: a data set name, faces:OPTIONS, folder:PATH or folder:PATH,attributes=FILE.csv (per-image attributes for the group table)."),
    model: Path | None = typer.Option(None, "--model", help="Reuse the VAE of this run folder instead of fitting one."),
    epochs: int = typer.Option(10, help="Epochs of the fitted VAE."),
    limit: int | None = typer.Option(None, help="Use only the first N training images."),
    resize: int | None = typer.Option(None, help="Resize images to NxN."),
    bins: int = typer.Option(10, help="Histogram bins per latent dimension."),
    alpha: float = typer.Option(0.01, help="Histogram smoothing; larger means closer to uniform weights."),
    combine: str = typer.Option("max", help="max (MIT lab) or product (the paper) of the per-dimension weights."),
    seed: int = typer.Option(0, help="Seed of the VAE's training."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out folder."),
    as_json: bool = typer.Option(False, "--json", help="Print, per known attribute group, its share, mean sampler weight, latent rarity, unexplained rarity and rarity."),
) -> None:
    from genlab.bias.app import discover_bias

    with progress_bar() as progress:
        found, report = discover_bias(
            out, data, None if model is None else str(model), epochs, limit, resize, bins, alpha, combine,  # type: ignore[arg-type]
            seed, overwrite, progress,
        )  # fmt: skip
    if as_json:
        print_json({"report": str(report), **found.to_json()})
        return
    log.info("report: %s", report)
    for group in found.ranked_groups()[:5]:
        unexplained = "" if group.unexplained is None else f", unexplained rarity {group.unexplained:.2f}"
        log.info("%s: %.1f%% of the data, latent rarity %.2f%s", group.label, 100 * group.share, group.latent, unexplained)
