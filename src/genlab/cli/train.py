"""`genlab train MODEL`: one subcommand per registered model, options generated from its config."""

from __future__ import annotations

import dataclasses
import inspect
import logging
import typing
from pathlib import Path
from typing import Any

import typer

from genlab.cli._app import examples, print_json, progress_bar, train_app
from genlab.errors import ConfigError

log = logging.getLogger("genlab")


# --- train ------------------------------------------------------------------------------------


def _common_train_parameters(data_names: tuple[str, str] | None = None) -> list[inspect.Parameter]:
    O = typer.Option
    also_a, also_b = ((f"--{data_names[0]}",), (f"--{data_names[1]}",)) if data_names else ((), ())
    spec: list[tuple[str, Any, Any]] = [
        ("out", Path, O(..., "--out", "-o", help="Run folder to create (or to continue with --resume).")),
        ("data", str | None, O(None, "--data", *also_a, rich_help_panel="Data", help="Data set: a built-in name (see `genlab datasets`), folder:PATH or npz:PATH. Default: fashion-mnist (digits if it is not installed).")),
        ("data_b", str | None, O(None, "--data-b", *also_b, rich_help_panel="Data", help="Domain B of unpaired translation (cyclegan, voice), any data set as --data, which is then domain A.")),
        ("epochs", int | None, O(None, rich_help_panel="Training", help="Passes over the training data (default 10).")),
        ("batch_size", int, O(128, rich_help_panel="Training", help="Examples per step on each device.")),
        ("lr", float, O(1e-3, rich_help_panel="Training", help="Adam learning rate.")),
        ("seed", int, O(0, rich_help_panel="Training", help="Seed of initialization, data order and noise.")),
        ("limit", int | None, O(None, rich_help_panel="Data", help="Use only the first N training examples (after the seeded shuffle).")),
        ("max_steps", int | None, O(None, rich_help_panel="Training", help="Stop after N optimizer steps.")),
        ("max_time", float | None, O(None, rich_help_panel="Training", help="Stop after this many seconds of training (e.g. 720 for a 12-minute budget); checkpointed, and --resume gets a fresh budget.")),
        ("resize", int | None, O(None, rich_help_panel="Data", help="Resize images to NxN.")),
        ("binarize", bool, O(False, rich_help_panel="Data", help="Dynamic binarization (a fresh Bernoulli draw per batch); needed for valid Bernoulli likelihoods of grayscale data.")),
        ("dequantize", bool, O(False, rich_help_panel="Data", help="Uniform dequantization of 8-bit values, for Gaussian likelihoods in bits/dim.")),
        ("val_fraction", float, O(0.1, rich_help_panel="Data", help="Share of the training data held out for validation.")),
        ("accelerator", str, O("auto", rich_help_panel="Devices", help="auto, cpu, gpu/cuda or mps.")),
        ("devices", int, O(1, rich_help_panel="Devices", help="Devices (processes) for data-parallel training.")),
        ("strategy", str, O("auto", rich_help_panel="Devices", help="auto, ddp, ddp_spawn, ... (Lightning Fabric strategies).")),
        ("num_nodes", int, O(1, rich_help_panel="Devices", help="Machines for multi-node training under torchrun or SLURM.")),
        ("precision", str, O("32-true", rich_help_panel="Devices", help="32-true, bf16-mixed or 16-mixed.")),
        ("grad_clip", float | None, O(None, rich_help_panel="Training", help="Clip the gradient norm to this value.")),
        ("log_every", int, O(50, rich_help_panel="Training", help="Steps between rows of metrics.csv.")),
        ("snapshot_every", int, O(1, rich_help_panel="Training", help="Epochs between reconstruction and sample images.")),
        ("checkpoint_every_steps", int | None, O(None, rich_help_panel="Checkpoints", help="Also checkpoint every N optimizer steps (besides epoch ends, stops and the time interval).")),
        ("checkpoint_every_minutes", float | None, O(10.0, rich_help_panel="Checkpoints", help="Also checkpoint once this many minutes have passed since the last checkpoint (10).")),
        ("resume", bool, O(False, "--resume", rich_help_panel="Checkpoints", help="Continue the run in --out from its last checkpoint (the saved config is used; --epochs and --max-steps may extend it).")),
        ("auto_resume", bool, O(False, "--auto-resume", rich_help_panel="Checkpoints", help="One command for the first start and every restart (schedulers that requeue): start the run in --out, or continue it from its last checkpoint, or exit 0 if it is complete; its settings must be this command's.")),
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

    command.__signature__ = inspect.Signature(_common_train_parameters(spec.data_names) + model_params)  # type: ignore[attr-defined]
    command.__doc__ = f"Train a {spec.summary}." + examples(*spec.examples)
    command.__name__ = f"train_{model_name}"
    return command


def _train(model_name: str, model_options: dict[str, Any], *, out: Path, data: str | None, data_b: str | None, epochs: int | None,
           batch_size: int, lr: float, seed: int, limit: int | None, max_steps: int | None, max_time: float | None,
           resize: int | None,
           binarize: bool, dequantize: bool, val_fraction: float, accelerator: str, devices: int, strategy: str,
           num_nodes: int, precision: str, grad_clip: float | None, log_every: int, snapshot_every: int,
           checkpoint_every_steps: int | None, checkpoint_every_minutes: float | None,
           resume: bool, auto_resume: bool, overwrite: bool, as_json: bool) -> None:  # fmt: skip
    from genlab.data.registry import default_dataset
    from genlab.data.splits import DataSpec
    from genlab.run import Run
    from genlab.train.config import TrainConfig
    from genlab.train.trainer import REQUEUE_EXIT
    from genlab.workflows import resume_run, train_or_resume, train_run

    if sum((resume, auto_resume, overwrite)) > 1:
        raise ConfigError("--resume, --auto-resume and --overwrite exclude each other; give one")
    with progress_bar() as progress:
        if resume:
            saved = Run(out).require().load_config().model
            if saved != model_name:
                raise ConfigError(f"{out} holds a '{saved}' run; resume it with `genlab train {saved} --out {out} --resume`")
            if data is not None:
                log.warning("--data is ignored with --resume: the run continues on the data it was started with")
            run, result = resume_run(str(out), epochs, max_steps, max_time=max_time, progress=progress)
        else:
            if data is not None and not data.strip():
                raise ConfigError("--data is empty; give a data set name (see `genlab datasets`), folder:PATH or npz:PATH")
            if data_b is not None and not data_b.strip():
                raise ConfigError("--data-b is empty; give domain B's data set (see `genlab datasets`)")
            spec = DataSpec(default_dataset() if data is None else data, resize, binarize, dequantize, limit, val_fraction, seed, data_b)
            train = TrainConfig(
                epochs=TrainConfig.epochs if epochs is None else epochs, batch_size=batch_size, lr=lr, seed=seed, max_steps=max_steps,
                max_time=max_time,
                accelerator=accelerator, devices=devices, strategy=strategy, num_nodes=num_nodes,
                precision=precision, log_every=log_every, snapshot_every=snapshot_every, grad_clip=grad_clip,
                checkpoint_every_steps=checkpoint_every_steps, checkpoint_every_minutes=checkpoint_every_minutes,
            )  # fmt: skip
            if auto_resume:
                run, fitted = train_or_resume(model_name, spec, train, str(out), model_options, progress=progress)
                if fitted is None:
                    _already_complete(run, as_json)
                    return
                result = fitted
            else:
                run, result = train_run(model_name, spec, train, str(out), model_options, overwrite=overwrite, progress=progress)
    from genlab.train.distributed import is_secondary_process

    if is_secondary_process():
        return
    summary = result.summary
    if as_json:
        print_json({"run": str(run.path), **summary, "report": str(run.report_path)})
    if result.status == "interrupted":
        log.warning(
            "stopped at step %d; the checkpoint is saved. Continue with: genlab train %s --out %s --resume",
            summary["steps"], model_name, run.path,
        )  # fmt: skip
        raise typer.Exit(130)
    if result.status == "preempted":
        log.warning(
            "preempted at step %d; the checkpoint is saved. Exit status %d asks a batch script to requeue the job; "
            "the same command with --auto-resume (or `genlab train %s --out %s --resume`) continues it",
            summary["steps"], REQUEUE_EXIT, model_name, run.path,
        )  # fmt: skip
        raise typer.Exit(REQUEUE_EXIT)
    if summary.get("stopped_by_max_time"):
        log.info("stopped by --max-time after %d of %d steps", summary["steps"], summary["total_steps"])
    log.info(
        "trained %s into %s: %d epochs, %d steps, %s examples/s; report: %s",
        model_name, run.path, summary["epochs_completed"], summary["steps"], summary["examples_per_s"], run.report_path,
    )  # fmt: skip


def _already_complete(run: Any, as_json: bool) -> None:
    summary = run.read_json(run.summary_path) or {}
    if as_json:
        print_json({"run": str(run.path), **summary, "already_complete": True, "report": str(run.report_path)})
    log.info("%s is already complete (%s epochs, %s steps); nothing to do", run.path,
             summary.get("epochs_completed"), summary.get("steps"))  # fmt: skip


for _name in __import__("genlab.models", fromlist=["MODELS"]).MODELS:
    train_app.command(_name)(_make_train_command(_name))
