"""The options of CycleGAN-VC2 voice conversion, and its model in the registry.

Configs import no torch. Domain A is the data's ``x`` (the source speaker's mel-cepstrum
segments, ``speech:...``), domain B its ``b`` (``--data-b``, the target speaker's). Each speaker's
per-coefficient mean and standard deviation come from the training data and are saved with the
config: the networks see standardized mel-cepstra, and conversion undoes the target's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from genlab.errors import ConfigError
from genlab.models.config import ModelConfig, option
from genlab.models.registry import ModelSpec, register_model


@dataclass
class VoiceConfig(ModelConfig):
    """CycleGAN-VC2 (Kaneko et al. 2019): 2-1-2D gated generators, 2-D PatchGANs, two-step adversarial loss."""

    target_shape: tuple[int, ...] = option((), "shape of one segment of speaker B, taken from the data", cli=False)
    mean_a: tuple[float, ...] = option((), "speaker A's mean of each mel-cepstral coefficient, from the data", cli=False)
    std_a: tuple[float, ...] = option((), "speaker A's standard deviation of each coefficient, from the data", cli=False)
    mean_b: tuple[float, ...] = option((), "speaker B's mean of each coefficient, from the data", cli=False)
    std_b: tuple[float, ...] = option((), "speaker B's standard deviation of each coefficient, from the data", cli=False)
    width: int = option(128, "generator width (the paper's 128; 32 or 64 train far faster on a CPU)")
    width_d: int = option(128, "discriminator width (the paper's 128)")
    blocks: int = option(6, "1-D residual blocks of each generator (the paper's 6)")
    lambda_cycle: float = option(10.0, "weight of each cycle-consistency L1 term (the paper's 10)")
    lambda_identity: float = option(5.0, "weight of each identity L1 term while it lasts (the paper's 5)")
    identity_steps: int = option(10_000, "steps with the identity loss, which then stops (the paper's 10,000)")
    two_step: bool = option(True, "the two-step adversarial loss: two more discriminators judge the cycled features")
    lr_g: float = option(2e-4, "Adam learning rate of the generators (the paper's 2e-4; --lr does not apply)")
    lr_d: float = option(1e-4, "Adam learning rate of the discriminators (the paper's 1e-4)")
    beta1: float = option(0.5, "Adam beta1 of every player (the paper's 0.5)")
    decay_start: float = option(0.5, "share of training at the constant learning rate, before it decays linearly to zero")

    @classmethod
    def from_data(cls, data: Any) -> dict[str, Any]:
        fields = super().from_data(data)
        other = data.extras.get("b")
        if other is None or data.x.dim() != 4:
            raise ConfigError("voice conversion learns from two speakers' speech: --data speech:A --data-b speech:B (see `genlab datasets`)")
        mean_a, std_a = _moments(data.x)
        mean_b, std_b = _moments(other)
        return fields | {"target_shape": tuple(other.shape[1:]), "mean_a": mean_a, "std_a": std_a, "mean_b": mean_b, "std_b": std_b}

    def validate(self) -> None:
        super().validate()
        if len(self.input_shape) != 3 or self.input_shape[0] != 1:
            raise ConfigError(f"voice conversion works on mel-cepstrum segments (1, D, T); got examples shaped {self.input_shape}")
        if tuple(self.target_shape) != tuple(self.input_shape):
            raise ConfigError(f"the two speakers' segments must have one shape; A is {self.input_shape} and B {self.target_shape}")
        dim = self.input_shape[1]
        if any(len(v) != dim for v in (self.mean_a, self.std_a, self.mean_b, self.std_b)):
            raise ConfigError(f"each speaker needs one mean and standard deviation per coefficient ({dim})")
        if any(s <= 0 for s in (*self.std_a, *self.std_b)):
            raise ConfigError("a mel-cepstral coefficient does not vary in the data; give each speaker more speech")
        checks = [
            (self.width >= 2 and self.width % 2 == 0 and self.width_d >= 1, "--width must be even and --width-d positive"),
            (self.blocks >= 0 and self.identity_steps >= 0, "--blocks and --identity-steps must be non-negative"),
            (self.lambda_cycle >= 0 and self.lambda_identity >= 0, "--lambda-cycle and --lambda-identity must be non-negative"),
            (self.lr_g > 0 and self.lr_d > 0, "--lr-g and --lr-d must be positive"),
            (0 <= self.beta1 < 1, f"--beta1 must be in [0, 1), got {self.beta1}"),
            (0 <= self.decay_start <= 1, f"--decay-start must be in [0, 1], got {self.decay_start}"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)


def _moments(x: Any) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Mean and standard deviation of each coefficient over segments and frames of (N, 1, D, T)."""
    per_coefficient = x.transpose(0, 2).reshape(x.shape[2], -1).double()
    return tuple(per_coefficient.mean(1).tolist()), tuple(per_coefficient.std(1).tolist())


register_model(
    ModelSpec(
        "voice", "genlab.models.voice.cyclegan_vc2:CycleGANVC2", VoiceConfig,
        "CycleGAN-VC2: voice conversion between two speakers without parallel speech (Kaneko et al. 2019)",
        examples=(
            "genlab train voice --source speech:voice=slt --target speech:voice=rms --width 32 --width-d 32 --batch-size 1 --max-steps 4000 --out runs/slt2rms",
            "genlab train voice --source 'speech:fillets=nl;fish=small' --target 'speech:fillets=nl;fish=big' --width 32 --width-d 32 --batch-size 1 --out runs/fish",
            "genlab train voice --source speech:~/vcc/SF1 --target speech:~/vcc/TM1 --out runs/sf1_tm1",
        ),
        data_names=("source", "target"),
    )
)  # fmt: skip
