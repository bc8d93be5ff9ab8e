"""Networks of CycleGAN-VC2 (Kaneko et al. 2019) for sequences of speech features.

    GatedConv          a convolution whose output is gated by a second one: out * sigmoid(gate) (GLU)
    Generator2D1D2D    2-D downsampling, 1-D residual blocks over time, 2-D upsampling (the paper's 2-1-2D)
    PatchDiscriminator2D  a 2-D PatchGAN over (feature, time), with gated convolutions

Inputs are mel-cepstra shaped (N, 1, D, T): D coefficients (36 in the paper) by T frames (128 in
training). D must be divisible by 4; the generators pad T to a multiple of 4 (at least 8) and crop the
output back, so an utterance of any length converts in one pass. ``width`` is the paper's
channel count (128 in the first layer, then 256 and 512); 32 or 64 train far faster on a CPU.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class GatedConv(nn.Module):
    """Convolution (1-D or 2-D) to ``2 * out`` channels, optional instance norm, then a gated
    linear unit: the first half times the sigmoid of the second (Dauphin et al. 2017)."""

    def __init__(self, dims: int, in_channels: int, out_channels: int, kernel: int | tuple[int, int], stride: int | tuple[int, int] = 1,
                 padding: int | tuple[int, int] = 0, norm: bool = True, shuffle: int = 1) -> None:  # fmt: skip
        super().__init__()
        conv = nn.Conv1d if dims == 1 else nn.Conv2d
        self.conv = conv(in_channels, 2 * out_channels * shuffle**2, kernel, stride, padding)  # type: ignore[arg-type]
        self.shuffle = nn.PixelShuffle(shuffle) if shuffle > 1 else nn.Identity()
        norm_class = nn.InstanceNorm1d if dims == 1 else nn.InstanceNorm2d
        self.norm = norm_class(2 * out_channels, affine=True) if norm else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.glu(self.norm(self.shuffle(self.conv(x))), dim=1)


class _ResidualBlock1D(nn.Module):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.gated = GatedConv(1, width, 2 * width, 3, padding=1)
        self.out = nn.Sequential(nn.Conv1d(2 * width, width, 3, padding=1), nn.InstanceNorm1d(width, affine=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.out(self.gated(x))


class Generator2D1D2D(nn.Module):
    """CycleGAN-VC2's generator: (N, 1, D, T) -> (N, 1, D, T)."""

    def __init__(self, features: int, width: int = 128, blocks: int = 6) -> None:
        super().__init__()
        if width < 2 or width % 2:
            raise ValueError(f"the generator's width must be even and at least 2, got {width}")
        if features % 4:
            raise ValueError(f"the 2-1-2D generator halves the feature axis twice; {features} is not divisible by 4")
        w = width
        self.inlet = GatedConv(2, 1, w, (5, 15), padding=(2, 7), norm=False)
        self.down = nn.Sequential(GatedConv(2, w, 2 * w, 5, 2, 2), GatedConv(2, 2 * w, 2 * w, 5, 2, 2))
        flat = 2 * w * (features // 4)
        self.to_1d = nn.Sequential(nn.Conv1d(flat, 2 * w, 1), nn.InstanceNorm1d(2 * w, affine=True))
        self.blocks = nn.Sequential(*[_ResidualBlock1D(2 * w) for _ in range(blocks)])
        self.to_2d = nn.Sequential(nn.Conv1d(2 * w, flat, 1), nn.InstanceNorm1d(flat, affine=True))
        self.up = nn.Sequential(GatedConv(2, 2 * w, w, 5, padding=2, shuffle=2), GatedConv(2, w, w // 2, 5, padding=2, shuffle=2))
        self.outlet = nn.Conv2d(w // 2, 1, (5, 15), padding=(2, 7))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        frames = x.shape[-1]
        pad = max(-frames % 4, 8 - frames)  # a multiple of 4, and 2 steps or more where instance norm runs over time
        if pad:
            x = F.pad(x, (0, pad, 0, 0), mode="reflect" if pad < frames else "replicate")
        h = self.down(self.inlet(x))
        n, c, d, t = h.shape
        h = self.to_2d(self.blocks(self.to_1d(h.reshape(n, c * d, t)))).reshape(n, c, d, t)
        return self.outlet(self.up(h))[..., :frames]


class PatchDiscriminator2D(nn.Module):
    """CycleGAN-VC2's discriminator: gated 2-D convolutions, three stride-2 downsamplings, one
    logit per patch of (features, frames)."""

    def __init__(self, width: int = 128) -> None:
        super().__init__()
        w = width
        self.model = nn.Sequential(
            GatedConv(2, 1, w, 3, padding=1, norm=False),
            GatedConv(2, w, 2 * w, 3, 2, 1),
            GatedConv(2, 2 * w, 4 * w, 3, 2, 1),
            GatedConv(2, 4 * w, 8 * w, 3, 2, 1),
            GatedConv(2, 8 * w, 8 * w, (1, 5), padding=(0, 2)),
            nn.Conv2d(8 * w, 1, (1, 3), padding=(0, 1)),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, 1, D / 8, T / 8), rounded up, one per patch."""
        return self.model(x)
