"""Small tensor transforms for data: resizing, binarization, dequantization."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def resize(x: torch.Tensor, size: int, bits: int | None) -> torch.Tensor:
    """Resize images (N, C, H, W) to (N, C, size, size) with antialiasing, keeping [0, 1]."""
    if x.shape[-2:] == (size, size):
        return x
    out = F.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
    out = out.clamp_(0.0, 1.0)
    if bits is not None:  # stay on the quantization grid so likelihoods in bits/dim remain valid
        levels = 2**bits - 1
        out = out.mul_(levels).round_().div_(levels)
    return out


def binarize(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Draw binary images with pixel-wise probabilities ``x`` (dynamic binarization)."""
    return torch.bernoulli(x, generator=generator)


def dequantize(x: torch.Tensor, bits: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """Uniform dequantization: map each k / (2^bits - 1) to (k + u) / 2^bits with u ~ U[0, 1)."""
    levels = 2**bits
    k = torch.round(x * (levels - 1))
    u = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    return (k + u) / levels
