"""Image-to-image networks of pix2pix (Isola et al. 2017) and CycleGAN (Zhu et al. 2017).

    UNet              encoder-decoder with a skip connection at every resolution (pix2pix's generator)
    ResnetGenerator   two stride-2 convolutions, residual blocks, two transposed convolutions (CycleGAN's)
    PatchDiscriminator  a fully convolutional critic: one logit per overlapping patch (PatchGAN)

All take and give images in [-1, 1] shaped (N, C, H, W). Any height and width work: the
generators pad the input (by reflection) to the size their strided layers need and crop the
output back, so non-square and odd-sized images go through unchanged in size.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

Norm = Callable[[int], nn.Module]


def norm_layer(kind: str) -> Norm:
    """``instance`` (no running statistics: a test-time batch of one is normalized as in training) or ``batch``."""
    if kind == "instance":
        return functools.partial(nn.InstanceNorm2d, affine=False, track_running_stats=False)
    if kind == "batch":
        return functools.partial(nn.BatchNorm2d, affine=True)
    raise ValueError(f"unknown norm {kind!r}; choose instance or batch")


def _padded(x: torch.Tensor, multiple: int) -> tuple[torch.Tensor, tuple[int, int]]:
    """``x`` reflect-padded on the bottom and right to sides divisible by ``multiple``; its own size."""
    h, w = x.shape[-2:]
    ph, pw = -h % multiple, -w % multiple
    if ph or pw:
        mode = "reflect" if ph < h and pw < w else "replicate"  # reflection needs the pad smaller than the side
        x = F.pad(x, (0, pw, 0, ph), mode=mode)
    return x, (h, w)


class _UNetBlock(nn.Module):
    """One resolution of the U-Net: down, the blocks inside, up, and (but for the outermost) the
    input beside the output, which is the skip connection."""

    def __init__(self, in_channels: int, inner: int, out_channels: int, inside: nn.Module | None, norm: Norm,
                 dropout: bool = False, outermost: bool = False, logits: bool = False) -> None:  # fmt: skip
        super().__init__()
        self.outermost = outermost
        down = nn.Conv2d(in_channels, inner, 4, stride=2, padding=1, bias=False)
        if outermost:  # no norm before; after, a tanh to an image (or nothing, for logits)
            up = nn.ConvTranspose2d(inner * 2, out_channels, 4, stride=2, padding=1)
            self.model = nn.Sequential(down, inside, nn.ReLU(True), up, *([] if logits else [nn.Tanh()]))  # type: ignore[arg-type]
        elif inside is None:  # innermost: no norm on the bottleneck, nothing inside to concatenate
            up = nn.ConvTranspose2d(inner, out_channels, 4, stride=2, padding=1, bias=False)
            self.model = nn.Sequential(nn.LeakyReLU(0.2, True), down, nn.ReLU(True), up, norm(out_channels))
        else:
            up = nn.ConvTranspose2d(inner * 2, out_channels, 4, stride=2, padding=1, bias=False)
            layers = [nn.LeakyReLU(0.2, True), down, norm(inner), inside, nn.ReLU(True), up, norm(out_channels)]
            self.model = nn.Sequential(*layers, *([nn.Dropout(0.5)] if dropout else []))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x) if self.outermost else torch.cat([x, self.model(x)], 1)


class UNet(nn.Module):
    """pix2pix's U-Net: ``depth`` halvings (8 takes 256x256 to 1x1) with widths ngf, 2 ngf, 4 ngf,
    8 ngf, 8 ngf, ... and dropout 0.5 in up to three decoder blocks next to the bottleneck that are
    8 ngf wide, as in the paper (none at depth 5 or less, as in its code). With ``logits`` the
    output has no tanh (a segmenter's class scores)."""

    def __init__(self, in_channels: int, out_channels: int, depth: int, ngf: int = 64, norm: str = "instance",
                 dropout: bool = True, logits: bool = False) -> None:  # fmt: skip
        super().__init__()
        if depth < 2:
            raise ValueError(f"a U-Net needs at least 2 halvings, got {depth}")
        make = norm_layer(norm)
        widths = [min(ngf * 2**level, ngf * 8) for level in range(depth)]  # each level's inner width, outermost first
        block = _UNetBlock(widths[-2], widths[-1], widths[-2], None, make)
        for level in range(depth - 2, 0, -1):
            full = widths[level - 1] == widths[level] == ngf * 8
            block = _UNetBlock(widths[level - 1], widths[level], widths[level - 1], block, make, dropout and full and level >= depth - 4)
        self.model = _UNetBlock(in_channels, widths[0], out_channels, block, make, outermost=True, logits=logits)
        self.multiple = 2**depth

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        padded, (h, w) = _padded(x, self.multiple)
        return self.model(padded)[..., :h, :w]


class _ResnetBlock(nn.Module):
    def __init__(self, width: int, norm: Norm, dropout: bool) -> None:
        super().__init__()
        layers = [nn.ReflectionPad2d(1), nn.Conv2d(width, width, 3, bias=False), norm(width), nn.ReLU(True)]
        layers += [nn.Dropout(0.5)] if dropout else []
        layers += [nn.ReflectionPad2d(1), nn.Conv2d(width, width, 3, bias=False), norm(width)]
        self.block = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


class ResnetGenerator(nn.Module):
    """CycleGAN's generator: a 7x7 convolution, two stride-2 convolutions (ngf -> 4 ngf), ``blocks``
    residual blocks (6 for 128x128, 9 for 256x256 in the paper), two transposed convolutions back
    and a 7x7 convolution to the image, with tanh."""

    def __init__(self, in_channels: int, out_channels: int, ngf: int = 64, blocks: int = 9, norm: str = "instance",
                 dropout: bool = False) -> None:  # fmt: skip
        super().__init__()
        make = norm_layer(norm)
        layers: list[nn.Module] = [nn.ReflectionPad2d(3), nn.Conv2d(in_channels, ngf, 7, bias=False), make(ngf), nn.ReLU(True)]
        for i in range(2):
            width = ngf * 2**i
            layers += [nn.Conv2d(width, width * 2, 3, stride=2, padding=1, bias=False), make(width * 2), nn.ReLU(True)]
        layers += [_ResnetBlock(ngf * 4, make, dropout) for _ in range(blocks)]
        for i in range(2):
            width = ngf * 2 ** (2 - i)
            layers += [nn.ConvTranspose2d(width, width // 2, 3, stride=2, padding=1, output_padding=1, bias=False),
                       make(width // 2), nn.ReLU(True)]  # fmt: skip
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, out_channels, 7), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        padded, (h, w) = _padded(x, 4)
        return self.model(padded)[..., :h, :w]


class PatchDiscriminator(nn.Module):
    """PatchGAN: ``layers`` stride-2 4x4 convolutions (widths ndf, 2 ndf, ... up to 8 ndf), then two
    stride-1 4x4 convolutions to one logit per patch; with 3 layers each logit sees a 70x70 patch
    (:func:`patch_receptive_field`)."""

    def __init__(self, in_channels: int, ndf: int = 64, layers: int = 3, norm: str = "instance") -> None:
        super().__init__()
        make = norm_layer(norm)
        modules: list[nn.Module] = [nn.Conv2d(in_channels, ndf, 4, stride=2, padding=1), nn.LeakyReLU(0.2, True)]
        width = ndf
        for i in range(1, layers):
            out = ndf * min(2**i, 8)
            modules += [nn.Conv2d(width, out, 4, stride=2, padding=1, bias=False), make(out), nn.LeakyReLU(0.2, True)]
            width = out
        out = ndf * min(2**layers, 8)
        modules += [nn.Conv2d(width, out, 4, stride=1, padding=1, bias=False), make(out), nn.LeakyReLU(0.2, True)]
        modules += [nn.Conv2d(out, 1, 4, stride=1, padding=1)]
        self.model = nn.Sequential(*modules)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, 1, h, w), one per patch."""
        return self.model(x)


def patch_receptive_field(layers: int) -> int:
    """The side of the input patch one PatchGAN logit sees: 70 for 3 layers (16, 34, 70, 142 for 1-4)."""
    side = 1
    for kernel, stride in [(4, 1), (4, 1)] + [(4, 2)] * layers:  # from the output back to the input
        side = (side - 1) * stride + kernel
    return side


def patch_layers_for(size: int) -> int:
    """The PatchGAN depth whose patch covers about the share of the image that 70x70 covers of 256x256."""
    target = 70 / 256 * size
    return min(range(1, 5), key=lambda n: abs(patch_receptive_field(n) - target))
