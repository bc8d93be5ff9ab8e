"""CycleGAN-VC2 (Kaneko et al. 2019): CycleGAN on mel-cepstra, converting one speaker's voice into
another's without parallel speech.

    generators:     gan(D_B(G_AB(a)), real) + gan(D_A(G_BA(b)), real)
                    + [two-step] gan(D_A2(G_BA(G_AB(a))), real) + gan(D_B2(G_AB(G_BA(b))), real)
                    + lambda_cycle * (|G_BA(G_AB(a)) - a| + |G_AB(G_BA(b)) - b|)
                    + lambda_identity * (|G_AB(b) - b| + |G_BA(a) - a|)   for the first identity_steps
    discriminators: 0.5 * (gan(D_A(a), real) + gan(D_A(G_BA(b)), fake)), the same for B, and
                    [two-step] 0.5 * (gan(D_A2(a), real) + gan(D_A2(G_BA(G_AB(a))), fake)), the same for B2

with the least-squares GAN loss. The two-step adversarial loss judges the cycled features as well,
against the over-smoothing that the L1 cycle term alone causes. The networks work on each
speaker's standardized mel-cepstra (mean and standard deviation per coefficient, saved in the
config); :meth:`CycleGANVC2.convert` takes and gives them unstandardized.
"""

from __future__ import annotations

import torch
from torch import nn

from genlab.errors import ConfigError
from genlab.models.training import Batch, Part, StepContext
from genlab.models.translation.common import patch_loss, scheduled_parts
from genlab.models.translation.cyclegan import Generators
from genlab.models.voice.configs import VoiceConfig
from genlab.nets.voice import Generator2D1D2D, PatchDiscriminator2D


class Judges(nn.Module):
    """D_A, D_B and, for the two-step loss, D_A2 and D_B2: one part, one optimizer, one call per
    update (which keeps data-parallel training simple): each named judge scores its input."""

    def __init__(self, width: int, two_step: bool) -> None:
        super().__init__()
        names = ("judge_a", "judge_b", "second_a", "second_b") if two_step else ("judge_a", "judge_b")
        self.judges = nn.ModuleDict({name: PatchDiscriminator2D(width) for name in names})

    def forward(self, inputs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        return {name: self.judges[name](x) for name, x in inputs.items()}


class CycleGANVC2(nn.Module):
    def __init__(self, config: VoiceConfig) -> None:
        super().__init__()
        config.validate()
        self.config = c = config
        dim = c.input_shape[1]
        self.generators = Generators(Generator2D1D2D(dim, c.width, c.blocks), Generator2D1D2D(dim, c.width, c.blocks))
        self.discriminators = Judges(c.width_d, c.two_step)
        for name, values in (("mean_a", c.mean_a), ("std_a", c.std_a), ("mean_b", c.mean_b), ("std_b", c.std_b)):
            self.register_buffer(name, torch.tensor(values, dtype=torch.float32).view(1, 1, -1, 1), persistent=False)

    # --- standardization ------------------------------------------------------------------------

    def standardize(self, mc: torch.Tensor, speaker: str) -> torch.Tensor:
        return (mc - getattr(self, f"mean_{speaker}")) / getattr(self, f"std_{speaker}")

    def unstandardize(self, z: torch.Tensor, speaker: str) -> torch.Tensor:
        return z * getattr(self, f"std_{speaker}") + getattr(self, f"mean_{speaker}")

    @torch.no_grad()
    def convert(self, mel_cepstra: torch.Tensor, direction: str = "AtoB") -> torch.Tensor:
        """Mel-cepstra (N, 1, D, T) of one speaker converted to the other's, in evaluation mode;
        any number of frames T."""
        if direction not in ("AtoB", "BtoA"):
            raise ConfigError(f"--direction must be AtoB or BtoA, got {direction!r}")
        source, target = ("a", "b") if direction == "AtoB" else ("b", "a")
        net = self.generators.a_to_b if direction == "AtoB" else self.generators.b_to_a
        was_training = self.training
        self.eval()
        try:
            return self.unstandardize(net(self.standardize(mel_cepstra, source)), target)
        finally:
            self.train(was_training)

    # --- training -------------------------------------------------------------------------------

    def optimizer_parts(self) -> dict[str, Part]:
        c = self.config
        return scheduled_parts({"generators": (self.generators, c.lr_g), "discriminators": (self.discriminators, c.lr_d)},
                               c.beta1, c.decay_start)  # fmt: skip

    def identity_weight(self, step: int) -> float:
        return self.config.lambda_identity if step < self.config.identity_steps else 0.0

    def _generator_terms(self, judges: nn.Module, out: dict[str, torch.Tensor], a: torch.Tensor, b: torch.Tensor,
                         identity_weight: float) -> dict[str, torch.Tensor]:  # fmt: skip
        c = self.config
        scores = judges(self._fakes(out, detach=False))
        zero = torch.zeros((), device=a.device)
        terms = {"g_gan": patch_loss("lsgan", scores["judge_b"], True) + patch_loss("lsgan", scores["judge_a"], True)}
        if c.two_step:
            terms["g_gan2"] = patch_loss("lsgan", scores["second_a"], True) + patch_loss("lsgan", scores["second_b"], True)
        terms["cycle"] = (out["rec_a"] - a).abs().mean() + (out["rec_b"] - b).abs().mean()
        terms["identity"] = (out["same_b"] - b).abs().mean() + (out["same_a"] - a).abs().mean() if "same_a" in out else zero
        terms["g_loss"] = terms["g_gan"] + terms.get("g_gan2", zero) + c.lambda_cycle * terms["cycle"] + identity_weight * terms["identity"]
        return terms

    def _fakes(self, out: dict[str, torch.Tensor], detach: bool) -> dict[str, torch.Tensor]:
        """Each judge's fakes: converted features for D_A and D_B, cycled ones for D_A2 and D_B2."""
        fakes = {"judge_a": out["fake_a"], "judge_b": out["fake_b"]}
        if self.config.two_step:
            fakes |= {"second_a": out["rec_a"], "second_b": out["rec_b"]}
        return {name: x.detach() if detach else x for name, x in fakes.items()}

    def _discriminator_loss(self, judges: nn.Module, a: torch.Tensor, b: torch.Tensor, out: dict[str, torch.Tensor]) -> torch.Tensor:
        """Half the sum of each judge's real and fake terms, summed over the judges (reals and fakes in one batch)."""
        fakes = self._fakes(out, detach=True)
        reals = {name: a if name.endswith("_a") else b for name in fakes}
        scores = judges({name: torch.cat([reals[name], fakes[name]]) for name in fakes})
        loss = torch.zeros((), device=a.device)
        for logits in scores.values():
            real_out, fake_out = logits.chunk(2)
            loss = loss + 0.5 * (patch_loss("lsgan", real_out, True) + patch_loss("lsgan", fake_out, False))
        return loss

    def training_step(self, batch: Batch, ctx: StepContext) -> dict[str, torch.Tensor]:
        """The generators' update, then the discriminators' on the same (detached) fakes and cycles."""
        g, judges = ctx.nets["generators"], ctx.nets["discriminators"]
        a, b = self.standardize(batch["x"], "a"), self.standardize(batch["b"], "b")
        weight = self.identity_weight(ctx.step)
        out = g(a, b, weight > 0)
        terms = self._generator_terms(judges, out, a, b, weight)
        ctx.update("generators", terms["g_loss"])
        d_loss = self._discriminator_loss(judges, a, b, out)
        ctx.update("discriminators", d_loss)
        return {k: v.detach() for k, v in terms.items()} | {"d_loss": d_loss.detach()}

    def forward(self, x: torch.Tensor, b: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Validation terms (no update): the generators' terms without identity, and the discriminators' loss."""
        a, b = self.standardize(x, "a"), self.standardize(b, "b")
        out = self.generators(a, b, False)
        terms = self._generator_terms(self.discriminators, out, a, b, 0.0)
        return terms | {"d_loss": self._discriminator_loss(self.discriminators, a, b, out)}
