"""The one training loop, shared by every model, on Lightning Fabric.

The loop stays plain PyTorch; Fabric supplies devices, precision and data-parallel processes.
Every model trains as a set of parts (:mod:`genlab.models.training`): a model whose
``forward(**batch)`` returns ``{"loss": ...}`` is one part over all its parameters; a model with
several optimizers (a GAN) declares ``optimizer_parts()`` and ``training_step(batch, ctx)``.
Batches are dicts of named tensors (``x``, ``y``, and a data set's extra arrays). Models that take
pictures during training (:class:`~genlab.models.training.Snapshots`) get them saved each epoch;
models that resample their data (:class:`~genlab.models.training.Resampled`, DB-VAE) are asked
for per-example weights at the start of each epoch.

Checkpoints are written at the end of every epoch, every ``checkpoint_every_steps`` steps, once
``checkpoint_every_minutes`` have passed since the last one, and when a stop is requested: Ctrl-C
or SIGTERM (status ``interrupted``), or SIGUSR1, the signal SLURM sends before it preempts a job
(status ``preempted``; the command then exits with :data:`REQUEUE_EXIT`).

Determinism: the data order of each epoch and the random state of each step are derived from
(seed, epoch) and (seed, step, rank), so a run resumed from any checkpoint continues exactly as
the uninterrupted run would have, with the same weights at the end. The global random state the
steps draw from is the trainer's own: the caller's is restored when :meth:`Trainer.fit` returns.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self

import torch
from lightning_fabric import Fabric
from lightning_fabric.plugins import Precision
from lightning_fabric.strategies import SingleDeviceStrategy
from lightning_fabric.utilities.exceptions import MisconfigurationException
from torch import nn

from genlab.data.splits import DataSpec, Splits, noisy_view
from genlab.errors import ConfigError, RunError, TrainingDiverged
from genlab.io import read_safetensors_metadata, write_json
from genlab.models.training import Batch, Part, Resampled, Snapshots, StepContext, Trainable, as_trainable
from genlab.progress import ProgressFn
from genlab.seeding import derive_seed, seed_device, seeded_rng
from genlab.train.checkpoint import (
    Progress,
    load_checkpoint,
    load_trainer_tensors,
    save_checkpoint,
    save_weights,
    weights_step,
)
from genlab.train.config import TrainConfig
from genlab.train.ema import ema_decay, ema_update
from genlab.train.folder import TrainingFolder
from genlab.train.logger import MetricsLogger
from genlab.viz.grid import save_grid

log = logging.getLogger(__name__)

Status = Literal["completed", "interrupted", "preempted"]
Ended = Literal["epoch", "max_steps", "interrupted", "preempted", "out_of_time"]  # why a pass over an epoch's steps stopped
# The exit status of a command stopped by SIGUSR1 with its checkpoint saved: EX_TEMPFAIL of
# sysexits.h ("try again later"), for the batch script that requeues the job (docs/clusters.md).
REQUEUE_EXIT = 75
VALIDATION_FALLBACK = 256  # training examples validated on when the data has no validation split


@dataclass
class FitResult:
    """How a call to :meth:`Trainer.fit` ended."""

    status: Status
    progress: Progress
    summary: dict[str, Any]


class Trainer:
    """Trains any genlab model into a run folder: ``Trainer(TrainConfig(...)).fit(model, splits, run, data)``."""

    def __init__(self, config: TrainConfig, progress: ProgressFn | None = None) -> None:
        config.validate()
        self.config = config
        self.progress_fn = progress
        self.fabric = self.make_fabric()  # checks devices and strategy before anything is written

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
        self, model: nn.Module, splits: Splits, run: TrainingFolder | None, data: DataSpec, resume: bool = False
    ) -> FitResult:
        """Train ``model`` on ``splits.train`` (validating on ``splits.val``), checkpointing into ``run``.

        With ``run=None`` training happens in memory only: no checkpoints, logs, images or summary
        file, and no validation pass (for estimators that fit small data sets in a second; the
        trained weights are in ``model``).
        """
        if run is None and resume:
            raise ConfigError("resuming needs a run folder to resume from")
        if "spawn" in str(self.config.strategy):
            self.progress_fn = None  # spawned processes cannot share a terminal progress bar
        return self.fabric.launch(self._fit, model, splits, run, data, resume)

    def _fit(
        self, fabric: Fabric, model: nn.Module, splits: Splits, run: TrainingFolder | None, data: DataSpec, resume: bool
    ) -> FitResult:
        with seeded_rng():
            return _Session(self.config, fabric, model, splits, run, data, self.progress_fn).train(resume)


# --- the pieces of a training session -------------------------------------------------------------


def epoch_order(
    n: int, seed: int, epoch: int, rank: int = 0, world: int = 1, weights: torch.Tensor | None = None
) -> torch.Tensor:
    """This process's share of an epoch's examples, seeded by (seed, epoch); equal-sized across processes.

    A permutation of ``n`` examples, or with ``weights`` n draws with replacement in proportion to them.
    """
    generator = torch.Generator().manual_seed(derive_seed(seed, "order", epoch))
    if weights is None:
        order = torch.randperm(n, generator=generator)
    else:
        order = torch.multinomial(weights.detach().double().cpu(), n, replacement=True, generator=generator)
    usable = (n // world) * world
    return order[:usable][rank::world]


@torch.no_grad()
def sampling_weights(model: Resampled, arrays: Batch) -> torch.Tensor | None:
    """The model's per-example weights for the coming epoch, computed in evaluation mode and checked."""
    was_training = model.training  # type: ignore[attr-defined]
    model.eval()  # type: ignore[attr-defined]
    try:
        weights = model.sampling_weights(**arrays)
    finally:
        model.train(was_training)  # type: ignore[attr-defined]  # dropout/batch norm must not stay in eval mode
    if weights is None:
        return None
    n = len(arrays["x"])
    if weights.shape != (n,) or not bool(torch.isfinite(weights).all()) or bool((weights < 0).any()) or not float(weights.sum()) > 0:
        raise TrainingDiverged(
            f"{type(model).__name__}.sampling_weights returned invalid weights (shape {tuple(weights.shape)}, "
            "need one finite, non-negative weight per training example, not all zero)"
        )
    return weights.detach().cpu()


@dataclass
class _Players:
    """A model's parts set up for the device: the modules a step calls and the optimizers it steps."""

    parts: dict[str, Part]
    nets: dict[str, nn.Module]
    optimizers: dict[str, torch.optim.Optimizer]
    lrs: dict[str, float]  # each part's base learning rate


def _set_up_players(fabric: Fabric, model: nn.Module, trainable: Trainable, lr: float) -> _Players:
    """One Adam per part; each part is set up with Fabric on its own (as in Lightning's DCGAN
    example), so that under DDP each player's gradients are synchronized by its own forward."""
    model.to(fabric.device)  # also the modules no optimizer updates (an EMA copy)
    parts = trainable.optimizer_parts()
    fused = fabric.device.type in ("cpu", "cuda")
    # Fabric's module wrapper casts for reduced precision and routes DDP's forward; on one device at
    # full precision it does neither, and its output walk costs ~0.08 ms a step: call the module.
    plain = isinstance(fabric.strategy, SingleDeviceStrategy) and type(fabric.strategy.precision) is Precision
    nets, optimizers, lrs = {}, {}, {}
    for name, part in parts.items():
        if "." in name:
            raise ConfigError(f"optimizer part names cannot contain '.', got {name!r}")
        lrs[name] = part.lr or lr
        adam = torch.optim.Adam(part.module.parameters(), lr=lrs[name], betas=part.betas, fused=fused)
        wrapped, optimizers[name] = fabric.setup(part.module, adam)
        nets[name] = part.module if plain else wrapped
    return _Players(parts, nets, optimizers, lrs)


class _DeviceData:
    """The training arrays on the device (indexed into batches), and the validation batch with fixed noise."""

    def __init__(self, fabric: Fabric, splits: Splits, spec: DataSpec, seed: int, channels_last: bool) -> None:
        train = splits.train
        self.spec, self.bits, self.n = spec, train.bits, len(train)
        self.train = {name: fabric.to_device(values) for name, values in train.arrays().items()}
        if channels_last:
            # oneDNN's convolutions run faster on channels-last images on the CPU (measured: +6% for
            # the conv VAE); values are the same, only the memory layout differs.
            self.train["x"] = self.train["x"].contiguous(memory_format=torch.channels_last)
        val = splits.val if len(splits.val) else train.subset(slice(0, VALIDATION_FALLBACK))
        self.val = {name: fabric.to_device(values) for name, values in val.arrays().items()}
        self.val["x"] = fabric.to_device(noisy_view(spec, val.x, self.bits, torch.Generator().manual_seed(seed)))

    def batch(self, index: torch.Tensor) -> Batch:
        """The examples at ``index``, ``x`` as the model sees it (a fresh binarized or dequantized draw)."""
        batch = {name: values[index] for name, values in self.train.items()}
        batch["x"] = noisy_view(self.spec, batch["x"], self.bits)
        return batch


class _Clock:
    """Time spent in steps and examples trained, for this session and since the last metrics row."""

    def __init__(self, max_time: float | None, checkpoint_minutes: float | None = None) -> None:
        self.start = time.perf_counter()
        self.deadline = None if max_time is None else self.start + max_time
        self.checkpoint_seconds = None if checkpoint_minutes is None else 60.0 * checkpoint_minutes
        self.last_checkpoint = self.start
        self.step_seconds, self.session_examples = 0.0, 0
        self.interval_seconds, self.interval_examples = 0.0, 0

    def add(self, seconds: float, examples: int) -> None:
        self.step_seconds += seconds
        self.interval_seconds += seconds
        self.session_examples += examples
        self.interval_examples += examples

    def restart_interval(self) -> None:
        self.interval_seconds, self.interval_examples = 0.0, 0

    def checkpointed(self) -> None:
        self.last_checkpoint = time.perf_counter()

    def checkpoint_due(self) -> bool:
        """Whether ``checkpoint_every_minutes`` have passed since the last checkpoint (or the start)."""
        return self.checkpoint_seconds is not None and time.perf_counter() - self.last_checkpoint >= self.checkpoint_seconds

    def past_deadline(self) -> float:
        """1.0 once the wall-clock deadline has passed (as a flag the processes can all-reduce), else
        0.0; never before the session's first step, so that every session leaves a checkpoint."""
        return float(self.deadline is not None and self.session_examples > 0 and time.perf_counter() >= self.deadline)


class _NonFinite(Exception):
    """A part's loss was NaN or infinite (raised on every process at once)."""

    def __init__(self, terms: dict[str, torch.Tensor]) -> None:
        super().__init__("non-finite loss")
        self.terms = terms


class _Abandoned(Exception):
    """A stop request or the deadline came before the step's first update (on any process): the
    step is dropped, nothing of it was applied, and a resume runs it again."""

    def __init__(self, reason: Ended) -> None:
        super().__init__(reason)
        self.reason = reason


class _Updater:
    """The ``update(name, loss)`` of :class:`StepContext`: one optimizer step of one part.

    Every update refuses a non-finite loss. The first update of a step also decides whether the
    step happens at all: a stop request (Ctrl-C, SIGTERM, SIGUSR1) or the deadline abandons it
    before any part has stepped, so an interrupted run resumes exactly. One device sync per
    update, and under DDP one all-reduce, answers these questions on every process at once.
    """

    def __init__(self, fabric: Fabric, players: _Players, grad_clip: float | None, total_steps: int) -> None:
        self.fabric, self.players, self.grad_clip, self.total_steps = fabric, players, grad_clip, total_steps
        self.step = 0
        self.first = True
        self.stop: _StopRequest | None = None
        self.clock: _Clock | None = None
        self.checkpoint_due = False  # the clock says a checkpoint is due (agreed by every process)

    def arm(self, step: int, stop: _StopRequest, clock: _Clock) -> None:
        """Start step ``step``; its first update asks ``stop`` and ``clock`` whether it may happen."""
        self.step, self.first, self.stop, self.clock = step, True, stop, clock

    def __call__(self, name: str, loss: torch.Tensor) -> None:
        players, fabric = self.players, self.fabric
        if name not in players.parts:
            raise KeyError(f"no optimizer part {name!r}; the model declared {', '.join(players.parts)}")
        nonfinite, stop, late = self._flags(loss)
        if nonfinite:
            raise _NonFinite({name: loss})
        if stop:
            raise _Abandoned(stop)
        if late:
            raise _Abandoned("out_of_time")
        optimizer, part = players.optimizers[name], players.parts[name]
        optimizer.zero_grad(set_to_none=True)
        fabric.backward(loss)
        if self.grad_clip is not None:
            fabric.clip_gradients(players.nets[name], optimizer, max_norm=self.grad_clip)
        if part.lr_schedule is not None:
            for group in optimizer.param_groups:
                group["lr"] = players.lrs[name] * part.lr_schedule(self.step, self.total_steps)
        optimizer.step()
        if part.ema is not None:
            ema_update(part.ema, part.module, ema_decay(part.ema_decay, _updates_taken(optimizer)))

    def _flags(self, loss: torch.Tensor) -> tuple[bool, Ended | None, bool]:
        """(non-finite loss, the stop requested or None, out of time), the last two decided on a
        step's first update only. Under DDP the same all-reduce also agrees on whether a
        checkpoint is due by the clock (:attr:`checkpoint_due`), which each process's clock alone
        could answer differently."""
        first, self.first = self.first, False
        stop = self.stop.reason if first and self.stop is not None else None
        late = self.clock.past_deadline() if first and self.clock is not None else 0.0
        due = first and self.clock is not None and self.clock.checkpoint_due()
        if self.fabric.world_size == 1:
            self.checkpoint_due = self.checkpoint_due or due
            return not bool(torch.isfinite(loss.detach())), stop, late > 0
        host = torch.tensor([float(stop is not None), float(stop == "preempted"), late, float(due)], device=loss.device)
        flags = torch.cat([(~torch.isfinite(loss.detach())).float().reshape(1), host])
        bad, asked, preempted, past, wanted = self.fabric.all_reduce(flags, reduce_op="sum").tolist()
        self.checkpoint_due = self.checkpoint_due or wanted > 0
        agreed: Ended | None = ("preempted" if preempted > 0 else "interrupted") if asked > 0 else None
        return bad > 0, agreed, past > 0


class _PendingSums:
    """Running sums of the logged loss terms, kept on the device between metrics rows.

    Reading them every step would cost a device sync each (a stall on a GPU); they are read when a
    row is written and before every checkpoint, so no checkpoint misses any.
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
    """Turns the first Ctrl-C or SIGTERM into a request to checkpoint and stop, and SIGUSR1 (a
    scheduler's warning before preemption) into a request to checkpoint and stop for a requeue."""

    SIGNALS: ClassVar[dict[int, Ended]] = {signal.SIGINT: "interrupted", signal.SIGTERM: "interrupted", signal.SIGUSR1: "preempted"}

    def __init__(self) -> None:
        self.reason: Ended | None = None
        self._previous: dict[int, Any] = {}

    @property
    def requested(self) -> bool:
        return self.reason is not None

    def _handle(self, signum: int, frame: object) -> None:
        if self.requested and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.reason = self.SIGNALS[signum]
        if self.reason == "preempted":
            log.warning("preemption signal: saving a checkpoint after this step, then exiting for a requeue")
        else:
            log.warning("stop requested: saving a checkpoint after this step (Ctrl-C again aborts without saving)")

    def __enter__(self) -> Self:
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


class _Session:
    """One call of :meth:`Trainer.fit` on one process: the model set up, the data on the device,
    the loop over epochs and steps, and the checkpoints, logs and pictures it leaves."""

    def __init__(
        self, config: TrainConfig, fabric: Fabric, model: nn.Module, splits: Splits, run: TrainingFolder | None,
        spec: DataSpec, progress_fn: ProgressFn | None,
    ) -> None:  # fmt: skip
        self.config, self.fabric, self.model, self.run = config, fabric, model, run
        self.rank, self.world = fabric.global_rank, fabric.world_size
        self.progress_fn = progress_fn if self.rank == 0 else None
        _configure_backends(fabric, config.devices)
        channels_last = fabric.device.type == "cpu" and splits.train.is_image
        if channels_last:
            model.to(memory_format=torch.channels_last)
        self.trainable = as_trainable(model)
        self.players = _set_up_players(fabric, model, self.trainable, config.lr)
        self.data = _DeviceData(fabric, splits, spec, config.seed, channels_last)
        n_shard = self.data.n // self.world
        if n_shard == 0:
            raise ConfigError(f"{self.data.n} training examples cannot be shared among {self.world} processes")
        self.steps_per_epoch = math.ceil(n_shard / config.batch_size)
        self.total_steps = config.epochs * self.steps_per_epoch
        if config.max_steps is not None:
            self.total_steps = min(self.total_steps, config.max_steps)
        self.update = _Updater(fabric, self.players, config.grad_clip, self.total_steps)
        self.progress = Progress()
        self.epoch_weights: torch.Tensor | None = None  # the sampling weights of the current epoch, if any
        self.pending = _PendingSums()
        self.logger: MetricsLogger | None = None
        self.rotate = True  # keep the state a checkpoint replaces as the previous checkpoint

    # --- the loop ---------------------------------------------------------------------------------

    def train(self, resume: bool) -> FitResult:
        c, run = self.config, self.run
        if resume and run is not None:
            state = run.resumable_state()
            self.progress = load_checkpoint(state, self.model, self.players.optimizers)
            self.epoch_weights = load_trainer_tensors(state).get("sampling_weights")
            # resumed from the previous checkpoint (the last is damaged): the next one replaces the
            # damaged file instead of pushing the good one out
            self.rotate = state == run.state_path
            if self.rank == 0 and weights_step(run.weights_path) != self.progress.step:
                # a kill between the state and the weights of a checkpoint: bring the weights up to it
                save_weights(run.weights_path, self.model.state_dict(), self.progress.step)
        if self.rank == 0 and run is not None:
            run.images_dir.mkdir(exist_ok=True)
            self.logger = MetricsLogger(run.metrics_path, run.tensorboard_dir, self.progress.step if resume else None)
        self._report_progress(None)
        clock = _Clock(c.max_time, c.checkpoint_every_minutes)
        ended: Ended = "epoch"
        try:
            with _StopRequest() as stop:
                while self.progress.epoch < c.epochs and self.progress.step < self.total_steps:
                    ended = self._run_epoch(stop, clock)
                    if ended != "epoch":
                        break
                    self._end_epoch(clock)
                if self.progress.batch > 0 and run is not None:  # stopped inside an epoch
                    self._flush_train_log(clock)
                    self._checkpoint()
                    if ended not in ("interrupted", "preempted"):
                        self._snapshot(self.progress.epoch + 1)
        finally:
            if self.logger is not None:
                self.logger.close()
        status: Status = ended if ended in ("interrupted", "preempted") else "completed"  # type: ignore[assignment]
        return self._finish(status, ended == "out_of_time", clock)

    def _run_epoch(self, stop: _StopRequest, clock: _Clock) -> Ended:
        """The rest of the current epoch's steps, until the epoch ends, --max-steps, a stop request or --max-time."""
        c, progress = self.config, self.progress
        if isinstance(self.model, Resampled) and (progress.batch == 0 or self.epoch_weights is None):
            self.epoch_weights = sampling_weights(self.model, self.data.train)
        order = epoch_order(self.data.n, c.seed, progress.epoch, self.rank, self.world, self.epoch_weights)
        batches = order.to(self.fabric.device).split(c.batch_size)
        self.model.train()
        while progress.batch < len(batches):
            if progress.step >= self.total_steps:
                return "max_steps"
            t0 = time.perf_counter()
            index = batches[progress.batch]
            seed_device(self.fabric.device, derive_seed(c.seed, "step", progress.step, self.rank))
            batch = self.data.batch(index)
            self.update.arm(progress.step, stop, clock)
            try:
                terms = self.trainable.training_step(batch, StepContext(progress.step, self.players.nets, self.update))
            except _NonFinite as e:
                raise self._diverged(e.terms) from None
            except _Abandoned as e:
                return e.reason
            examples = len(index) * self.world
            progress.step += 1
            progress.batch += 1
            progress.examples += examples
            self.pending.add(terms)
            progress.log_count += 1
            clock.add(time.perf_counter() - t0, examples)
            if progress.step % c.log_every == 0:
                self._flush_train_log(clock)
            if progress.batch < len(batches) and self._checkpoint_due():  # an epoch's end checkpoints anyway
                self.pending.fold_into(progress.log_sums)  # the sums since the last row travel in the checkpoint
                self._checkpoint()
                clock.checkpointed()
            self._report_progress(None)
        return "epoch"

    def _checkpoint_due(self) -> bool:
        """A checkpoint inside an epoch: every ``checkpoint_every_steps`` steps, or when the clock
        says so (on every process alike: see :class:`_Updater`)."""
        if self.run is None:
            return False
        every = self.config.checkpoint_every_steps
        due = self.update.checkpoint_due or (every is not None and self.progress.step % every == 0)
        self.update.checkpoint_due = False
        return due

    def _end_epoch(self, clock: _Clock) -> None:
        """Log the epoch, then (with a run folder) validate, take its pictures and checkpoint."""
        c, progress = self.config, self.progress
        self._flush_train_log(clock)
        progress.epoch += 1
        progress.batch = 0
        if self.run is None:
            return  # in memory: nothing to validate for, nothing to write
        val = self._validate()
        if self.logger is not None:
            self.logger.log(progress.step, progress.epoch, "val", val)
        self._report_progress(val)
        log.info("epoch %d/%d: %s", progress.epoch, c.epochs, _describe(val))
        # the pictures first: a checkpoint that says the epoch is done implies its pictures exist,
        # so a kill between the two never leaves an epoch without them after a resume
        if progress.epoch % c.snapshot_every == 0 or progress.epoch == c.epochs:
            self._snapshot(progress.epoch)
        self._checkpoint()
        clock.checkpointed()

    def _finish(self, status: Status, out_of_time: bool, clock: _Clock) -> FitResult:
        progress, fabric = self.progress, self.fabric
        summary = {
            "status": status,
            "epochs_completed": progress.epoch,
            "steps": progress.step,
            "total_steps": self.total_steps,
            "stopped_by_max_time": out_of_time,
            "examples_seen": progress.examples,
            "wall_seconds": round(time.perf_counter() - clock.start, 3),
            "examples_per_s": round(clock.session_examples / clock.step_seconds, 1) if clock.step_seconds else None,
            "world_size": self.world,
            "device": str(fabric.device),
            "precision": self.config.precision,
        }
        if self.world > 1:
            digests = fabric.all_gather(fabric.to_device(_weights_digest(self.model)))
            summary["replica_checksums"] = [bytes(d.tolist()).hex() for d in digests.cpu()]
        if self.rank == 0 and self.run is not None:
            write_json(self.run.summary_path, summary)
        fabric.barrier()
        return FitResult(status, progress, summary)

    # --- what a session leaves behind -------------------------------------------------------------

    def _report_progress(self, val: dict[str, float] | None) -> None:
        if self.progress_fn is not None:
            self.progress_fn("training", self.progress.step, self.total_steps, None if val is None else "val " + _describe(val))

    def _flush_train_log(self, clock: _Clock) -> None:
        progress = self.progress
        self.pending.fold_into(progress.log_sums)
        if progress.log_count > 0:
            means = {k: v / progress.log_count for k, v in progress.log_sums.items()}
            if self.logger is not None:
                seconds = clock.interval_seconds
                rate = round(clock.interval_examples / seconds, 1) if seconds else float("nan")
                self.logger.log(progress.step, progress.epoch + 1, "train", dict(means, examples_per_s=rate))
            progress.log_sums, progress.log_count = {}, 0
        clock.restart_interval()

    @torch.no_grad()
    def _validate(self) -> dict[str, float]:
        """Mean loss terms over the validation set, shared among processes, with fixed noise."""
        model, val = self.model, self.data.val
        x = val["x"]
        was_training = model.training
        model.eval()
        seed_device(x.device, derive_seed(self.config.seed, "validation"))
        index = torch.arange(self.rank, len(x), self.world, device=x.device)
        sums: dict[str, torch.Tensor] = {}
        for chunk in index.split(max(self.config.batch_size, 256)):
            terms = model(**{name: values[chunk] for name, values in val.items()})
            for name, value in terms.items():
                sums[name] = sums.get(name, torch.zeros((), device=x.device)) + value.detach().float() * len(chunk)
        names = sorted(sums)
        totals = torch.stack([sums[n] for n in names] + [torch.tensor(float(len(index)), device=x.device)])
        if self.world > 1:
            totals = self.fabric.all_reduce(totals, reduce_op="sum")
        model.train(was_training)
        return {n: float(totals[i] / totals[-1]) for i, n in enumerate(names)}

    def _checkpoint(self) -> None:
        run, progress = self.run, self.progress
        if self.rank == 0 and run is not None:
            # an epoch's weights are needed to resume inside it; at an epoch boundary they are recomputed
            extra = {"sampling_weights": self.epoch_weights} if self.epoch_weights is not None and progress.batch > 0 else {}
            previous = run.previous_state_path if self.rotate else None
            try:
                save_checkpoint(run.state_path, run.weights_path, self.model, self.players.optimizers, progress, extra, previous)
            except OSError as e:
                raise self._unwritable(e) from e
            self.rotate = True
        self.fabric.barrier()

    def _snapshot(self, epoch: int) -> None:
        model, run = self.model, self.run
        if self.rank != 0 or run is None or not isinstance(model, Snapshots):
            return
        was_training = model.training  # type: ignore[attr-defined]
        model.eval()  # type: ignore[attr-defined]
        n = model.snapshot_examples
        batch = {name: values[:n] for name, values in self.data.val.items()}
        images = model.snapshot_images(batch, torch.Generator().manual_seed(self.config.seed))
        model.train(was_training)  # type: ignore[attr-defined]
        for name, pictures in images.items():
            save_grid(pictures, run.snapshot_path(epoch, name))

    def _unwritable(self, error: OSError) -> RunError:
        """A checkpoint the file system refused (a full disk, a read-only folder): what is kept, what to do."""
        run = self.run
        assert run is not None
        kept = (
            f"the last good checkpoint (step {_checkpoint_step(run)}) is kept"
            if run.state_path.is_file() or run.previous_state_path.is_file()
            else "no checkpoint had been written yet"
        )
        return RunError(
            f"could not write a checkpoint into {run.path} at step {self.progress.step} ({error.strerror}); {kept}. "
            "Free some space or make the folder writable, then run the same command with --auto-resume"
        )

    def _diverged(self, terms: dict[str, torch.Tensor]) -> TrainingDiverged:
        run, progress = self.run, self.progress
        values = ", ".join(f"{k}={float(v.detach()):.4g}" for k, v in terms.items())
        where = f"loss became non-finite at step {progress.step + 1} (epoch {progress.epoch + 1}: {values})"
        if run is None:
            return TrainingDiverged(f"{where}; lower the learning rate or scale the data")
        kept = (
            f"the last good checkpoint ({run.state_path.name}, step {_checkpoint_step(run)}) is kept in {run.path}"
            if run.state_path.is_file()
            else f"no checkpoint had been written yet to {run.path}"
        )
        return TrainingDiverged(
            f"{where}; {kept}. Lower --lr, add --grad-clip 1.0 or use --precision 32-true, then continue with --resume"
        )


def _configure_backends(fabric: Fabric, devices: int) -> None:
    if fabric.device.type == "cpu" and fabric.world_size > 1:
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // devices))
    if fabric.device.type == "cuda":
        # cuDNN's default algorithms may sum gradients in a varying order (seen: a conv VAE's
        # transposed-conv weights differed after a resume on an H200); the promise that a
        # resumed run ends with the uninterrupted run's weights needs deterministic ones.
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False


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


def _checkpoint_step(run: TrainingFolder) -> str:
    try:
        meta = read_safetensors_metadata(run.weights_path)
        return meta.get("step", "?")
    except RunError:
        return "?"


def _describe(values: dict[str, float]) -> str:
    return " ".join(f"{k}={v:.4g}" for k, v in values.items())
