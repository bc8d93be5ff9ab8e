"""Exponential moving averages of weights: the copy a model samples from (a GAN's generator).

After each update of a part that has an EMA copy, the trainer moves the copy toward the part:
ema = decay * ema + (1 - decay) * module, with the decay ramped up over the first updates.
"""

from __future__ import annotations

import torch
from torch import nn


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
