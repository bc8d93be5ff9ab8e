"""Commands that take a run folder: evaluate, sample, reconstruct, report."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Optional

import typer

from genlab.cli._app import app, examples, print_json, progress_bar

log = logging.getLogger("genlab")


# --- evaluate, sample, reconstruct, report ------------------------------------------------------


@app.command(
    help="Score a run on a split of its data: ELBO, IWAE NLL and bits/dim for a VAE; MSE and PSNR for an AE."
    + examples("genlab evaluate runs/vae", "genlab evaluate runs/vae --json --iwae-k 1000", "genlab evaluate runs/ae --split val --json")
)
def evaluate(
    run: Path = typer.Argument(..., help="Run folder."),
    split: str = typer.Option("test", help="train, val or test."),
    iwae_k: int = typer.Option(100, help="Importance samples for the IWAE bound."),
    n: Optional[int] = typer.Option(None, help="Score only the first N examples of the split."),
    batch_size: int = typer.Option(256, help="Examples per batch."),
    seed: int = typer.Option(0, help="Seed of the evaluation noise."),
    device: str = typer.Option("auto", help="auto, cpu, cuda or cuda:N."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    from genlab.evaluate.run_metrics import evaluate_run

    with progress_bar("evaluating") as progress:
        result = evaluate_run(str(run), split, iwae_k, n, batch_size, seed, device, progress=progress)
    if as_json:
        print_json(result)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{run} on {result['dataset']} ({split}, {result['n_examples']:,} examples)")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in result.items():
        if key in ("run", "dataset", "split", "n_examples", "likelihood_note"):
            continue
        table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
    console = Console()
    console.print(table)
    if result.get("likelihood_note"):
        console.print(result["likelihood_note"])


@app.command(
    help="Draw samples from a run's model into an image grid (or a CSV of points for vector data)."
    + examples("genlab sample runs/vae --n 64 --out samples.png --seed 1", "genlab sample runs/cgan --label 3 --out threes.png",
               "genlab sample runs/gan1d --n 1000 --out points.csv")
)  # fmt: skip
def sample(
    run: Path = typer.Argument(..., help="Run folder."),
    out: Path = typer.Option(..., "--out", "-o", help="PNG file to write (CSV for vector data)."),
    n: int = typer.Option(64, help="Number of samples."),
    seed: int = typer.Option(0, help="Seed of the latent draws."),
    ncol: int = typer.Option(8, help="Images per row."),
    label: Optional[int] = typer.Option(None, help="Class to draw from a conditional GAN (required for one)."),
    device: str = typer.Option("auto", help="auto, cpu, cuda or cuda:N."),
) -> None:
    from genlab.api import sample_run
    from genlab.errors import ConfigError
    from genlab.viz.grid import save_grid

    samples = sample_run(str(run), n, seed, device, label)
    if samples.dim() == 2:
        if out.suffix.lower() != ".csv":
            raise ConfigError(f"{run} generates points, not images; write them to a .csv file (--out points.csv)")
        import numpy as np

        out.parent.mkdir(parents=True, exist_ok=True)
        np.savetxt(out, samples.numpy(), delimiter=",", fmt="%.6g")
        path = out
    else:
        path = save_grid(samples, out, ncol)
    log.info("wrote %d samples to %s", n, path)


@app.command(help="Show examples above their reconstructions." + examples("genlab reconstruct runs/vae --n 16 --out recon.png"))
def reconstruct(
    run: Path = typer.Argument(..., help="Run folder."),
    out: Path = typer.Option(..., "--out", "-o", help="PNG file to write."),
    n: int = typer.Option(16, help="Number of examples."),
    split: str = typer.Option("test", help="train, val or test."),
    seed: int = typer.Option(0, help="Seed of any input noise (binarization)."),
    ncol: int = typer.Option(8, help="Images per row."),
    device: str = typer.Option("auto", help="auto, cpu, cuda or cuda:N."),
) -> None:
    from genlab.api import reconstruct_run
    from genlab.viz.grid import pair_rows, save_grid

    x, r = reconstruct_run(str(run), n, split, seed, device)
    path = save_grid(pair_rows(x, r, ncol), out, ncol)
    log.info("wrote %d examples and their reconstructions to %s", len(x), path)


@app.command(help="Write the run's self-contained HTML report." + examples("genlab report runs/vae", "genlab report runs/vae --out /tmp/vae.html"))
def report(
    run: Path = typer.Argument(..., help="Run folder."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="HTML file [default: RUN/report.html]."),
) -> None:
    from genlab.viz.report import write_report

    path = write_report(run, out)
    sys.stdout.write(f"{path}\n")
