"""How a model with several optimizers (a GAN's generator and discriminator) trains in the shared loop.

A model whose ``forward(x, y)`` returns ``{"loss": ...}`` needs nothing from here: the trainer
builds one Adam over all its parameters. A model that plays a game declares its parts and its
own step instead, and the trainer still owns the optimizers, devices, checkpoints and NaN guard:

    def optimizer_parts(self) -> dict[str, Part]:
        return {"discriminator": Part(self.discriminator, lr=4e-4, betas=(0.5, 0.999)),
                "generator": Part(self.generator, lr=1e-4, ema=self.generator_ema)}

    def training_step(self, x, y, ctx: StepContext) -> dict[str, torch.Tensor]:
        fake = ctx.nets["generator"](noise)            # call ctx.nets, not self.generator: under
        d_loss = ...ctx.nets["discriminator"](x)...    # DDP that is what synchronizes gradients
        ctx.update("discriminator", d_loss)            # zero grads, backward, clip, step, NaN guard
        ...
        return {"d_loss": d_loss, "g_loss": g_loss}    # logged; the same names every step

``forward(x, y)`` still gives the terms shown for validation (without updating anything).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class Part:
    """A part of a model with its own Adam optimizer (one player of a game).

    ``lr=None`` takes the run's ``--lr``. When ``ema`` is given (a copy of ``module`` that is not
    trained), the trainer moves it toward ``module`` after each of the part's updates:
    ema = decay * ema + (1 - decay) * module, with the decay ramped up over the first updates (see
    :func:`ema_decay`).
    """

    module: nn.Module
    lr: float | None = None
    betas: tuple[float, float] = (0.9, 0.999)
    ema: nn.Module | None = None
    ema_decay: float = 0.999


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


def ema_decay(decay: float, updates: int) -> float:
    """The EMA decay after ``updates`` updates: min(decay, (1 + n) / (10 + n)).

    Without the ramp an EMA with decay 0.999 still remembers its random initialization after a
    thousand updates (0.999^1000 = 0.37), so early samples are blurs; the ramp averages over
    about the last n / 10 updates early on and reaches ``decay`` after 9 / (1 - decay) updates.
    """
    return min(decay, (1.0 + updates) / (10.0 + updates))


@torch.no_grad()
def ema_update(ema: nn.Module, source: nn.Module, decay: float) -> None:
    """ema <- decay * ema + (1 - decay) * source, parameter by parameter; buffers are copied."""
    for e, s in zip(ema.parameters(), source.parameters()):
        e.lerp_(s, 1.0 - decay)
    for e, s in zip(ema.buffers(), source.buffers()):
        e.copy_(s)
