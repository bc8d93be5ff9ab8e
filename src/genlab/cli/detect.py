"""`genlab detect fit|score|report`: outlier detection with a generative model, in run folders."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import typer

from genlab.cli._app import app, examples, print_json, progress_bar
from genlab.errors import ConfigError

log = logging.getLogger("genlab")

detect_app = typer.Typer(
    help="Flag rare examples with a generative model: fit a detector into a run folder, then score data with it.",
    no_args_is_help=True,
)
app.add_typer(detect_app, name="detect")

DATA_HELP = (
    "A file (.csv with a header row, ODDS .mat, .npz), a folder of images, a built-in data set "
    "(see `genlab datasets`), or PREFIX:PATH (csv:, mat:, npz:, folder:). A 0/1 'label' column (or y) "
    "is used only for evaluation."
)


def _tuple(name: str, text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        return tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError as e:
        raise ConfigError(f"--{name} takes comma-separated integers like 128,64, got {text!r}") from e


@detect_app.command(
    "fit",
    help="Fit an outlier detector (unsupervised: labels are ignored) and save it as a run folder with a report."
    + examples(
        "genlab detect fit --data transactions.csv --out runs/od",
        "genlab detect fit --data odds/cardio.mat --score iwae --contamination 0.05 --out runs/cardio",
        "genlab detect fit --data fashion-mnist --normal-class 0 --limit 2000 --epochs 10 --out runs/fm0",
    ),
)
def fit(
    data: str = typer.Option(..., "--data", "-d", help=DATA_HELP),
    out: Path = typer.Option(..., "--out", "-o", help="Run folder to create."),
    model: str = typer.Option("vae", help="vae or ae."),
    score: str = typer.Option("elbo", help="recon, elbo, iwae, ratio (background model) or complexity (images)."),
    contamination: float = typer.Option(0.1, help="Expected share of outliers; sets the threshold."),
    epochs: int | None = typer.Option(None, help="Passes over the data (default: about 100 steps for tables, 1,500 for images)."),
    batch_size: int = typer.Option(64, help="Examples per step."),
    lr: float = typer.Option(1e-3, help="Adam learning rate."),
    latent_dim: int | None = typer.Option(None, help="Latent size (default: D/4 in 2..16 for tables, 16 for images)."),
    hidden: str | None = typer.Option(None, help="Fully connected widths, e.g. 128,64."),
    net: str = typer.Option("auto", help="auto, mlp or conv."),
    likelihood: str = typer.Option(
        "auto", help="The VAE decoder: student-t (robust to extreme values), gaussian, or auto (gaussian for --score ratio)."
    ),
    iwae_k: int = typer.Option(16, help="Posterior draws per example for the likelihood scores."),
    constant_columns: str = typer.Option("keep", help="keep (center, do not scale) or error."),
    normal_class: int | None = typer.Option(None, help="Labeled data: fit on this class only (one-class novelty)."),
    split: str = typer.Option("train", help="Part of a data set with an official test split to fit on: train or test."),
    limit: int | None = typer.Option(None, help="Fit on the first N examples only."),
    seed: int = typer.Option(0, help="Seed of initialization, data order and scoring draws."),
    device: str = typer.Option("auto", help="auto, cpu, cuda or mps."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing run in --out."),
    as_json: bool = typer.Option(False, "--json", help="Print a summary as one JSON object."),
) -> None:
    from genlab.detect import GenerativeOutlierDetector
    from genlab.detect.app import fit_detector

    # the options travel as the estimator itself: typed keyword arguments, checked by its fit
    detector = GenerativeOutlierDetector(
        model=model, outlier_score=score, contamination=contamination, epochs=epochs, batch_size=batch_size, lr=lr,
        latent_dim=latent_dim, hidden=_tuple("hidden", hidden), net=net, likelihood=likelihood, iwae_k=iwae_k,
        constant_columns=constant_columns, random_state=seed, device=device,
    )  # fmt: skip
    with progress_bar() as progress:
        summary = fit_detector(data, out, detector, split=split, normal_class=normal_class, limit=limit,
                               overwrite=overwrite, progress=progress)  # fmt: skip
    if as_json:
        print_json(summary)
    else:
        log.info("fitted a %s detector on %d examples in %.1f s; threshold %.4g; report: %s",
                 model, summary["n"], summary["fit_seconds"], summary["threshold"], summary["report"])  # fmt: skip


@detect_app.command(
    "score",
    help="Score data with a fitted detector: a CSV of scores and flags; with labels, AUROC, AUPRC and precision@n."
    + examples(
        "genlab detect score runs/od --data new.csv --out scores.csv",
        "genlab detect score runs/cardio --data odds/cardio.mat --out scores.csv --json",
        "genlab detect score runs/fm0 --data fashion-mnist --split test --out scores.csv --json",
    ),
)
def score(
    run: Path = typer.Argument(..., help="Run folder written by `genlab detect fit`."),
    data: str = typer.Option(..., "--data", "-d", help=DATA_HELP),
    out: Path = typer.Option(..., "--out", "-o", help="CSV file to write: index, score, outlier (0/1)[, label]."),
    split: str = typer.Option("auto", help="auto (the official test split if there is one, else all), train or test."),
    limit: int | None = typer.Option(None, help="Score the first N examples only."),
    device: str = typer.Option("cpu", help="auto, cpu, cuda or mps."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as one JSON object."),
) -> None:
    from genlab.detect.app import score_detector

    result = score_detector(run, data, out, split=split, limit=limit, device=device)
    if as_json:
        print_json(result)
        return
    shown = {k: v for k, v in result.items() if k in ("n", "n_flagged", "threshold", "auroc", "auprc", "precision_at_n")}
    sys.stdout.write("  ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in shown.items()) + "\n")


@detect_app.command(
    "report",
    help="Write the detector's HTML report: score histogram, metrics, and heat maps of flagged images."
    + examples("genlab detect report runs/od"),
)
def report(run: Path = typer.Argument(..., help="Run folder written by `genlab detect fit`.")) -> None:
    from genlab.detect.report import write_detect_report

    sys.stdout.write(f"{write_detect_report(run)}\n")
