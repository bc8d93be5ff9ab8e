"""CycleGAN (Zhu et al. 2017): two generators translate between domains A and B without pairs,
each judged by a PatchGAN of its target domain and held to the input by cycle consistency.

    generators:     gan(D_B(G_AB(a)), real) + gan(D_A(G_BA(b)), real)
                    + lambda_cycle * (|G_BA(G_AB(a)) - a| + |G_AB(G_BA(b)) - b|)
                    + lambda_identity * lambda_cycle * (|G_AB(b) - b| + |G_BA(a) - a|)
    discriminators: 0.5 * (gan(D_A(a), real) + gan(D_A(pool_A(G_BA(b))), fake)), and the same for B

The data's two domains are ``x`` (A) and ``b`` (B): a batch pairs images of A and B only by
position, which the losses never use. Each player pair is one part with one optimizer, as in
the paper's code; the generators update first, then the discriminators, on fakes drawn through
the image pools (:mod:`.pool`). Translation runs in evaluation mode (see pix2pix).
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
    to_model,
    translate_in_eval_mode,
)
from genlab.models.translation.configs import CycleGANConfig
from genlab.models.translation.pool import ImagePool
from genlab.nets.dcgan import init_dcgan_weights
from genlab.nets.translation import PatchDiscriminator, ResnetGenerator, patch_layers_for
from genlab.viz.grid import interleave_rows


class Generators(nn.Module):
    """G_AB and G_BA, run in one forward pass (one call per step keeps data-parallel training simple)."""

    def __init__(self, a_to_b: nn.Module, b_to_a: nn.Module) -> None:
        super().__init__()
        self.a_to_b, self.b_to_a = a_to_b, b_to_a

    def forward(self, a: torch.Tensor, b: torch.Tensor, identity: bool = True) -> dict[str, torch.Tensor]:
        fake_b, fake_a = self.a_to_b(a), self.b_to_a(b)
        out = {"fake_b": fake_b, "fake_a": fake_a, "rec_a": self.b_to_a(fake_b), "rec_b": self.a_to_b(fake_a)}
        if identity:
            out |= {"same_b": self.a_to_b(b), "same_a": self.b_to_a(a)}
        return out


class Discriminators(nn.Module):
    """D_A (is it a real image of A?) and D_B, run in one forward pass."""

    def __init__(self, judge_a: nn.Module, judge_b: nn.Module) -> None:
        super().__init__()
        self.judge_a, self.judge_b = judge_a, judge_b

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.judge_a(a), self.judge_b(b)


class CycleGAN(nn.Module):
    def __init__(self, config: CycleGANConfig) -> None:
        super().__init__()
        config.validate()
        self.config = c = config
        channels_a, channels_b = c.input_shape[0], c.target_shape[0]
        self.generators = Generators(
            ResnetGenerator(channels_a, channels_b, c.ngf, c.blocks, c.norm), ResnetGenerator(channels_b, channels_a, c.ngf, c.blocks, c.norm)
        )
        layers = c.n_layers_d or patch_layers_for(min(c.input_shape[1:]))
        self.discriminators = Discriminators(
            PatchDiscriminator(channels_a, c.ndf, layers, c.norm), PatchDiscriminator(channels_b, c.ndf, layers, c.norm)
        )
        init_dcgan_weights(self)  # N(0, 0.02), as the paper's code
        self.pool_a, self.pool_b = ImagePool(c.pool_size, c.input_shape), ImagePool(c.pool_size, c.target_shape)

    @torch.no_grad()
    def translate(self, images: torch.Tensor, direction: str | None = "AtoB") -> torch.Tensor:
        """Translated images in [0, 1] of ``images`` (N, C, H, W) in [0, 1]: A to B, or B to A."""
        if direction not in (None, "AtoB", "BtoA"):
            raise ConfigError(f"--direction must be AtoB or BtoA, got {direction!r}")
        net = self.generators.b_to_a if direction == "BtoA" else self.generators.a_to_b
        return translate_in_eval_mode(self, net, images)

    def optimizer_parts(self) -> dict[str, Part]:
        c = self.config
        return scheduled_parts({"generators": (self.generators, c.lr_g), "discriminators": (self.discriminators, c.lr_d)},
                               c.beta1, c.decay_start)  # fmt: skip

    def _generator_terms(self, out: dict[str, torch.Tensor], a: torch.Tensor, b: torch.Tensor,
                         judged: tuple[torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:  # fmt: skip
        c = self.config
        judged_a, judged_b = judged
        terms = {
            "g_gan": patch_loss(c.gan_loss, judged_b, True) + patch_loss(c.gan_loss, judged_a, True),
            "cycle": (out["rec_a"] - a).abs().mean() + (out["rec_b"] - b).abs().mean(),
        }
        identity = c.lambda_identity > 0
        terms["identity"] = (out["same_b"] - b).abs().mean() + (out["same_a"] - a).abs().mean() if identity else torch.zeros_like(terms["cycle"])
        terms["g_loss"] = terms["g_gan"] + c.lambda_cycle * (terms["cycle"] + c.lambda_identity * terms["identity"])
        return terms

    def _discriminator_loss(self, real: tuple[torch.Tensor, torch.Tensor], fake: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        kind = self.config.gan_loss
        return sum(0.5 * (patch_loss(kind, r, True) + patch_loss(kind, f, False)) for r, f in zip(real, fake))  # type: ignore[return-value]

    def training_step(self, batch: Batch, ctx: StepContext) -> dict[str, torch.Tensor]:
        """The generators' update, then the discriminators' on real images and pooled fakes."""
        g, d = ctx.nets["generators"], ctx.nets["discriminators"]
        a, b = augment([to_model(batch["x"]), to_model(batch["b"])], self.config.crop, self.config.flip)
        out = g(a, b, self.config.lambda_identity > 0)
        terms = self._generator_terms(out, a, b, d(out["fake_a"], out["fake_b"]))
        ctx.update("generators", terms["g_loss"])
        fake_a, fake_b = self.pool_a(out["fake_a"].detach()), self.pool_b(out["fake_b"].detach())
        judged_a, judged_b = d(torch.cat([a, fake_a]), torch.cat([b, fake_b]))  # real and fake in one pass
        (real_a, pooled_a), (real_b, pooled_b) = judged_a.chunk(2), judged_b.chunk(2)
        d_loss = self._discriminator_loss((real_a, real_b), (pooled_a, pooled_b))
        ctx.update("discriminators", d_loss)
        return {name: value.detach() for name, value in terms.items()} | {"d_loss": d_loss.detach()}

    def forward(self, x: torch.Tensor, b: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Validation terms (no update, no pool)."""
        a, b = to_model(x), to_model(b)
        out = self.generators(a, b, self.config.lambda_identity > 0)
        terms = self._generator_terms(out, a, b, self.discriminators(out["fake_a"], out["fake_b"]))
        terms["d_loss"] = self._discriminator_loss(self.discriminators(a, b), self.discriminators(out["fake_a"], out["fake_b"]))
        return terms

    snapshot_examples = 8
    training_animation: str | None = "translations"

    @torch.no_grad()
    def snapshot_images(self, batch: Batch, generator: torch.Generator) -> dict[str, torch.Tensor]:
        """Rows of A, A translated to B, and back to A; then B, B to A, and back to B."""
        a, b = batch["x"], batch["b"]
        a_to_b, b_to_a = self.translate(a, "AtoB"), self.translate(b, "BtoA")
        rows = [a, a_to_b, self.translate(a_to_b, "BtoA"), b, b_to_a, self.translate(b_to_a, "AtoB")]
        return {"translations": interleave_rows([r.expand(-1, 3, -1, -1) if r.shape[1] == 1 else r for r in rows])}
