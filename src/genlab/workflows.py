"""What the commands do with a run folder: train it (with its report), resume it, sample and
reconstruct from it. Below the application packages, which train runs of their own (bias
discovery fits a VAE); :mod:`genlab.api` gathers these with the applications for users.

    from genlab.workflows import train_run
    from genlab.data import DataSpec
    from genlab.train import TrainConfig

    run, result = train_run("vae", DataSpec("digits"), TrainConfig(epochs=5), "runs/vae", {"latent_dim": 8})
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import torch

from genlab.data.splits import DataSpec, Splits, load_split, load_splits, noisy_view, reuse_splits
from genlab.device import resolve_device
from genlab.errors import ConfigError, RunError
from genlab.models.protocols import Conditional, Reconstructor, Sampler
from genlab.models.registry import build_model, get_model_spec
from genlab.report import write_report, write_training_animations
from genlab.run import Run, RunConfig
from genlab.seeding import seeded_rng
from genlab.train.checkpoint import saved_progress
from genlab.train.config import TrainConfig
from genlab.train.distributed import is_secondary_process
from genlab.train.trainer import FitResult, ProgressFn, Trainer

log = logging.getLogger(__name__)


def make_run_config(
    model: str, data: DataSpec, train: TrainConfig, model_options: dict[str, Any], example_shape: tuple[int, ...],
    num_classes: int = 0,
) -> RunConfig:  # fmt: skip
    """Validate every option and return the config a run folder would record.

    ``input_shape`` (and ``num_classes``, for configs that have that field) come from the data.
    """
    spec = get_model_spec(model)
    fields = {f.name for f in dataclasses.fields(spec.config_cls)}
    from_data: dict[str, Any] = {"input_shape": tuple(example_shape)}
    if "num_classes" in fields:
        from_data["num_classes"] = num_classes
    names = fields - set(from_data)
    unknown = sorted(set(model_options) - names)
    if unknown:
        raise ConfigError(f"model '{model}' has no option {', '.join(unknown)}; it has {', '.join(sorted(names))}")
    model_config = spec.config_cls(**model_options, **from_data)
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
    config = make_run_config(
        model, data, train, model_options or {}, splits.train.example_shape, count_classes(splits.train)
    )
    trainer = Trainer(config.train, progress)
    run = Run(out) if is_secondary_process() else Run.create(out, config, overwrite=overwrite)
    return run, _fit(trainer, run, config, splits, resume=False)


def count_classes(data: Any) -> int:
    """The number of classes of a labeled Dataset (its class names, else the largest label + 1); 0 if unlabeled."""
    if data.y is None or len(data.y) == 0:
        return 0
    return len(data.classes) if data.classes else int(data.y.max()) + 1


def resume_run(
    out: str,
    epochs: int | None = None,
    max_steps: int | None = None,
    *,
    max_time: float | None = None,
    progress: ProgressFn | None = None,
) -> tuple[Run, FitResult]:
    """Continue the run at ``out`` from its last checkpoint, optionally to more epochs or steps, or
    with a new time budget (seconds for this session)."""
    run = Run(out).require()
    config = run.load_config()
    done = saved_progress(run.resumable_state())
    splits = load_splits(config.data)  # before the config changes: a failed resume leaves the run as it was
    changed = {k: v for k, v in {"epochs": epochs, "max_steps": max_steps, "max_time": max_time}.items() if v is not None}
    if changed:
        config.train = dataclasses.replace(config.train, **changed)
        config.train.validate()
    target = config.train
    if done.epoch >= target.epochs or (target.max_steps is not None and done.step >= target.max_steps):
        raise ConfigError(
            f"{run.path} has already trained {done.epoch} of {target.epochs} epochs ({done.step} steps"
            + ("" if target.max_steps is None else f", --max-steps {target.max_steps}")
            + "); pass a larger --epochs or --max-steps to train further"
        )
    if changed and not is_secondary_process():
        run.save_config(config)
    return run, _fit(Trainer(config.train, progress), run, config, splits, resume=True)


def _fit(trainer: Trainer, run: Run, config: RunConfig, splits: Splits, resume: bool) -> FitResult:
    with seeded_rng(config.train.seed):  # the initial weights depend on the run's seed alone
        model = build_model(config.model, config.model_config)
    result = trainer.fit(model, splits, run, config.data, resume=resume)
    if not is_secondary_process():
        with reuse_splits(config.data, splits):
            write_training_animations(run, model)
            write_report(run)
    return result


def sample_run(path: str, n: int = 64, seed: int = 0, device: str = "auto", label: int | None = None) -> torch.Tensor:
    """``n`` samples from the run's model as images (N, C, H, W) in [0, 1] (or vectors (N, D)).

    ``label`` picks the class of a conditional GAN; it is required for one and refused otherwise.
    """
    if n < 1:
        raise ConfigError(f"--n must be at least 1, got {n}")
    run = Run(path)
    model = run.load_model(resolve_device(device))
    if not isinstance(model, Sampler):
        name = run.load_config().model
        raise ConfigError(f"a '{name}' model has no prior to sample from; train a vae to draw samples")
    generator = torch.Generator().manual_seed(seed)
    if isinstance(model, Conditional):
        labels = None if label is None else torch.full((n,), label, dtype=torch.long)
        model.check_labels(labels)
        samples = model.sample(n, generator, labels)
    elif label is not None:
        raise ConfigError(f"a '{run.load_config().model}' model is not conditioned on labels, so --label does not apply")
    else:
        samples = model.sample(n, generator)
    return samples.clamp(0, 1).cpu() if samples.dim() == 4 else samples.cpu()


def reconstruct_run(path: str, n: int = 16, split: str = "test", seed: int = 0, device: str = "auto") -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``n`` examples of ``split`` (as the model sees them) and their reconstructions."""
    if n < 1:
        raise ConfigError(f"--n must be at least 1, got {n}")
    run = Run(path)
    config = run.load_config()
    dev = resolve_device(device)
    model = run.load_model(dev)
    if not isinstance(model, Reconstructor):
        raise ConfigError(f"{run.path} holds a '{config.model}' model, which has no encoder to reconstruct with; try `genlab sample`")
    data = load_split(config.data, split, slice(0, n))
    if not data.is_image:
        raise RunError(f"{run.path} was trained on vectors, which have no picture; use `genlab evaluate` for numbers")
    x = noisy_view(config.data, data.x, data.bits, torch.Generator().manual_seed(seed)).to(dev)
    return x.cpu(), model.reconstruct(x).clamp(0, 1).cpu()
