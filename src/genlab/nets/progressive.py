"""Progressive growing of GANs (Karras et al. 2018): networks that double their resolution.

Both players are built for the final resolution but run only the first ``depth + 1`` stages:
stage 0 works at 4x4, stage k at 4 * 2^k. When stage k is new it is faded in: the output of the
new stage is blended with the (upsampled or downsampled) output of the old path by ``alpha``
going from 0 to 1, so at alpha 0 the network computes exactly what it did before it grew, and at
alpha 1 exactly the new path. The building blocks of the paper are here too: equalized learning
rate (weights drawn from N(0, 1) and scaled by He's constant at run time, so Adam's per-weight
steps are equal across layers), pixel normalization in the generator, and the minibatch standard
deviation feature in the discriminator.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn


class EqualizedLinear(nn.Module):
    """A linear layer with equalized learning rate: y = x (w * sqrt(2 / fan_in))^T + b, w ~ N(0, 1)."""

    def __init__(self, in_dim: int, out_dim: int, gain: float = math.sqrt(2)) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_dim, in_dim))
        self.bias = nn.Parameter(torch.zeros(out_dim))
        self.scale = gain / math.sqrt(in_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.scale, self.bias)


class EqualizedConv2d(nn.Module):
    """A same-padded convolution with equalized learning rate (see :class:`EqualizedLinear`)."""

    def __init__(self, in_ch: int, out_ch: int, kernel: int, gain: float = math.sqrt(2), padding: int | None = None) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_ch, in_ch, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(out_ch))
        self.scale = gain / math.sqrt(in_ch * kernel * kernel)
        self.padding = kernel // 2 if padding is None else padding

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.padding)


class PixelNorm(nn.Module):
    """Normalize each pixel's feature vector to unit average square: x / sqrt(mean_c(x^2) + 1e-8)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + 1e-8)


class MinibatchStdDev(nn.Module):
    """Append one feature map: the standard deviation of each feature over the batch, averaged.

    The discriminator sees how varied a batch is, which penalizes a generator with little variety.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        std = x.var(dim=0, unbiased=False).add(1e-8).sqrt().mean()
        return torch.cat([x, std.expand(x.shape[0], 1, *x.shape[2:])], dim=1)


def _lrelu() -> nn.Module:
    return nn.LeakyReLU(0.2)


def stage_count(resolution: int) -> int:
    """Stages from 4x4 up to ``resolution`` (a power of two, at least 4)."""
    if resolution < 4 or resolution & (resolution - 1):
        raise ValueError(f"progressive growing needs a power-of-two resolution of at least 4, got {resolution}")
    return int(math.log2(resolution)) - 1


class ProgressiveGenerator(nn.Module):
    """z (N, in_dim) -> images (N, C, 4 * 2^depth, 4 * 2^depth) in about [-1, 1] (linear output)."""

    def __init__(self, in_dim: int, widths: Sequence[int], out_channels: int) -> None:
        super().__init__()
        self.in_dim = in_dim
        w0 = widths[0]
        self.start = nn.Sequential(PixelNorm(), EqualizedLinear(in_dim, w0 * 16, gain=math.sqrt(2) / 4))
        self.start_conv = nn.Sequential(_lrelu(), PixelNorm(), EqualizedConv2d(w0, w0, 3), _lrelu(), PixelNorm())
        blocks = []
        for a, b in itertools.pairwise(widths):
            blocks.append(nn.Sequential(EqualizedConv2d(a, b, 3), _lrelu(), PixelNorm(), EqualizedConv2d(b, b, 3), _lrelu(), PixelNorm()))
        self.blocks = nn.ModuleList(blocks)
        self.to_rgb = nn.ModuleList([EqualizedConv2d(w, out_channels, 1, gain=1.0) for w in widths])

    def forward(self, z: torch.Tensor, depth: int, alpha: float = 1.0) -> torch.Tensor:
        h = self.start(z).view(len(z), -1, 4, 4)
        h = self.start_conv(h)
        previous = h
        for block in self.blocks[:depth]:
            previous = h
            h = block(F.interpolate(h, scale_factor=2, mode="nearest"))
        new = self.to_rgb[depth](h)
        if depth == 0 or alpha >= 1:
            return new
        old = F.interpolate(self.to_rgb[depth - 1](previous), scale_factor=2, mode="nearest")
        return torch.lerp(old, new, alpha)


class ProgressiveFeatures(nn.Module):
    """Images (N, C, 4 * 2^depth, ...) -> features (N, widths[0]): the discriminator without its head.

    ``widths`` are listed from the 4x4 stage up, like the generator's.
    """

    def __init__(self, widths: Sequence[int], in_channels: int) -> None:
        super().__init__()
        self.from_rgb = nn.ModuleList([nn.Sequential(EqualizedConv2d(in_channels, w, 1), _lrelu()) for w in widths])
        blocks = []
        for a, b in itertools.pairwise(widths):  # block k maps stage k's width b down to stage k-1's a
            blocks.append(nn.Sequential(EqualizedConv2d(b, b, 3), _lrelu(), EqualizedConv2d(b, a, 3), _lrelu()))
        self.blocks = nn.ModuleList(blocks)
        w0 = widths[0]
        self.final = nn.Sequential(
            MinibatchStdDev(), EqualizedConv2d(w0 + 1, w0, 3), _lrelu(), EqualizedConv2d(w0, w0, 4, padding=0), _lrelu(), nn.Flatten()
        )
        self.out_dim = w0

    def forward(self, x: torch.Tensor, depth: int, alpha: float = 1.0) -> torch.Tensor:
        h = self.from_rgb[depth](x)
        if depth > 0:
            h = F.avg_pool2d(self.blocks[depth - 1](h), 2)
            if alpha < 1:
                old = self.from_rgb[depth - 1](F.avg_pool2d(x, 2))
                h = torch.lerp(old, h, alpha)
            for k in range(depth - 1, 0, -1):
                h = F.avg_pool2d(self.blocks[k - 1](h), 2)
        return self.final(h)
