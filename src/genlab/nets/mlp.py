"""Fully connected networks."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import torch
from torch import nn


def _relu() -> nn.Module:
    return nn.ReLU(inplace=True)


class MLP(nn.Sequential):
    """Linear layers with an activation between them: in_dim -> *hidden -> out_dim (none at the end).

    ``activation`` makes each activation layer (ReLU by default; GAN discriminators use LeakyReLU).
    """

    def __init__(
        self, in_dim: int, hidden: Sequence[int], out_dim: int, activation: Callable[[], nn.Module] = _relu
    ) -> None:
        widths = [in_dim, *hidden, out_dim]
        layers: list[nn.Module] = []
        for i, (a, b) in enumerate(itertools.pairwise(widths)):
            layers.append(nn.Linear(a, b))
            if i < len(widths) - 2:
                layers.append(activation())
        super().__init__(*layers)


class FlatMLP(nn.Module):
    """An MLP that flattens its input (N, *in_shape) and reshapes its output to (N, *out_shape)."""

    def __init__(self, in_shape: Sequence[int], hidden: Sequence[int], out_shape: Sequence[int]) -> None:
        super().__init__()
        self.out_shape = tuple(out_shape)
        self.net = MLP(_numel(in_shape), hidden, _numel(out_shape))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.flatten(1)).view(-1, *self.out_shape)


def _numel(shape: Sequence[int]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n
