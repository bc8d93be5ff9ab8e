"""The Python API behind every command: train a run, draw samples, reconstruct, report.

    from genlab.api import train_run
    from genlab.data import DataSpec
    from genlab.train import TrainConfig

    run, result = train_run("vae", DataSpec("digits"), TrainConfig(epochs=5), "runs/vae", {"latent_dim": 8})
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import torch

from genlab.data.splits import DataSpec, load_splits, noisy_view
from genlab.device import resolve_device
from genlab.errors import ConfigError, RunError
from genlab.models.registry import build_model, get_model_spec
from genlab.run import Run, RunConfig
from genlab.train.config import TrainConfig
from genlab.train.distributed import is_secondary_process
from genlab.train.trainer import FitResult, ProgressFn, Trainer

log = logging.getLogger(__name__)


def make_run_config(model: str, data: DataSpec, train: TrainConfig, model_options: dict[str, Any], example_shape: tuple[int, ...]) -> RunConfig:
    """Validate every option and return the config a run folder would record."""
    spec = get_model_spec(model)
    names = {f.name for f in dataclasses.fields(spec.config_cls)} - {"input_shape"}
    unknown = sorted(set(model_options) - names)
    if unknown:
        raise ConfigError(f"model '{model}' has no option {', '.join(unknown)}; it has {', '.join(sorted(names))}")
    model_config = spec.config_cls(**model_options, input_shape=tuple(example_shape))
    model_config.validate()
    train.validate()
    return RunConfig(model, model_config, data, train)


def train_run(
    model: str,
    data: DataSpec,
    train: TrainConfig,
    out: str,
    model_options: dict[str, Any] | None = None,
    *,
    overwrite: bool = False,
    progress: ProgressFn | None = None,
) -> tuple[Run, FitResult]:
    """Train a new ``model`` on ``data`` into the run folder ``out`` and write its report."""
    splits = load_splits(data)
    config = make_run_config(model, data, train, model_options or {}, splits.train.example_shape)
    trainer = Trainer(config.train, progress)
    run = Run(out) if is_secondary_process() else Run.create(out, config, overwrite=overwrite)
    return run, _fit(trainer, run, config, splits, resume=False)


def resume_run(
    out: str, epochs: int | None = None, max_steps: int | None = None, *, progress: ProgressFn | None = None
) -> tuple[Run, FitResult]:
    """Continue the run at ``out`` from its last checkpoint, optionally to more epochs or steps."""
    run = Run(out).require()
    config = run.load_config()
    changed = {k: v for k, v in {"epochs": epochs, "max_steps": max_steps}.items() if v is not None}
    if changed:
        config.train = dataclasses.replace(config.train, **changed)
        config.train.validate()
        if not is_secondary_process():
            run.save_config(config)
    splits = load_splits(config.data)
    return run, _fit(Trainer(config.train, progress), run, config, splits, resume=True)


def _fit(trainer: Trainer, run: Run, config: RunConfig, splits: Any, resume: bool) -> FitResult:
    torch.manual_seed(config.train.seed)  # the initial weights depend on the run's seed alone
    model = build_model(config.model, config.model_config)
    result = trainer.fit(model, splits, run, config.data, resume=resume)
    if not is_secondary_process():
        from genlab.viz.report import write_report

        write_report(run)
    return result


def sample_run(path: str, n: int = 64, seed: int = 0, device: str = "auto") -> torch.Tensor:
    """``n`` samples from the run's model as images (N, C, H, W) in [0, 1]."""
    if n < 1:
        raise ConfigError(f"--n must be at least 1, got {n}")
    run = Run(path)
    model = run.load_model(resolve_device(device))
    if not hasattr(model, "sample"):
        name = run.load_config().model
        raise ConfigError(f"a '{name}' model has no prior to sample from; train a vae to draw samples")
    return model.sample(n, torch.Generator().manual_seed(seed)).clamp(0, 1).cpu()


def reconstruct_run(path: str, n: int = 16, split: str = "test", seed: int = 0, device: str = "auto") -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``n`` examples of ``split`` (as the model sees them) and their reconstructions."""
    if n < 1:
        raise ConfigError(f"--n must be at least 1, got {n}")
    run = Run(path)
    config = run.load_config()
    dev = resolve_device(device)
    model = run.load_model(dev)
    data = load_splits(config.data).get(split).subset(slice(0, n))
    if not data.is_image:
        raise RunError(f"{run.path} was trained on vectors, which have no picture; use `genlab evaluate` for numbers")
    x = noisy_view(config.data, data.x, data.bits, torch.Generator().manual_seed(seed)).to(dev)
    return x.cpu(), model.reconstruct(x).clamp(0, 1).cpu()
