"""Commands that take a run folder: evaluate, sample, reconstruct, report."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import typer

from genlab.cli._app import app, examples, print_json, progress_bar

log = logging.getLogger("genlab")


# --- evaluate, sample, reconstruct, report ------------------------------------------------------


@app.command(
    help="Score a run on a split of its data: ELBO, IWAE NLL and bits/dim for a VAE; MSE and PSNR for an AE; "
    "accuracy (and --fairness across attribute groups) for a classifier; --disentanglement adds beta-VAE, FactorVAE, MIG, DCI and SAP scores for data with known factors. "
    "--quality scores its samples instead: Frechet distance, KID, precision and recall in the features of a "
    "classifier trained on the data set (cached), or of a local Inception-v3 file (standard FID)."
    + examples(
        "genlab evaluate runs/vae", "genlab evaluate runs/vae --json --iwae-k 1000", "genlab evaluate runs/ae --split val --json",
        "genlab evaluate runs/bvae --disentanglement --json", "genlab evaluate runs/dbvae --fairness --json",
        "genlab evaluate runs/dbvae --fairness --data folder:~/ppb,attributes=ppb.csv --groups skin,gender --json",
        "genlab evaluate runs/vae --quality --json", "genlab evaluate runs/slt2rms --voice --json",
        "genlab evaluate runs/vae --quality --n-generated 5000 --inception ~/weights/pt_inception-2015-12-05-6726825d.pth",
    )
)
def evaluate(
    run: Path = typer.Argument(..., help="Run folder."),
    split: str | None = typer.Option(None, help="train, val or test (default: test; with --data: all of that data set)."),
    data: str | None = typer.Option(None, "--data", help="Score on this data set instead of the run's own, e.g. a balanced test folder: folder:PATH,attributes=FILE.csv (not saved in the run folder)."),
    iwae_k: int = typer.Option(100, help="Importance samples for the IWAE bound."),
    n: int | None = typer.Option(None, help="Score only the first N examples of the split."),
    batch_size: int = typer.Option(256, help="Examples per batch."),
    seed: int = typer.Option(0, help="Seed of the evaluation noise."),
    device: str = typer.Option("auto", help="auto, cpu, cuda or cuda:N."),
    disentanglement: bool = typer.Option(False, "--disentanglement", help="Add beta-VAE, FactorVAE, MIG, DCI and SAP scores (data sets with known factors, e.g. shapes, faces)."),
    disentanglement_n: int = typer.Option(10_000, help="Training points of the disentanglement metrics; 10,000 is disentanglement_lib's published size, other sizes scale with it."),
    fairness: bool = typer.Option(False, "--fairness", help="Classifiers: accuracy on the positives of each attribute group (E[A], Var[A], worst group)."),
    groups: str = typer.Option("skin,glasses", help="With --fairness: the attributes whose combinations form the groups."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    quality: bool = typer.Option(False, "--quality", help="Score sample quality (FD, KID, precision, recall) instead of likelihoods."),
    translation: bool = typer.Option(False, "--translation", help="Score a pix2pix or cyclegan run's translations (L1, PSNR, SSIM; FCN-score and IoU on faces-parts; domain accuracy, attribute preservation and counterfactual scores on face domains)."),
    voice: bool = typer.Option(False, "--voice", help="Score a voice run on held-out parallel sentences: MCD against the true target beside doing nothing and a mean/variance match, F0 error, speaker accuracy."),
    direction: str = typer.Option("AtoB", help="--voice: AtoB (--data's speaker into --data-b's) or BtoA."),
    n_generated: int = typer.Option(10_000, help="--quality: samples to draw."),
    n_real: int = typer.Option(10_000, help="--quality: real examples of the split (a seeded subset; all if fewer)."),
    features: str = typer.Option("auto", help="--quality: auto, classifier (needs labels) or autoencoder."),
    inception: Path | None = typer.Option(None, help="--quality: local Inception-v3 weights (.pth state_dict or .safetensors) for standard FID."),
    k: int = typer.Option(3, "--k", help="--quality: neighbours that set the k-NN manifold radii of precision/recall."),
    kid_subsets: int = typer.Option(100, help="--quality: random subsets KID averages over."),
    kid_subset_size: int = typer.Option(1000, help="--quality: examples per KID subset."),
) -> None:
    from genlab.report import write_report

    if voice:
        from genlab.errors import ConfigError
        from genlab.voice.scores import voice_scores

        if data is not None or quality or translation or split not in (None, "test"):
            raise ConfigError("--voice scores the run on its own held-out sentences; leave out --data, --split, --quality and --translation")
        result = voice_scores(str(run), direction, n, device="cpu" if device == "auto" else device)
        write_report(run)  # the report plays the held-out sentences and shows the scores
        if as_json:
            print_json(result)
        else:
            _print_nested({k: v for k, v in result.items() if k != "per_sentence"})
        return
    if translation:
        from genlab.errors import ConfigError
        from genlab.evaluate.run_translation import translation_run

        if data is not None or quality:
            raise ConfigError("--translation scores the run on its own data; leave out --data and --quality")
        with progress_bar() as progress:
            result = translation_run(str(run), split or "test", n, batch_size, seed, device, progress=progress)
        write_report(run)
        if as_json:
            print_json(result)
        else:
            _print_nested(result)
        return
    if quality:
        from genlab.errors import ConfigError
        from genlab.evaluate.run_quality import quality_run

        if data is not None:
            raise ConfigError("--quality scores samples against the run's own data; leave out --data")
        split = split or "test"
        with progress_bar() as progress:
            result = quality_run(
                str(run), split, n_generated, n_real, features, str(inception) if inception else None, k, kid_subsets,
                kid_subset_size, batch_size=max(batch_size, 1), seed=seed, device=device, progress=progress,
            )  # fmt: skip
        write_report(run)  # the report shows the new scores
        if as_json:
            print_json(result)
            return
        result = {key: value for key, value in result.items() if key not in ("seconds", "feature_info")}
        result["n_examples"] = result["n_real"]
    else:
        from genlab.evaluate.run_metrics import evaluate_run

        with progress_bar() as progress:
            result = evaluate_run(
                str(run), split, iwae_k, n, batch_size, seed, device, progress=progress,
                disentanglement=disentanglement, disentanglement_n=disentanglement_n,
                fairness=fairness, groups=tuple(g for g in groups.replace(" ", "").split(",") if g), data=data,
            )  # fmt: skip
        if data is None:  # scores on the run's own data are saved in the run folder: show them in its report
            write_report(run)
    if as_json:
        print_json(result)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{run} on {result['dataset']} ({result['split']}, {result['n_examples']:,} examples)")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in result.items():
        if key in ("run", "dataset", "split", "n_examples", "likelihood_note", "disentanglement", "fairness"):
            continue
        table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
    for metric, values in result.get("disentanglement", {}).items():
        scores = ", ".join(f"{k}={v:.3f}" for k, v in values.items() if isinstance(v, float) and not k.startswith("prune"))
        table.add_row(metric, scores)
    console = Console()
    console.print(table)
    if result.get("likelihood_note"):
        console.print(result["likelihood_note"])
    if "fairness" in result:
        f = result["fairness"]
        groups_table = Table(title=f"accuracy on the positives by {' x '.join(f['group_by'])} (percent)")
        groups_table.add_column("group")
        groups_table.add_column("accuracy", justify="right")
        groups_table.add_column("n", justify="right")
        for name, accuracy in f["groups"].items():
            groups_table.add_row(name, f"{accuracy:.2f}", str(f["group_sizes"][name]))
        console.print(groups_table)
        console.print(f"E[A] {f['mean']:.2f}  Var[A] {f['variance']:.2f}  worst {f['worst']:.2f} ({f['worst_group']})  gap {f['gap']:.2f}")


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
    label: int | None = typer.Option(None, help="Class to draw from a conditional GAN (required for one)."),
    device: str = typer.Option("auto", help="auto, cpu, cuda or cuda:N."),
) -> None:
    from genlab.errors import ConfigError
    from genlab.io import check_output_path, write_text
    from genlab.viz.grid import save_grid
    from genlab.workflows import sample_run

    check_output_path(out, (".png", ".csv"))
    samples = sample_run(str(run), n, seed, device, label)
    if samples.dim() == 2:
        if out.suffix.lower() != ".csv":
            raise ConfigError(f"{run} generates points, not images; write them to a .csv file (--out points.csv)")
        out.parent.mkdir(parents=True, exist_ok=True)
        path = write_text(out, "".join(",".join(f"{v:.6g}" for v in row) + "\n" for row in samples.tolist()))
    else:
        if out.suffix.lower() != ".png":
            raise ConfigError(f"{run} generates images; write them to a .png file (--out samples.png)")
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
    from genlab.io import check_output_path
    from genlab.viz.grid import pair_rows, save_grid
    from genlab.workflows import reconstruct_run

    check_output_path(out, (".png",))
    x, r = reconstruct_run(str(run), n, split, seed, device)
    path = save_grid(pair_rows(x, r, ncol), out, ncol)
    log.info("wrote %d examples and their reconstructions to %s", len(x), path)


@app.command(help="Write the run's self-contained HTML report." + examples("genlab report runs/vae", "genlab report runs/vae --out /tmp/vae.html"))
def report(
    run: Path = typer.Argument(..., help="Run folder."),
    out: Path | None = typer.Option(None, "--out", "-o", help="HTML file (default: RUN/report.html)."),
) -> None:
    from genlab.io import check_output_path
    from genlab.report import write_report
    from genlab.run import Run

    target = None if out is None else check_output_path(out, (".html", ".htm"))
    Run(run).load_model()  # missing or corrupt weights are an error here, not a report without pictures
    path = write_report(run, target)
    sys.stdout.write(f"{path}\n")


def _print_nested(result: dict) -> None:  # type: ignore[type-arg]
    """Nested results (translation scores) as indented lines."""

    def lines(values: dict, indent: int) -> None:  # type: ignore[type-arg]
        for key, value in values.items():
            if isinstance(value, dict):
                sys.stdout.write(" " * indent + f"{key}:\n")
                lines(value, indent + 2)
            else:
                shown = f"{value:.4f}" if isinstance(value, float) else str(value)
                sys.stdout.write(" " * indent + f"{key}: {shown}\n")

    lines(result, 0)
