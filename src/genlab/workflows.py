"""What the commands do with a run folder: train it (with its report), resume it, start or continue
it with one command (:func:`train_or_resume`, for schedulers that requeue a job), sample and
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
from pathlib import Path
from typing import Any

import torch

from genlab.data.dataset import Dataset
from genlab.data.splits import DataSpec, Splits, load_split, load_splits, noisy_view, reuse_splits
from genlab.device import resolve_device
from genlab.errors import ConfigError, RunError
from genlab.io import remove_orphaned_temp_files
from genlab.models.protocols import Conditional, Reconstructor, Sampler, Translator
from genlab.models.registry import build_model, get_model_spec
from genlab.progress import ProgressFn
from genlab.report import write_report, write_training_animations
from genlab.run import Run, RunConfig
from genlab.seeding import seeded_rng
from genlab.train.checkpoint import Progress, saved_progress, weights_step
from genlab.train.config import MAY_CHANGE_ON_RESUME, TrainConfig
from genlab.train.distributed import is_secondary_process
from genlab.train.trainer import FitResult, Trainer

log = logging.getLogger(__name__)


def make_run_config(
    model: str, data: DataSpec, train: TrainConfig, model_options: dict[str, Any], example: Dataset
) -> RunConfig:
    """Validate every option and return the config a run folder would record.

    The fields the data decides (``input_shape``, and ``num_classes`` or ``target_shape`` for the
    configs that have them) come from ``example``, the training data.
    """
    spec = get_model_spec(model)
    from_data = spec.config_cls.from_data(example)
    names = {f.name for f in dataclasses.fields(spec.config_cls)} - set(from_data)
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
    config = make_run_config(model, data, train, model_options or {}, splits.train)
    trainer = Trainer(config.train, progress)
    run = Run(out) if is_secondary_process() else Run.create(out, config, overwrite=overwrite)
    return run, _fit(trainer, run, config, splits, resume=False)


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
    if finished(done, target):
        raise ConfigError(
            f"{run.path} has already trained {done.epoch} of {target.epochs} epochs ({done.step} steps"
            + ("" if target.max_steps is None else f", --max-steps {target.max_steps}")
            + "); pass a larger --epochs or --max-steps to train further"
        )
    if not is_secondary_process():
        remove_orphaned_temp_files(run.path)
        if changed:
            run.save_config(config)
    return run, _fit(Trainer(config.train, progress), run, config, splits, resume=True)


def train_or_resume(
    model: str,
    data: DataSpec,
    train: TrainConfig,
    out: str,
    model_options: dict[str, Any] | None = None,
    *,
    progress: ProgressFn | None = None,
) -> tuple[Run, FitResult | None]:
    """One call for the first start and every restart of a run (``genlab train ... --auto-resume``).

    Starts the run when ``out`` holds none, or only one that never reached its first checkpoint;
    continues it from its last checkpoint when it has one; returns ``(run, None)`` when it is
    already complete (and changes no file). The run in ``out`` must have been started with the
    same settings, except how long it trains, on which devices, and how often it logs and saves
    (:data:`~genlab.train.config.MAY_CHANGE_ON_RESUME`): a ConfigError names every other difference.
    """
    run = Run(out)
    if not run.config_path.is_file():
        return train_run(model, data, train, out, model_options, progress=progress)
    saved = run.load_config()
    splits = load_splits(data)
    wanted = make_run_config(model, data, train, model_options or {}, splits.train)
    differences = config_differences(saved, wanted)
    if differences:
        raise ConfigError(
            f"{run.path} holds a run started with other settings ({'; '.join(differences)}); give the options it "
            "was started with, or choose another --out"
        )
    if not run.has_checkpoint():
        log.info("%s never reached its first checkpoint: starting it again", run.path)
        if not is_secondary_process():
            run = Run.create(out, wanted, overwrite=True)
        return run, _fit(Trainer(wanted.train, progress), run, wanted, splits, resume=False)
    done = saved_progress(run.resumable_state())
    if finished(done, wanted.train) and is_complete(run, done):
        return run, None
    if not is_secondary_process():
        remove_orphaned_temp_files(run.path)  # of a process killed while it wrote
        if wanted.train != saved.train:
            run.save_config(wanted)  # this command's length, devices and intervals
    return run, _fit(Trainer(wanted.train, progress), run, wanted, splits, resume=True)


def config_differences(saved: RunConfig, wanted: RunConfig) -> list[str]:
    """Each setting in which ``wanted`` differs from the run's ``saved`` one, as ``name: run's value,
    wanted value``; the settings a continued run may change are left out."""
    differences: list[str] = []

    def compare(prefix: str, old: dict[str, Any], new: dict[str, Any], skip: tuple[str, ...] = ()) -> None:
        for key in sorted(old.keys() | new.keys()):
            if key not in skip and old.get(key) != new.get(key):
                differences.append(f"{prefix}{key} {old.get(key)!r} in the run, {new.get(key)!r} now")

    compare("", {"model": saved.model}, {"model": wanted.model})
    compare("", saved.model_config.to_dict(), wanted.model_config.to_dict())
    compare("data.", dataclasses.asdict(saved.data), dataclasses.asdict(wanted.data))
    compare("", dataclasses.asdict(saved.train), dataclasses.asdict(wanted.train), MAY_CHANGE_ON_RESUME)
    return differences


def finished(done: Progress, train: TrainConfig) -> bool:
    """Whether a run at ``done`` has trained as long as ``train`` asks."""
    return done.epoch >= train.epochs or (train.max_steps is not None and done.step >= train.max_steps)


def is_complete(run: Run, done: Progress) -> bool:
    """Whether a finished run has every file training leaves: its summary and report, and weights
    of its last checkpoint (a kill between the last checkpoint and the end can leave them out)."""
    summary = run.read_json(run.summary_path) or {}
    return summary.get("steps") == done.step and weights_step(run.weights_path) == done.step and run.report_path.is_file()


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
    model = run.load_capable(Sampler, resolve_device(device), "a '{model}' model has no prior to sample from; train a vae to draw samples")
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
    model = run.load_capable(
        Reconstructor, dev, "{run} holds a '{model}' model, which has no encoder to reconstruct with; try `genlab sample`"
    )
    data = load_split(config.data, split, slice(0, n))
    if not data.is_image:
        raise RunError(f"{run.path} was trained on vectors, which have no picture; use `genlab evaluate` for numbers")
    x = noisy_view(config.data, data.x, data.bits, torch.Generator().manual_seed(seed)).to(dev)
    return x.cpu(), model.reconstruct(x).clamp(0, 1).cpu()


def translate_run(
    path: str, inputs: str, out: str, direction: str | None = None, batch_size: int = 16, device: str = "auto",
    progress: ProgressFn | None = None,
) -> list[Path]:
    """Translate the image file or every image of the folder ``inputs`` with the run's model
    (pix2pix, CycleGAN); write each result as a PNG of the same name into the folder ``out``.

    Every input is translated, at its own size; images of one size go through in batches of
    ``batch_size``. ``direction`` (AtoB or BtoA) picks CycleGAN's generator; pix2pix translates in
    the direction it was trained in only. The model runs in evaluation mode (see the models).
    """
    from genlab.data.folder import image_files, read_image
    from genlab.viz.grid import save_image

    if batch_size < 1:
        raise ConfigError(f"--batch-size must be at least 1, got {batch_size}")
    run = Run(path)
    config = run.load_config()
    model = run.load_capable(
        Translator, resolve_device(device), "{run} holds a '{model}' model, which does not translate images; train pix2pix or cyclegan"
    )
    files = image_files(Path(inputs).expanduser())
    out_dir = Path(out)
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"--out {out_dir} is a file; give a folder for the translated images")
    shape = config.model_config.source_shape(direction)  # type: ignore[attr-defined]
    model.translate(torch.zeros(1, *shape), direction)  # a bad --direction fails before any image is read
    channels = shape[0]
    images = [(file, read_image(file, channels)) for file in files]
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    by_size: dict[tuple[int, ...], list[tuple[Path, torch.Tensor]]] = {}
    for file, image in images:
        by_size.setdefault(tuple(image.shape), []).append((file, image))
    for group in by_size.values():
        for start in range(0, len(group), batch_size):
            chunk = group[start : start + batch_size]
            outputs = model.translate(torch.stack([image for _, image in chunk]).to(model_device(model)), direction).cpu()
            for (file, _), output in zip(chunk, outputs):
                written.append(save_image(output, out_dir / f"{file.stem}.png"))
            if progress is not None:
                progress("translating", len(written), len(images))
    return written


def model_device(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device
