"""The contract between a model and genlab's one trainer: named batches, parts and the training step.

Data reaches a model as a **batch**: a dict of named tensors whose names are the model's argument
names (``{"x": images, "y": labels}`` for today's models; ``{"x": ..., "target": ...}`` for
paired images; any rank, e.g. speech features (N, C, T)). ``forward(**batch)`` returns the named
loss terms, ``{"loss": ..., "recon": ..., ...}``.

Every model trains as a set of **parts**, each with its own Adam optimizer. A model whose
``forward`` returns a ``loss`` needs nothing more: :func:`as_trainable` makes it one part over
all its parameters (:class:`SingleLoss`). A model that plays a game (a GAN) declares its parts and
its own step, and the trainer still owns the optimizers, devices, checkpoints and NaN guard:

    def optimizer_parts(self) -> dict[str, Part]:
        return {"discriminator": Part(self.discriminator, lr=4e-4, betas=(0.5, 0.999)),
                "generator": Part(self.generator, lr=1e-4, ema=self.generator_ema)}

    def training_step(self, batch: Batch, ctx: StepContext) -> dict[str, torch.Tensor]:
        fake = ctx.nets["generator"](noise)            # call ctx.nets, not self.generator: under
        d_loss = ...ctx.nets["discriminator"](x)...    # DDP that is what synchronizes gradients
        ctx.update("discriminator", d_loss)            # zero grads, backward, clip, step, NaN guard
        ...
        return {"d_loss": d_loss, "g_loss": g_loss}    # logged; the same names every step

``forward(**batch)`` still gives the terms shown for validation (without updating anything).
Two optional capabilities complete the contract: :class:`Snapshots` (pictures saved during
training) and :class:`Resampled` (per-example sampling weights for each epoch, as DB-VAE uses).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import torch
from torch import nn

Batch = dict[str, torch.Tensor]
DEFAULT_PART = "model"  # the one part of a single-loss model


@dataclass
class Part:
    """A part of a model with its own Adam optimizer (one player of a game, or the whole model).

    ``lr=None`` takes the run's ``--lr``. ``lr_schedule(step, total_steps)``, when given, scales
    that rate at every update (a function of the step alone, so a resumed run follows it exactly).
    When ``ema`` is given (a copy of ``module`` that is not trained), the trainer moves it toward
    ``module`` after each of the part's updates (see :mod:`genlab.train.ema`).
    """

    module: nn.Module
    lr: float | None = None
    betas: tuple[float, float] = (0.9, 0.999)
    ema: nn.Module | None = None
    ema_decay: float = 0.999
    lr_schedule: Callable[[int, int], float] | None = None


def linear_decay(constant_share: float) -> Callable[[int, int], float]:
    """A learning rate held for the first ``constant_share`` of training, then decayed linearly to
    zero at the last step (pix2pix's and CycleGAN's "linear" policy, by steps instead of epochs)."""

    def factor(step: int, total: int) -> float:
        start = constant_share * total
        if step < start or total <= start:
            return 1.0
        return max(0.0, 1.0 - (step - start + 1) / (total - start + 1))

    return factor


@dataclass
class StepContext:
    """What the trainer hands a model's ``training_step``.

    ``step`` counts the optimizer steps taken before this one (over the whole run, also after a
    resume); ``nets`` holds the parts as set up for the device and data parallelism; ``update(name,
    loss)`` stops the run on a non-finite loss, then zeroes the part's gradients, back-propagates
    ``loss``, clips and steps the part's optimizer and updates its EMA.
    """

    step: int
    nets: dict[str, nn.Module]
    update: Callable[[str, torch.Tensor], None]


@runtime_checkable
class Trainable(Protocol):
    """A model the trainer can train: its parts and one step that updates them."""

    def optimizer_parts(self) -> dict[str, Part]: ...

    def training_step(self, batch: Batch, ctx: StepContext) -> dict[str, torch.Tensor]: ...


class SingleLoss:
    """A model whose ``forward(**batch)`` returns ``{"loss": ...}``, as one part over all its parameters."""

    def __init__(self, model: nn.Module) -> None:
        self.model = model

    def optimizer_parts(self) -> dict[str, Part]:
        return {DEFAULT_PART: Part(self.model)}

    def training_step(self, batch: Batch, ctx: StepContext) -> dict[str, torch.Tensor]:
        terms = ctx.nets[DEFAULT_PART](**batch)
        ctx.update(DEFAULT_PART, terms["loss"])
        return terms


def as_trainable(model: nn.Module) -> Trainable:
    """``model`` itself when it declares parts and a step, else the model as a :class:`SingleLoss`."""
    return model if isinstance(model, Trainable) else SingleLoss(model)


@runtime_checkable
class Snapshots(Protocol):
    """Pictures of a model saved during training, from its first ``snapshot_examples`` validation
    examples; the snapshot named ``training_animation`` (if any) becomes RUN/training.gif."""

    snapshot_examples: int
    training_animation: str | None

    def snapshot_images(self, batch: Batch, generator: torch.Generator) -> dict[str, torch.Tensor]: ...


@runtime_checkable
class Resampled(Protocol):
    """A model that decides, at the start of each epoch, how often each training example is drawn."""

    def sampling_weights(self, **arrays: torch.Tensor) -> torch.Tensor | None:
        """One finite, non-negative weight per training example (N,), or None for a plain shuffle."""
        ...
