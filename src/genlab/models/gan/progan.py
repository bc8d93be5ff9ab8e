"""Progressive growing of GANs (Karras et al. 2018): train at 4x4, then double the resolution,
fading each new stage in, up to the full size of the data.

The schedule is a function of the optimizer step alone (so resume stays exact): ``phase_steps``
at 4x4, then for every further stage ``phase_steps`` of fade-in (alpha from 0 to 1) and
``phase_steps`` stable. Real images are shown at the current resolution (and, during a fade-in,
blended with their blurrier half-resolution version, as the generator's output is). The default
game is the paper's: WGAN-GP with the drift term 0.001 D(x)^2, Adam (0, 0.99), lr 1e-3.
Samples are returned at the data's full size at every stage (nearest-neighbour upsampled), so
the report shows the growth.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from genlab.models.gan.configs import ProGANConfig
from genlab.models.gan.gan import GAN
from genlab.models.training import Batch, StepContext
from genlab.nets.progressive import EqualizedLinear, ProgressiveFeatures, ProgressiveGenerator


def growth_schedule(step: int, phase_steps: int, final_depth: int) -> tuple[int, float]:
    """(depth, alpha) at optimizer step ``step``: depth 0 is 4x4; alpha < 1 while a stage fades in."""
    if step < phase_steps or final_depth == 0:
        return 0, 1.0
    stage, within = divmod(step - phase_steps, 2 * phase_steps)
    if stage + 1 > final_depth:
        return final_depth, 1.0
    return stage + 1, min(1.0, within / phase_steps)


class _Grows(nn.Module):
    """A player that runs at the depth and alpha its model sets (plain attributes, not weights)."""

    depth: int = 0
    alpha: float = 1.0


class ProgressiveGeneratorPlayer(_Grows):
    def __init__(self, in_dim: int, widths: tuple[int, ...], channels: int, classes: int) -> None:
        super().__init__()
        self.net, self.classes = ProgressiveGenerator(in_dim + classes, widths, channels), classes

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.classes:
            z = torch.cat([z, F.one_hot(y, self.classes).to(z.dtype)], dim=1)
        return self.net(z, self.depth, self.alpha)


class ProgressiveDiscriminatorPlayer(_Grows):
    def __init__(self, widths: tuple[int, ...], channels: int, classes: int) -> None:
        super().__init__()
        self.features = ProgressiveFeatures(widths, channels)
        self.head = EqualizedLinear(widths[0], 1, gain=1.0)
        self.embed = nn.Embedding(classes, widths[0]) if classes else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(x, self.depth, self.alpha)
        out = self.head(h).squeeze(1)
        if self.embed is not None:
            out = out + (self.embed(y) * h).sum(1)
        return out


class ProGAN(GAN):
    """A GAN whose players grow from 4x4 to the data's resolution during training."""

    config: ProGANConfig

    def __init__(self, config: ProGANConfig) -> None:
        super().__init__(config)
        # the step the players last trained at: decides their depth, also after loading the weights
        self.register_buffer("grown_step", torch.zeros((), dtype=torch.long))

    def build_players(self) -> tuple[nn.Module, nn.Module]:
        c = self.config
        widths = tuple(c.widths[: c.final_depth + 1])
        channels = c.input_shape[0]
        return (
            ProgressiveGeneratorPlayer(c.latent_dim, widths, channels, c.classes),
            ProgressiveDiscriminatorPlayer(widths, channels, c.classes),
        )

    @property
    def growth(self) -> tuple[int, float]:
        return growth_schedule(int(self.grown_step), self.config.phase_steps, self.config.final_depth)

    @property
    def resolution(self) -> int:
        return 4 * 2 ** self.growth[0]

    def _grow(self) -> None:
        depth, alpha = self.growth
        for player in (self.generator, self.discriminator, self.generator_ema):
            if player is not None:
                player.depth, player.alpha = depth, alpha

    def to_model(self, x: torch.Tensor) -> torch.Tensor:
        """Real images in [-1, 1] at the current resolution, blended with half resolution during a fade-in."""
        depth, alpha = self.growth
        x = x * 2 - 1
        size = 4 * 2**depth
        if x.shape[-1] != size:
            x = F.adaptive_avg_pool2d(x, size)
        if depth > 0 and alpha < 1:
            x = torch.lerp(F.interpolate(F.avg_pool2d(x, 2), scale_factor=2, mode="nearest"), x, alpha)
        return x

    def to_data(self, out: torch.Tensor) -> torch.Tensor:
        """Generated images at the data's full size, in [0, 1] (clamped: the output layer is linear)."""
        size = self.config.input_shape[-1]
        if out.shape[-1] != size:
            out = F.interpolate(out, size=(size, size), mode="nearest")
        return ((out + 1) / 2).clamp(0, 1)

    def training_step(self, batch: Batch, ctx: StepContext) -> dict[str, torch.Tensor]:
        self.grown_step.fill_(ctx.step)
        self._grow()
        terms = super().training_step(batch, ctx)
        depth, alpha = self.growth
        return {**terms, "resolution": torch.tensor(float(4 * 2**depth)), "alpha": torch.tensor(alpha)}

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        self._grow()
        return super().forward(x, y)

    @torch.no_grad()
    def generate(self, z: torch.Tensor, labels: torch.Tensor | None = None, ema: bool = True) -> torch.Tensor:
        self._grow()
        return super().generate(z, labels, ema)

    def load_state_dict(self, state_dict: Any, strict: bool = True, assign: bool = False) -> Any:
        result = super().load_state_dict(state_dict, strict, assign)
        self._grow()
        return result

__all__ = ["ProGAN", "ProGANConfig", "growth_schedule"]
