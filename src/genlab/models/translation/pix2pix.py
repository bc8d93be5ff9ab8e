"""pix2pix (Isola et al. 2017): a U-Net learns to turn each input image into its paired target,
judged by a conditional PatchGAN and pulled toward the target by an L1 term.

    discriminator: 0.5 * (gan(D(src, G(src)), fake) + gan(D(src, target), real))
    generator:     lambda_gan * gan(D(src, G(src)), real) + lambda_l1 * |G(src) - target|

The data's pairs are ``x`` and ``target``; ``direction`` BtoA swaps them. With ``lambda_gan`` 0
the model is the L1-only U-Net of the paper's ablation (the discriminator is not trained).
Translation (:meth:`translate`) runs in evaluation mode: dropout off, so the same input gives the
same output, and instance norm (the default) normalizes each image by itself, as in training.
The discriminator sees real and fake pairs in one batch (one pass); with batch norm they share
its statistics, which the paper's code computes apart.
"""

from __future__ import annotations

import torch
from torch import nn

from genlab.errors import ConfigError
from genlab.models.training import Batch, Part, StepContext
from genlab.models.translation.common import (
    augment,
    patch_loss,
    scheduled_parts,
    to_data,
    to_model,
    translate_in_eval_mode,
)
from genlab.models.translation.configs import Pix2PixConfig
from genlab.nets.dcgan import init_dcgan_weights
from genlab.nets.translation import PatchDiscriminator, UNet, patch_layers_for
from genlab.viz.grid import interleave_rows


class Pix2Pix(nn.Module):
    def __init__(self, config: Pix2PixConfig) -> None:
        super().__init__()
        config.validate()
        self.config = c = config
        source, target = (c.input_shape, c.target_shape) if c.direction == "AtoB" else (c.target_shape, c.input_shape)
        self.generator = UNet(source[0], target[0], c.depth, c.ngf, c.norm, c.dropout)
        layers = c.n_layers_d or patch_layers_for(min(source[1:]))
        self.discriminator = PatchDiscriminator(source[0] + target[0], c.ndf, layers, c.norm)
        init_dcgan_weights(self)  # N(0, 0.02), as the paper's code

    # --- data -----------------------------------------------------------------------------------

    def pair(self, x: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(source, target) of a batch in the networks' [-1, 1], in the model's direction."""
        if self.config.direction == "BtoA":
            x, target = target, x
        return to_model(x), to_model(target)

    @torch.no_grad()
    def translate(self, images: torch.Tensor, direction: str | None = None) -> torch.Tensor:
        """Translated images in [0, 1] of ``images`` (N, C, H, W) in [0, 1], in the trained direction."""
        if direction not in (None, self.config.direction):
            raise ConfigError(
                f"this pix2pix model translates {self.config.direction} only; train one with --direction {direction} for the other way"
            )
        return translate_in_eval_mode(self, self.generator, images)

    # --- training -------------------------------------------------------------------------------

    def optimizer_parts(self) -> dict[str, Part]:
        c = self.config
        return scheduled_parts({"discriminator": (self.discriminator, c.lr_d), "generator": (self.generator, c.lr_g)},
                               c.beta1, c.decay_start)  # fmt: skip

    def training_step(self, batch: Batch, ctx: StepContext) -> dict[str, torch.Tensor]:
        """One generator forward, one discriminator update (on the detached fakes), one generator update."""
        c = self.config
        g, d = ctx.nets["generator"], ctx.nets["discriminator"]
        source, target = augment(list(self.pair(batch["x"], batch["target"])), c.crop, c.flip)
        fake = g(source)
        terms: dict[str, torch.Tensor] = {}
        if c.lambda_gan > 0:
            both = d(torch.cat([torch.cat([source, fake.detach()], 1), torch.cat([source, target], 1)]))
            fake_out, real_out = both.chunk(2)
            d_loss = 0.5 * (patch_loss(c.gan_loss, fake_out, False) + patch_loss(c.gan_loss, real_out, True))
            ctx.update("discriminator", d_loss)
            terms |= {"d_loss": d_loss.detach(), "d_real": real_out.mean().detach(), "d_fake": fake_out.mean().detach()}
            g_gan = patch_loss(c.gan_loss, d(torch.cat([source, fake], 1)), True)
        else:
            g_gan = torch.zeros((), device=fake.device)
        l1 = (fake - target).abs().mean()
        g_loss = c.lambda_gan * g_gan + c.lambda_l1 * l1
        ctx.update("generator", g_loss)
        return terms | {"g_loss": g_loss.detach(), "g_gan": g_gan.detach(), "l1": l1.detach() / 2}  # /2: in [0, 1] units

    def forward(self, x: torch.Tensor, target: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Validation terms (no update): L1 to the target in [0, 1] units, and the adversarial terms."""
        c = self.config
        source, true = self.pair(x, target)
        fake = self.generator(source)
        terms = {"l1": (fake - true).abs().mean() / 2}  # /2: the distance of images in [0, 1]
        if c.lambda_gan > 0:
            fake_out = self.discriminator(torch.cat([source, fake], 1))
            real_out = self.discriminator(torch.cat([source, true], 1))
            terms["d_loss"] = 0.5 * (patch_loss(c.gan_loss, fake_out, False) + patch_loss(c.gan_loss, real_out, True))
            terms["g_gan"] = patch_loss(c.gan_loss, fake_out, True)
        return terms

    # --- pictures -------------------------------------------------------------------------------

    snapshot_examples = 16
    training_animation: str | None = "translations"

    @torch.no_grad()
    def snapshot_images(self, batch: Batch, generator: torch.Generator) -> dict[str, torch.Tensor]:
        """Rows of inputs, their translations and the targets."""
        source, target = self.pair(batch["x"], batch["target"])
        output = self.translate(to_data(source))
        return {"translations": interleave_rows([_rgb(to_data(source)), _rgb(output), _rgb(to_data(target))])}


def _rgb(images: torch.Tensor) -> torch.Tensor:
    """Images with 1 or 3 channels as 3, so inputs and outputs of different kinds share a grid."""
    return images.expand(-1, 3, -1, -1) if images.shape[1] == 1 else images
