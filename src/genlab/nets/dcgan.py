"""DCGAN networks (Radford et al. 2016) for images whose sides halve cleanly: 28, 32, 64, ...

The discriminator halves the resolution with stride-2 4x4 convolutions and LeakyReLU(0.2) (batch
normalization after all but the first, when asked for) down to a small feature map, which it
returns flattened; the generator mirrors it: a linear projection to that feature map, then
stride-2 4x4 transposed convolutions with batch normalization and ReLU, and tanh at the end, so
its images lie in [-1, 1]. 28x28 goes 28 -> 14 -> 7, 32x32 and 64x64 down to 4x4 (with enough
widths). The halving plan is the one the conv VAE uses (:func:`genlab.nets.conv.downsampling_plan`).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from genlab.nets.conv import downsampling_plan


class DCGANGenerator(nn.Module):
    """(N, in_dim) -> (N, C, H, W) in [-1, 1]."""

    def __init__(self, in_dim: int, channels: Sequence[int], out_shape: Sequence[int]) -> None:
        super().__init__()
        c, h, w = out_shape
        used, fh, fw = downsampling_plan(h, w, channels)
        self.feature_shape = (used[-1], fh, fw)
        self.project = nn.Linear(in_dim, used[-1] * fh * fw, bias=False)
        self.project_norm = nn.BatchNorm2d(used[-1])
        widths = list(reversed(used))
        layers: list[nn.Module] = []
        for i, width in enumerate(widths):
            last = i + 1 == len(widths)
            out = c if last else widths[i + 1]
            layers.append(nn.ConvTranspose2d(width, out, kernel_size=4, stride=2, padding=1, bias=last))
            layers += [nn.Tanh()] if last else [nn.BatchNorm2d(out), nn.ReLU(inplace=True)]
        self.features = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.project_norm(self.project(z).view(-1, *self.feature_shape)).relu_()
        return self.features(h)


class DCGANFeatures(nn.Module):
    """(N, C, H, W) -> (N, out_dim): the discriminator without its last linear layer."""

    def __init__(self, in_shape: Sequence[int], channels: Sequence[int], batch_norm: bool = True) -> None:
        super().__init__()
        c, h, w = in_shape
        used, fh, fw = downsampling_plan(h, w, channels)
        layers: list[nn.Module] = []
        for i, width in enumerate(used):
            norm = batch_norm and i > 0
            layers.append(nn.Conv2d(c, width, kernel_size=4, stride=2, padding=1, bias=not norm))
            if norm:
                layers.append(nn.BatchNorm2d(width))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            c = width
        self.features = nn.Sequential(*layers, nn.Flatten())
        self.out_dim = c * fh * fw

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)


def init_dcgan_weights(module: nn.Module) -> None:
    """The DCGAN initialization: conv and linear weights ~ N(0, 0.02), batch-norm scales ~ N(1, 0.02)."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
