"""The ``genlab`` command: thin wrappers that parse options, call the library and print.

Commands that produce numbers take ``--json`` and then print exactly one JSON object on stdout;
logs and progress go to stderr. Problems with input exit with status 2 and a one-line reason.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import logging
import os
import sys
import typing
from pathlib import Path
from typing import Any, Optional

import typer

from genlab.errors import ConfigError, GenlabError

log = logging.getLogger("genlab")

app = typer.Typer(
    name="genlab",
    help="Deep generative modeling: train, evaluate, sample and report, on CPU or GPU.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
train_app = typer.Typer(help="Train a model into a run folder (one subcommand per model).", no_args_is_help=True)
app.add_typer(train_app, name="train")

_state = {"debug": False}


def _examples(*lines: str) -> str:
    return "\n\nExamples:\n\n" + "\n\n".join(f"  $ {line}" for line in lines)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=None, default=str) + "\n")


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug messages."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Log warnings and errors only."),
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr, force=True)
    for noisy in ("lightning_fabric", "lightning", "torch", "matplotlib", "PIL"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    _state["debug"] = debug or os.environ.get("GENLAB_DEBUG") == "1"


# --- datasets ---------------------------------------------------------------------------------


@app.command(help="List the built-in data sets and the forms of user data." + _examples("genlab datasets", "genlab datasets --json"))
def datasets(as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    from genlab.data.registry import USER_PREFIXES, list_datasets

    infos = [dataclasses.asdict(info) for info in list_datasets()]
    user = {
        "folder": "folder:PATH - images (PNG, JPEG, ...), optional class subfolders or train/ and test/; --resize N",
        "npz": "npz:PATH - arrays x (and optional y, x_test, y_test)",
    }
    user_rows = [user.get(p, f"{p}:PATH") for p in USER_PREFIXES]
    if as_json:
        _print_json({"datasets": infos, "user_data": user_rows})
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Built-in data sets")
    for column in ("name", "kind", "shape", "train", "test", "source", "present"):
        table.add_column(column)
    for info in infos:
        present = "yes" if info["present"] else "[red]no[/red]"
        table.add_row(
            info["name"], info["kind"], info["shape"], _count(info["n_train"]), _count(info["n_test"]),
            info["source"], present,
        )  # fmt: skip
    console = Console()
    console.print(table)
    for info in infos:
        if not info["present"]:
            console.print(f"[red]{info['name']}[/red]: {info['how_to_get']}")
    console.print("User data: " + "; ".join(user_rows))


def _count(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


# --- train ------------------------------------------------------------------------------------


def _common_train_parameters() -> list[inspect.Parameter]:
    O = typer.Option  # noqa: N806
    spec: list[tuple[str, Any, Any]] = [
        ("out", Path, O(..., "--out", "-o", help="Run folder to create (or to continue with --resume).")),
        ("data", Optional[str], O(None, rich_help_panel="Data", help="Data set: a built-in name (see `genlab datasets`), folder:PATH or npz:PATH. Default: fashion-mnist (digits if it is not installed).")),
        ("epochs", Optional[int], O(None, rich_help_panel="Training", help="Passes over the training data (default 10).")),
        ("batch_size", int, O(128, rich_help_panel="Training", help="Examples per step on each device.")),
        ("lr", float, O(1e-3, rich_help_panel="Training", help="Adam learning rate.")),
        ("seed", int, O(0, rich_help_panel="Training", help="Seed of initialization, data order and noise.")),
        ("limit", Optional[int], O(None, rich_help_panel="Data", help="Use only the first N training examples (after the seeded shuffle).")),
        ("max_steps", Optional[int], O(None, rich_help_panel="Training", help="Stop after N optimizer steps.")),
        ("resize", Optional[int], O(None, rich_help_panel="Data", help="Resize images to NxN.")),
        ("binarize", bool, O(False, rich_help_panel="Data", help="Dynamic binarization (a fresh Bernoulli draw per batch); needed for valid Bernoulli likelihoods of grayscale data.")),
        ("dequantize", bool, O(False, rich_help_panel="Data", help="Uniform dequantization of 8-bit values, for Gaussian likelihoods in bits/dim.")),
        ("val_fraction", float, O(0.1, rich_help_panel="Data", help="Share of the training data held out for validation.")),
        ("accelerator", str, O("auto", rich_help_panel="Devices", help="auto, cpu, gpu/cuda or mps.")),
        ("devices", int, O(1, rich_help_panel="Devices", help="Devices (processes) for data-parallel training.")),
        ("strategy", str, O("auto", rich_help_panel="Devices", help="auto, ddp, ddp_spawn, ... (Lightning Fabric strategies).")),
        ("num_nodes", int, O(1, rich_help_panel="Devices", help="Machines for multi-node training under torchrun or SLURM.")),
        ("precision", str, O("32-true", rich_help_panel="Devices", help="32-true, bf16-mixed or 16-mixed.")),
        ("grad_clip", Optional[float], O(None, rich_help_panel="Training", help="Clip the gradient norm to this value.")),
        ("log_every", int, O(50, rich_help_panel="Training", help="Steps between rows of metrics.csv.")),
        ("snapshot_every", int, O(1, rich_help_panel="Training", help="Epochs between reconstruction and sample images.")),
        ("resume", bool, O(False, "--resume", help="Continue the run in --out from its last checkpoint (the saved config is used; --epochs and --max-steps may extend it).")),
        ("overwrite", bool, O(False, "--overwrite", help="Replace an existing run in --out.")),
        ("as_json", bool, O(False, "--json", help="Print the training summary as one JSON object.")),
    ]  # fmt: skip
    return [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=t) for name, t, d in spec]


def _model_parameters(config_cls: type) -> tuple[list[inspect.Parameter], dict[str, type]]:
    """Command-line options generated from a model's config dataclass."""
    hints = typing.get_type_hints(config_cls)
    params, tuple_fields = [], {}
    for f in dataclasses.fields(config_cls):
        if not f.metadata.get("cli", True):
            continue
        annotation, default = hints[f.name], f.default
        if typing.get_origin(annotation) is tuple:
            tuple_fields[f.name] = typing.get_args(annotation)[0]
            annotation, default = str, ",".join(map(str, default))
        help_text = f.metadata.get("help", "")
        option = typer.Option(default, help=help_text, rich_help_panel="Model options")
        params.append(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=annotation))
    return params, tuple_fields


def _parse_tuple(name: str, text: str, item: type) -> tuple[Any, ...]:
    try:
        return tuple(item(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError as e:
        raise ConfigError(f"--{name.replace('_', '-')} takes comma-separated numbers like 512,256, got {text!r}") from e


def _make_train_command(model_name: str) -> Any:
    from genlab.models.registry import get_model_spec

    spec = get_model_spec(model_name)
    model_params, tuple_fields = _model_parameters(spec.config_cls)
    model_names = [p.name for p in model_params]

    def command(**kwargs: Any) -> None:
        options = {n: kwargs.pop(n) for n in model_names}
        options = {n: _parse_tuple(n, v, tuple_fields[n]) if n in tuple_fields else v for n, v in options.items()}
        _train(model_name, options, **kwargs)

    command.__signature__ = inspect.Signature(_common_train_parameters() + model_params)  # type: ignore[attr-defined]
    command.__doc__ = f"Train a {spec.summary}." + _examples(*spec.examples)
    command.__name__ = f"train_{model_name}"
    return command


def _train(model_name: str, model_options: dict[str, Any], *, out: Path, data: str | None, epochs: int | None,
           batch_size: int, lr: float, seed: int, limit: int | None, max_steps: int | None, resize: int | None,
           binarize: bool, dequantize: bool, val_fraction: float, accelerator: str, devices: int, strategy: str,
           num_nodes: int, precision: str, grad_clip: float | None, log_every: int, snapshot_every: int,
           resume: bool, overwrite: bool, as_json: bool) -> None:  # fmt: skip
    from genlab.api import resume_run, train_run
    from genlab.data.registry import default_dataset
    from genlab.data.splits import DataSpec
    from genlab.run import Run
    from genlab.train.config import TrainConfig

    with _progress_bar() as progress:
        if resume:
            if overwrite:
                raise ConfigError("--resume and --overwrite exclude each other")
            saved = Run(out).require().load_config().model
            if saved != model_name:
                raise ConfigError(f"{out} holds a '{saved}' run; resume it with `genlab train {saved} --out {out} --resume`")
            run, result = resume_run(str(out), epochs, max_steps, progress=progress)
        else:
            spec = DataSpec(data or default_dataset(), resize, binarize, dequantize, limit, val_fraction, seed)
            train = TrainConfig(
                epochs=epochs or TrainConfig.epochs, batch_size=batch_size, lr=lr, seed=seed, max_steps=max_steps,
                accelerator=accelerator, devices=devices, strategy=strategy, num_nodes=num_nodes,
                precision=precision, log_every=log_every, snapshot_every=snapshot_every, grad_clip=grad_clip,
            )  # fmt: skip
            run, result = train_run(model_name, spec, train, str(out), model_options, overwrite=overwrite, progress=progress)
    from genlab.train.distributed import is_secondary_process

    if is_secondary_process():
        return
    summary = result.summary
    if as_json:
        _print_json({"run": str(run.path), **summary, "report": str(run.report_path)})
    if result.status == "interrupted":
        log.warning(
            "stopped at step %d; the checkpoint is saved. Continue with: genlab train %s --out %s --resume",
            summary["steps"], model_name, run.path,
        )  # fmt: skip
        raise typer.Exit(130)
    log.info(
        "trained %s into %s: %d epochs, %d steps, %s examples/s; report: %s",
        model_name, run.path, summary["epochs_completed"], summary["steps"], summary["examples_per_s"], run.report_path,
    )  # fmt: skip


class _progress_bar:
    """A rich progress bar on stderr when it is a terminal; otherwise nothing (epoch lines are logged)."""

    def __init__(self, label: str = "training") -> None:
        self.label = label

    def __enter__(self) -> Any:
        if not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(
            TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            TextColumn("{task.fields[info]}"), console=Console(stderr=True), transient=False,
        )  # fmt: skip
        self.bar.start()
        self.task = self.bar.add_task(self.label, total=None, info="")
        return self.update

    def update(self, step: int, total: int, metrics: dict[str, float] | None = None) -> None:
        info = " ".join(f"val {k}={v:.4g}" for k, v in metrics.items()) if metrics else None
        self.bar.update(self.task, completed=step, total=total, **({"info": info} if info else {}))

    def __exit__(self, *exc: object) -> None:
        if hasattr(self, "bar"):
            self.bar.stop()


for _name in __import__("genlab.models", fromlist=["MODELS"]).MODELS:
    train_app.command(_name)(_make_train_command(_name))


# --- evaluate, sample, reconstruct, report ------------------------------------------------------


@app.command(
    help="Score a run on a split of its data: ELBO, IWAE NLL and bits/dim for a VAE; MSE and PSNR for an AE."
    + _examples("genlab evaluate runs/vae", "genlab evaluate runs/vae --json --iwae-k 1000", "genlab evaluate runs/ae --split val --json")
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

    with _progress_bar("evaluating") as progress:
        result = evaluate_run(str(run), split, iwae_k, n, batch_size, seed, device, progress=progress)
    if as_json:
        _print_json(result)
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


@app.command(help="Draw samples from a run's model into an image grid." + _examples("genlab sample runs/vae --n 64 --out samples.png --seed 1"))
def sample(
    run: Path = typer.Argument(..., help="Run folder."),
    out: Path = typer.Option(..., "--out", "-o", help="PNG file to write."),
    n: int = typer.Option(64, help="Number of samples."),
    seed: int = typer.Option(0, help="Seed of the latent draws."),
    ncol: int = typer.Option(8, help="Images per row."),
    device: str = typer.Option("auto", help="auto, cpu, cuda or cuda:N."),
) -> None:
    from genlab.api import sample_run
    from genlab.viz.grid import save_grid

    path = save_grid(sample_run(str(run), n, seed, device), out, ncol)
    log.info("wrote %d samples to %s", n, path)


@app.command(help="Show examples above their reconstructions." + _examples("genlab reconstruct runs/vae --n 16 --out recon.png"))
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


@app.command(help="Write the run's self-contained HTML report." + _examples("genlab report runs/vae", "genlab report runs/vae --out /tmp/vae.html"))
def report(
    run: Path = typer.Argument(..., help="Run folder."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="HTML file [default: RUN/report.html]."),
) -> None:
    from genlab.viz.report import write_report

    path = write_report(run, out)
    sys.stdout.write(f"{path}\n")


def main() -> None:
    """Entry point: run the app, turning GenlabErrors into one line on stderr and exit status 2."""
    try:
        app()
    except GenlabError as e:
        if _state["debug"]:
            raise
        sys.stderr.write(f"error: {e}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
