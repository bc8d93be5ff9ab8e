"""The one training loop, shared by every model, on Lightning Fabric.

The loop stays plain PyTorch; Fabric supplies devices, precision and data-parallel processes.
A model only has to return its named loss terms from ``forward(x, y)`` (a dict with ``loss``);
``snapshot_images(x, generator)``, when present, gives the pictures saved each epoch (from the
first ``snapshot_examples`` validation examples, default 32), and ``sampling_weights(x, y)``, when
present, is asked at the start of each epoch for per-example weights (or None) with which that
epoch's examples are drawn, with replacement (DB-VAE). A model with several optimizers (a GAN)
declares ``optimizer_parts()`` and ``training_step(x, y, ctx)`` instead: see
:mod:`genlab.train.protocol`.

Determinism: the data order of each epoch and the random state of each step are derived from
(seed, epoch) and (seed, step, rank), so a run resumed from any checkpoint continues exactly as
the uninterrupted run would have, with the same weights at the end.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Self

import torch
from lightning_fabric import Fabric
from lightning_fabric.plugins import Precision
from lightning_fabric.strategies import SingleDeviceStrategy
from lightning_fabric.utilities.exceptions import MisconfigurationException
from torch import nn

from genlab.data.splits import DataSpec, Splits, noisy_view
from genlab.errors import ConfigError, RunError, TrainingDiverged
from genlab.io import read_safetensors_metadata, write_json
from genlab.train.checkpoint import Progress, load_checkpoint, load_trainer_tensors, save_checkpoint
from genlab.train.config import TrainConfig
from genlab.train.logger import MetricsLogger
from genlab.train.protocol import Part, StepContext, ema_decay, ema_update
from genlab.viz.grid import save_grid

if TYPE_CHECKING:
    from genlab.run import Run

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int, "dict[str, float] | None"], None]
SNAPSHOT_EXAMPLES = 32


@dataclass
class FitResult:
    """How a call to :meth:`Trainer.fit` ended."""

    status: Literal["completed", "interrupted"]
    progress: Progress
    summary: dict[str, Any]


def derive_seed(*parts: object) -> int:
    """A 63-bit seed that depends on every part, so nearby steps get unrelated random streams."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & ((1 << 63) - 1)


def seed_device(device: torch.device, seed: int) -> None:
    """Seed the generator that draws on ``device`` (and the CPU's).

    ``torch.manual_seed`` would also queue seeds for every lazily initialized backend, with a
    captured stack trace each time: a cost worth avoiding once per step.
    """
    torch.default_generator.manual_seed(seed)
    if device.type == "cuda":
        torch.cuda.default_generators[device.index or 0].manual_seed(seed)
    elif device.type == "mps":
        torch.mps.manual_seed(seed)


class _NonFinite(Exception):
    """A part's loss was NaN or infinite (raised on every process at once)."""

    def __init__(self, terms: dict[str, torch.Tensor]) -> None:
        super().__init__("non-finite loss")
        self.terms = terms


class _PendingSums:
    """Running sums of the logged loss terms, kept on the device between metrics rows.

    Reading them every step would cost a device sync each (a stall on a GPU); they are read when a
    row is written, which always happens before a checkpoint, so no checkpoint misses any.
    """

    def __init__(self) -> None:
        self.sums: dict[tuple[str, ...], torch.Tensor] = {}  # keyed by the term names, which may vary by step

    def add(self, terms: dict[str, torch.Tensor]) -> None:
        names = tuple(terms)
        values = torch.stack([v.detach().float().reshape(()) for v in terms.values()])
        previous = self.sums.get(names)
        self.sums[names] = values if previous is None else previous + values

    def fold_into(self, sums: dict[str, float]) -> None:
        for names, values in self.sums.items():
            for name, value in zip(names, values.tolist()):
                sums[name] = sums.get(name, 0.0) + value
        self.sums = {}


class _StopRequest:
    """Turns the first Ctrl-C (or SIGTERM from a scheduler) into a request to checkpoint and stop."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: object) -> None:
        if self.requested and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.requested = True
        log.warning("stop requested: saving a checkpoint after this step (Ctrl-C again aborts without saving)")

    def __enter__(self) -> Self:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def _past(deadline: float | None, session_examples: int) -> float:
    """1.0 once the wall-clock deadline has passed (as a flag the processes can all-reduce), else
    0.0; never before the session's first step, so that every session leaves a checkpoint."""
    return float(deadline is not None and session_examples > 0 and time.perf_counter() >= deadline)


def _updates_taken(optimizer: torch.optim.Optimizer) -> int:
    """Steps an Adam optimizer has taken (its state is checkpointed, so this survives a resume)."""
    for state in optimizer.state.values():
        if "step" in state:
            return int(state["step"])
    return 0


def _weights_digest(model: nn.Module) -> torch.Tensor:
    """SHA-256 of all weights, as 32 int64 values (so processes can all_gather and compare them)."""
    h = hashlib.sha256()
    for name, value in model.state_dict().items():
        h.update(name.encode())
        h.update(value.detach().cpu().contiguous().view(torch.uint8).numpy().tobytes())
    return torch.tensor(list(h.digest()), dtype=torch.int64)


class Trainer:
    """Trains any genlab model into a run folder: ``Trainer(TrainConfig(...)).fit(model, splits, run, data)``."""

    def __init__(self, config: TrainConfig, progress: ProgressFn | None = None) -> None:
        config.validate()
        self.config = config
        self.progress_fn = progress
        self.fabric = self.make_fabric()  # checks devices and strategy before anything is written
        self._epoch_weights: torch.Tensor | None = None  # the sampling weights of the current epoch, if any

    def make_fabric(self) -> Fabric:
        c = self.config
        try:
            return Fabric(
                accelerator=c.accelerator, devices=c.devices, strategy=c.strategy,
                num_nodes=c.num_nodes, precision=c.precision,  # type: ignore[arg-type]
            )  # fmt: skip
        except (MisconfigurationException, ValueError, RuntimeError) as e:
            # Fabric explains the problem (no GPU, unknown strategy, ...); keep its first sentence.
            reason = str(e).strip().splitlines()[0]
            raise ConfigError(
                f"cannot train with --accelerator {c.accelerator} --devices {c.devices} --strategy {c.strategy} "
                f"--precision {c.precision}: {reason}"
            ) from e

    def fit(
        self, model: nn.Module, splits: Splits, run: Run | None, data: DataSpec, resume: bool = False
    ) -> FitResult:
        """Train ``model`` on ``splits.train`` (validating on ``splits.val``), checkpointing into ``run``.

        With ``run=None`` training happens in memory only: no checkpoints, logs, images or summary
        file, and no validation pass (for estimators that fit small data sets in a second; the
        trained weights are in ``model``).
        """
        if run is None and resume:
            raise ConfigError("resuming needs a run folder to resume from")
        fabric = self.fabric
        if "spawn" in str(self.config.strategy):
            self.progress_fn = None  # spawned processes cannot share a terminal progress bar
        return fabric.launch(self._fit, model, splits, run, data, resume)

    # ------------------------------------------------------------------------------------------

    def _fit(
        self, fabric: Fabric, model: nn.Module, splits: Splits, run: Run | None, data: DataSpec, resume: bool
    ) -> FitResult:
        c = self.config
        rank, world = fabric.global_rank, fabric.world_size
        if fabric.device.type == "cpu" and world > 1:
            torch.set_num_threads(max(1, (os.cpu_count() or 1) // c.devices))
        if fabric.device.type == "cuda":
            # cuDNN's default algorithms may sum gradients in a varying order (seen: a conv VAE's
            # transposed-conv weights differed after a resume on an H200); the promise that a
            # resumed run ends with the uninterrupted run's weights needs deterministic ones.
            torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
        raw_model = model
        # oneDNN's convolutions run faster on channels-last images on the CPU (measured: +6% for
        # the conv VAE); values are the same, only the memory layout differs.
        channels_last = fabric.device.type == "cpu" and splits.train.is_image
        if channels_last:
            model = model.to(memory_format=torch.channels_last)
        fused = fabric.device.type in ("cpu", "cuda")
        parts: dict[str, Part] | None = model.optimizer_parts() if hasattr(model, "training_step") else None
        if parts is None:
            optimizer = torch.optim.Adam(model.parameters(), lr=c.lr, fused=fused)
            model, optimizer = fabric.setup(model, optimizer)
            # Fabric's module wrapper casts for reduced precision and routes DDP's forward; on one
            # device at full precision it does neither, and its output walk costs ~0.08 ms a step.
            plain = isinstance(fabric.strategy, SingleDeviceStrategy) and type(fabric.strategy.precision) is Precision
            forward = raw_model if plain else model
        else:
            # Each part is set up on its own (as in Lightning's DCGAN example), so that under DDP
            # the gradients of each player are synchronized by its own forward and backward.
            model = model.to(fabric.device)  # also the parts that no optimizer updates (an EMA copy)
            nets, optimizer = {}, {}
            for name, part in parts.items():
                if "." in name:
                    raise ConfigError(f"optimizer part names cannot contain '.', got {name!r}")
                opt = torch.optim.Adam(part.module.parameters(), lr=part.lr or c.lr, betas=part.betas, fused=fused)
                nets[name], optimizer[name] = fabric.setup(part.module, opt)
            update = self._part_updater(fabric, parts, nets, optimizer)

        progress = Progress()
        if resume and run is not None:
            progress = load_checkpoint(run.resumable_state(), raw_model, optimizer)
            self._epoch_weights = load_trainer_tensors(run.state_path).get("sampling_weights")

        train, bits = splits.train, splits.train.bits
        n_shard = len(train) // world
        if n_shard == 0:
            raise ConfigError(f"{len(train)} training examples cannot be shared among {world} processes")
        steps_per_epoch = math.ceil(n_shard / c.batch_size)
        total_steps = c.epochs * steps_per_epoch
        if c.max_steps is not None:
            total_steps = min(total_steps, c.max_steps)

        x_train = fabric.to_device(train.x)
        if channels_last:
            x_train = x_train.contiguous(memory_format=torch.channels_last)
        y_train = None if train.y is None else fabric.to_device(train.y)
        val_view = splits.val if len(splits.val) else splits.train.subset(slice(0, 256))
        x_val = fabric.to_device(noisy_view(data, val_view.x, bits, torch.Generator().manual_seed(c.seed)))
        y_val = None if val_view.y is None else fabric.to_device(val_view.y)

        logger = None
        if rank == 0 and run is not None:
            run.images_dir.mkdir(exist_ok=True)
            logger = MetricsLogger(run.metrics_path, run.tensorboard_dir, progress.step if resume else None)
        if rank == 0 and self.progress_fn:
            self.progress_fn(progress.step, total_steps, None)

        status: Literal["completed", "interrupted"] = "completed"
        start, step_seconds, session_examples = time.perf_counter(), 0.0, 0
        deadline = None if c.max_time is None else start + c.max_time
        out_of_time = False
        interval_seconds, interval_examples = 0.0, 0
        pending = _PendingSums()
        try:
            with _StopRequest() as stop:
                while progress.epoch < c.epochs and progress.step < total_steps:
                    if hasattr(raw_model, "sampling_weights") and (progress.batch == 0 or self._epoch_weights is None):
                        self._epoch_weights = self._sampling_weights(raw_model, x_train, y_train)
                    order = self._epoch_order(len(train), progress.epoch, rank, world, self._epoch_weights)
                    order = order.to(fabric.device)
                    batches = order.split(c.batch_size)
                    model.train()
                    while progress.batch < len(batches) and progress.step < total_steps:
                        t0 = time.perf_counter()
                        index = batches[progress.batch]
                        seed_device(fabric.device, derive_seed(c.seed, "step", progress.step, rank))
                        x = noisy_view(data, x_train[index], bits)
                        if parts is None:
                            terms = forward(x, None if y_train is None else y_train[index])
                            loss = terms["loss"]
                            nonfinite, interrupted, out_of_time = self._step_flags(
                                fabric, stop, _past(deadline, session_examples), loss
                            )
                            if nonfinite:
                                raise self._diverged(run, progress, terms)
                            if interrupted:
                                status = "interrupted"
                                break
                            if out_of_time:
                                break
                            optimizer.zero_grad(set_to_none=True)
                            fabric.backward(loss)
                            if c.grad_clip is not None:
                                fabric.clip_gradients(model, optimizer, max_norm=c.grad_clip)
                            optimizer.step()
                        else:
                            _, interrupted, out_of_time = self._step_flags(fabric, stop, _past(deadline, session_examples))
                            if interrupted:
                                status = "interrupted"
                                break
                            if out_of_time:
                                break
                            try:
                                terms = raw_model.training_step(
                                    x, None if y_train is None else y_train[index], StepContext(progress.step, nets, update)
                                )
                            except _NonFinite as e:
                                raise self._diverged(run, progress, e.terms) from None
                        progress.step += 1
                        progress.batch += 1
                        progress.examples += len(index) * world
                        pending.add(terms)
                        progress.log_count += 1
                        elapsed = time.perf_counter() - t0
                        step_seconds += elapsed
                        interval_seconds += elapsed
                        session_examples += len(index) * world
                        interval_examples += len(index) * world
                        if progress.step % c.log_every == 0:
                            self._flush_train_log(logger, progress, pending, interval_examples, interval_seconds)
                            interval_seconds, interval_examples = 0.0, 0
                        if rank == 0 and self.progress_fn:
                            self.progress_fn(progress.step, total_steps, None)
                    if status == "interrupted" or out_of_time:
                        break
                    if progress.batch >= len(batches):  # the epoch is complete
                        self._flush_train_log(logger, progress, pending, interval_examples, interval_seconds)
                        interval_seconds, interval_examples = 0.0, 0
                        progress.epoch += 1
                        progress.batch = 0
                        if run is None:
                            continue  # in memory: nothing to validate for, nothing to write
                        val = self._validate(fabric, raw_model, data, x_val, y_val)
                        if logger is not None:
                            logger.log(progress.step, progress.epoch, "val", val)
                        if rank == 0 and self.progress_fn:
                            self.progress_fn(progress.step, total_steps, val)
                        log.info("epoch %d/%d: %s", progress.epoch, c.epochs, _describe(val))
                        self._checkpoint(fabric, run, raw_model, optimizer, progress)
                        if progress.epoch % c.snapshot_every == 0 or progress.epoch == c.epochs:
                            self._snapshot(fabric, raw_model, x_val, run, progress.epoch)
                if progress.batch > 0 and run is not None:  # stopped inside an epoch: max_steps, max_time or a stop request
                    self._flush_train_log(logger, progress, pending, interval_examples, interval_seconds)
                    self._checkpoint(fabric, run, raw_model, optimizer, progress)
                    if status == "completed":
                        self._snapshot(fabric, raw_model, x_val, run, progress.epoch + 1)
        finally:
            if logger is not None:
                logger.close()

        summary = {
            "status": status,
            "epochs_completed": progress.epoch,
            "steps": progress.step,
            "total_steps": total_steps,
            "stopped_by_max_time": out_of_time,
            "examples_seen": progress.examples,
            "wall_seconds": round(time.perf_counter() - start, 3),
            "examples_per_s": round(session_examples / step_seconds, 1) if step_seconds else None,
            "world_size": world,
            "device": str(fabric.device),
            "precision": c.precision,
        }
        if world > 1:
            digests = fabric.all_gather(fabric.to_device(_weights_digest(raw_model)))
            summary["replica_checksums"] = [bytes(d.tolist()).hex() for d in digests.cpu()]
        if rank == 0 and run is not None:
            write_json(run.summary_path, summary)
        fabric.barrier()
        return FitResult(status, progress, summary)

    # ------------------------------------------------------------------------------------------

    def _step_flags(
        self, fabric: Fabric, stop: _StopRequest, out_of_time: float, loss: torch.Tensor | None = None
    ) -> tuple[bool, bool, bool]:
        """Whether ``loss`` is non-finite, a stop was requested, or time ran out, on any process.

        All processes get the same answer, so they stop at the same step; it costs one device
        sync, which the non-finite check needs anyway before the optimizer may step.
        """
        if fabric.world_size == 1:
            nonfinite = loss is not None and not bool(torch.isfinite(loss.detach()))
            return nonfinite, stop.requested, out_of_time > 0
        bad = torch.zeros(1, device=fabric.device) if loss is None else (~torch.isfinite(loss.detach())).float().reshape(1)
        flags = torch.cat([bad, torch.tensor([float(stop.requested), out_of_time], device=fabric.device)])
        nonfinite, requested, late = fabric.all_reduce(flags, reduce_op="sum").tolist()
        return nonfinite > 0, requested > 0, late > 0

    def _part_updater(
        self, fabric: Fabric, parts: dict[str, Part], nets: dict[str, nn.Module], optimizers: dict[str, Any]
    ) -> Callable[[str, torch.Tensor], None]:
        """The ``update(name, loss)`` of :class:`StepContext`: one optimizer step of one part."""
        clip = self.config.grad_clip

        def update(name: str, loss: torch.Tensor) -> None:
            if name not in parts:
                raise KeyError(f"no optimizer part {name!r}; the model declared {', '.join(parts)}")
            bad = (~torch.isfinite(loss.detach())).float().reshape(1)
            if fabric.world_size > 1:
                bad = fabric.all_reduce(bad, reduce_op="sum")
            if bad[0] > 0:
                raise _NonFinite({name: loss})
            optimizer = optimizers[name]
            optimizer.zero_grad(set_to_none=True)
            fabric.backward(loss)
            if clip is not None:
                fabric.clip_gradients(nets[name], optimizer, max_norm=clip)
            optimizer.step()
            part = parts[name]
            if part.ema is not None:
                ema_update(part.ema, part.module, ema_decay(part.ema_decay, _updates_taken(optimizer)))

        return update

    def _epoch_order(self, n: int, epoch: int, rank: int, world: int, weights: torch.Tensor | None = None) -> torch.Tensor:
        """This process's share of the epoch's examples, seeded by (seed, epoch); equal-sized across processes.

        A permutation, or with ``weights`` n draws with replacement in proportion to them.
        """
        generator = torch.Generator().manual_seed(derive_seed(self.config.seed, "order", epoch))
        if weights is None:
            order = torch.randperm(n, generator=generator)
        else:
            order = torch.multinomial(weights.detach().double().cpu(), n, replacement=True, generator=generator)
        usable = (n // world) * world
        return order[:usable][rank::world]

    @torch.no_grad()
    def _sampling_weights(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor | None:
        """The model's per-example weights for the coming epoch, computed in evaluation mode."""
        was_training = model.training
        model.eval()
        try:
            weights = model.sampling_weights(x, y)
        finally:
            model.train(was_training)  # the weights pass must not leave dropout/batch norm in eval mode
        if weights is None:
            return None
        if weights.shape != (len(x),) or not bool(torch.isfinite(weights).all()) or bool((weights < 0).any()) or not float(weights.sum()) > 0:
            raise TrainingDiverged(
                f"{type(model).__name__}.sampling_weights returned invalid weights (shape {tuple(weights.shape)}, "
                "need one finite, non-negative weight per training example, not all zero)"
            )
        return weights.detach().cpu()

    def _flush_train_log(
        self, logger: MetricsLogger | None, progress: Progress, pending: _PendingSums, examples: int, seconds: float
    ) -> None:
        pending.fold_into(progress.log_sums)
        if progress.log_count == 0:
            return
        means = {k: v / progress.log_count for k, v in progress.log_sums.items()}
        if logger is not None:
            means_row = dict(means, examples_per_s=round(examples / seconds, 1) if seconds else float("nan"))
            logger.log(progress.step, progress.epoch + 1, "train", means_row)
        progress.log_sums, progress.log_count = {}, 0

    @torch.no_grad()
    def _validate(
        self, fabric: Fabric, model: nn.Module, data: DataSpec, x: torch.Tensor, y: torch.Tensor | None
    ) -> dict[str, float]:
        """Mean loss terms over the validation set, shared among processes, with fixed noise."""
        rank, world = fabric.global_rank, fabric.world_size
        was_training = model.training
        model.eval()
        seed_device(x.device, derive_seed(self.config.seed, "validation"))
        index = torch.arange(rank, len(x), world, device=x.device)
        sums: dict[str, torch.Tensor] = {}
        for chunk in index.split(max(self.config.batch_size, 256)):
            terms = model(x[chunk], None if y is None else y[chunk])
            for name, value in terms.items():
                sums[name] = sums.get(name, torch.zeros((), device=x.device)) + value.detach().float() * len(chunk)
        names = sorted(sums)
        totals = torch.stack([sums[n] for n in names] + [torch.tensor(float(len(index)), device=x.device)])
        if world > 1:
            totals = fabric.all_reduce(totals, reduce_op="sum")
        model.train(was_training)
        return {n: float(totals[i] / totals[-1]) for i, n in enumerate(names)}

    def _checkpoint(self, fabric: Fabric, run: Run, model: nn.Module, optimizer: Any, progress: Progress) -> None:
        if fabric.global_rank == 0:
            # an epoch's weights are needed to resume inside it; at an epoch boundary they are recomputed
            extra = {"sampling_weights": self._epoch_weights} if self._epoch_weights is not None and progress.batch > 0 else {}
            save_checkpoint(run.state_path, run.weights_path, model, optimizer, progress, extra)
        fabric.barrier()

    def _snapshot(self, fabric: Fabric, model: nn.Module, x: torch.Tensor, run: Run, epoch: int) -> None:
        if fabric.global_rank != 0 or not hasattr(model, "snapshot_images"):
            return
        was_training = model.training
        model.eval()
        n = getattr(model, "snapshot_examples", SNAPSHOT_EXAMPLES)
        images = model.snapshot_images(x[:n], torch.Generator().manual_seed(self.config.seed))
        model.train(was_training)
        for name, batch in images.items():
            save_grid(batch, run.images_dir / f"epoch_{epoch:03d}_{name}.png")

    def _diverged(self, run: Run | None, progress: Progress, terms: dict[str, torch.Tensor]) -> TrainingDiverged:
        values = ", ".join(f"{k}={float(v.detach()):.4g}" for k, v in terms.items())
        if run is None:
            return TrainingDiverged(
                f"loss became non-finite at step {progress.step + 1} (epoch {progress.epoch + 1}: {values}); "
                "lower the learning rate or scale the data"
            )
        kept = (
            f"the last good checkpoint ({run.state_path.name}, step {_checkpoint_step(run)}) is kept in {run.path}"
            if run.state_path.is_file()
            else f"no checkpoint had been written yet to {run.path}"
        )
        return TrainingDiverged(
            f"loss became non-finite at step {progress.step + 1} (epoch {progress.epoch + 1}: {values}); {kept}. "
            "Lower --lr, add --grad-clip 1.0 or use --precision 32-true, then continue with --resume"
        )


def _checkpoint_step(run: Run) -> str:
    try:
        meta = read_safetensors_metadata(run.weights_path)
        return meta.get("step", "?")
    except RunError:
        return "?"


def _describe(values: dict[str, float]) -> str:
    return " ".join(f"{k}={v:.4g}" for k, v in values.items())
