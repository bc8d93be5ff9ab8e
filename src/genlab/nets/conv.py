"""Convolutional encoder and decoder for images of any size that halves cleanly.

The encoder halves the resolution with stride-2 convolutions (kernel 4) while the size stays
even and at least 8, then maps the feature map to a vector with a linear layer; the decoder
mirrors it with transposed convolutions. 28x28 goes 28 -> 14 -> 7, 64x64 goes 64 -> ... -> 4.
Between the feature map and the vector sits an MLP with the given hidden widths.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from genlab.errors import ConfigError
from genlab.nets.mlp import MLP


def downsampling_plan(height: int, width: int, channels: Sequence[int]) -> tuple[list[int], int, int]:
    """The conv widths used and the final (height, width) for an input of that size."""
    used: list[int] = []
    while len(used) < len(channels) and height % 2 == 0 and width % 2 == 0 and min(height, width) >= 8:
        used.append(channels[len(used)])
        height, width = height // 2, width // 2
    if not used:
        raise ConfigError(
            f"images of {height}x{width} are too small or odd-sized for the conv net; use --net mlp "
            "or --resize to an even size of at least 8"
        )
    return used, height, width


class ConvEncoder(nn.Module):
    """(N, C, H, W) -> (N, out_dim)."""

    def __init__(self, in_shape: Sequence[int], channels: Sequence[int], hidden: Sequence[int], out_dim: int) -> None:
        super().__init__()
        c, h, w = in_shape
        used, fh, fw = downsampling_plan(h, w, channels)
        layers: list[nn.Module] = []
        for width in used:
            layers += [nn.Conv2d(c, width, kernel_size=4, stride=2, padding=1), nn.ReLU(inplace=True)]
            c = width
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Flatten(), MLP(c * fh * fw, hidden, out_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class ConvDecoder(nn.Module):
    """(N, in_dim) -> (N, C, H, W), mirroring :class:`ConvEncoder`."""

    def __init__(self, in_dim: int, channels: Sequence[int], hidden: Sequence[int], out_shape: Sequence[int]) -> None:
        super().__init__()
        c, h, w = out_shape
        used, fh, fw = downsampling_plan(h, w, channels)
        self.feature_shape = (used[-1], fh, fw)
        self.head = nn.Sequential(MLP(in_dim, tuple(reversed(hidden)), used[-1] * fh * fw), nn.ReLU(inplace=True))
        layers: list[nn.Module] = []
        widths = list(reversed(used))
        for i, width in enumerate(widths):
            out = widths[i + 1] if i + 1 < len(widths) else c
            layers.append(nn.ConvTranspose2d(width, out, kernel_size=4, stride=2, padding=1))
            if i + 1 < len(widths):
                layers.append(nn.ReLU(inplace=True))
        self.features = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.features(self.head(z).view(-1, *self.feature_shape))
