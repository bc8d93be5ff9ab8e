"""The options of the GAN family (the game, its players, progressive growing), and its models in the registry.

Configs import no torch, so the command line lists the models and their options without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from genlab.errors import ConfigError
from genlab.models.config import ModelConfig, check_choice, option
from genlab.models.registry import ModelSpec, register_model

LossKind = Literal["saturating", "non-saturating", "lsgan", "hinge", "wgan-gp"]


@dataclass
class GameConfig(ModelConfig):
    """The game, whatever the players: loss, penalties, EMA, learning rates, conditioning."""

    latent_dim: int = option(64, "size of the noise vector z ~ N(0, I)")
    loss: LossKind = option("non-saturating", "the game: saturating (minimax), non-saturating, lsgan, hinge or wgan-gp")
    gp_weight: float = option(10.0, "weight of the gradient penalty of wgan-gp")
    drift: float = option(0.0, "weight of the drift term eps * D(x)^2 (Karras et al. 2018; wgan-gp uses 0.001)")
    r1: float = option(0.0, "R1 penalty gamma: gamma / 2 * |grad D(x)|^2 on real data (0: off)")
    ema: float = option(0.0, "decay of an EMA of the generator's weights used for sampling, e.g. 0.999 (0: off)")
    lr_g: float | None = option(None, "generator learning rate (default: --lr)")
    lr_d: float | None = option(None, "discriminator learning rate (default: --lr); TTUR: larger than --lr-g")
    beta1: float = option(0.5, "Adam beta1 of both players (DCGAN: 0.5; wgan-gp: 0.0)")
    beta2: float = option(0.999, "Adam beta2 of both players (wgan-gp: 0.9)")
    d_steps: int = option(1, "discriminator updates per generator update (wgan-gp: 5)")
    conditional: bool = option(False, "condition both players on the class labels of the data")
    num_classes: int = option(0, "number of classes, from the data", cli=False)

    @classmethod
    def from_data(cls, data: Any) -> dict[str, Any]:
        """``input_shape``, and ``num_classes`` of labeled data (its class names, else the largest label + 1)."""
        if data.y is None or len(data.y) == 0:
            return super().from_data(data) | {"num_classes": 0}
        return super().from_data(data) | {"num_classes": len(data.classes) if data.classes else int(data.y.max()) + 1}

    def validate(self) -> None:
        super().validate()
        check_choice(self, "loss")
        checks = [
            (self.latent_dim >= 1, f"--latent-dim must be at least 1, got {self.latent_dim}"),
            (self.gp_weight >= 0 and self.r1 >= 0 and self.drift >= 0, "--gp-weight, --r1 and --drift must be non-negative"),
            (0 <= self.ema < 1, f"--ema must be in [0, 1), got {self.ema}"),
            (self.lr_g is None or self.lr_g > 0, f"--lr-g must be positive, got {self.lr_g}"),
            (self.lr_d is None or self.lr_d > 0, f"--lr-d must be positive, got {self.lr_d}"),
            (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1, "--beta1 and --beta2 must be in [0, 1)"),
            (self.d_steps >= 1, f"--d-steps must be at least 1, got {self.d_steps}"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)
        if self.conditional and self.num_classes < 2:
            raise ConfigError(
                "--conditional needs labeled data with at least 2 classes (fashion-mnist, digits, "
                "or a folder with one subfolder per class)"
            )

    @property
    def is_image(self) -> bool:
        return len(self.input_shape) == 3

    @property
    def classes(self) -> int:
        """Classes the players are conditioned on (0 when unconditional)."""
        return self.num_classes if self.conditional else 0


@dataclass
class GANConfig(GameConfig):
    """MLP or DCGAN players and the game. Fields become `genlab train gan` options."""

    net: Literal["mlp", "conv"] = option("mlp", "players: mlp (any data) or conv (DCGAN, images)")
    hidden: tuple[int, ...] = option((256, 256), "MLP widths of both players (mlp)")
    channels: tuple[int, ...] = option((64, 128, 256), "discriminator conv widths, one per halving; the generator mirrors them (conv)")
    spectral_norm: bool = option(False, "spectral normalization of the discriminator's layers")
    batch_norm: bool = option(True, "batch normalization in the conv discriminator (off with wgan-gp or spectral norm)")

    def validate(self) -> None:
        super().validate()
        check_choice(self, "net")
        if not (all(w >= 1 for w in self.hidden) and all(c >= 1 for c in self.channels)):
            raise ConfigError("--hidden and --channels widths must be positive")
        if self.net == "conv" and len(self.input_shape) != 3:
            raise ConfigError(f"--net conv needs images (C, H, W); examples are shaped {self.input_shape}; use --net mlp")


@dataclass
class DCGANConfig(GANConfig):
    net: Literal["mlp", "conv"] = option("conv", "players: conv (DCGAN, images) or mlp (any data)")


@dataclass
class ProGANConfig(GameConfig):
    """Progressive players and the game. Fields become `genlab train progan` options."""

    latent_dim: int = option(128, "size of the noise vector z ~ N(0, I)")
    loss: LossKind = option("wgan-gp", "the game: wgan-gp (the paper's), hinge, non-saturating, lsgan or saturating")
    drift: float = option(0.001, "weight of the drift term eps * D(x)^2 that keeps critic values near 0")
    beta1: float = option(0.0, "Adam beta1 of both players")
    beta2: float = option(0.99, "Adam beta2 of both players")
    widths: tuple[int, ...] = option((128, 128, 64, 32, 16), "feature maps per stage, from 4x4 up (4, 8, 16, 32, 64)")
    phase_steps: int = option(1000, "steps at 4x4, then steps of each fade-in and of each stable phase")

    def validate(self) -> None:
        super().validate()
        if len(self.input_shape) != 3 or self.input_shape[1] != self.input_shape[2]:
            raise ConfigError(f"progan needs square images; examples are shaped {self.input_shape}")
        try:
            stages = _stage_count(self.input_shape[1])
        except ValueError as e:
            raise ConfigError(f"{e}; pass --resize 32 or --resize 64") from e
        if len(self.widths) < stages or any(w < 1 for w in self.widths):
            raise ConfigError(f"--widths needs {stages} positive widths for {self.input_shape[1]}x{self.input_shape[1]} images, got {self.widths}")
        if self.phase_steps < 1:
            raise ConfigError(f"--phase-steps must be at least 1, got {self.phase_steps}")

    @property
    def final_depth(self) -> int:
        return _stage_count(self.input_shape[1]) - 1


def _stage_count(size: int) -> int:
    from genlab.nets.progressive import stage_count

    return stage_count(size)


register_model(
    ModelSpec(
        "gan", "genlab.models.gan.gan:GAN", GANConfig, "generative adversarial network (MLP players; losses, penalties, EMA, TTUR, labels)",
        examples=(
            "genlab train gan --data toy1d --epochs 40 --latent-dim 8 --hidden 64,64 --out runs/gan1d",
            "genlab train gan --data toy2d --loss hinge --epochs 40 --out runs/ring",
            "genlab train gan --data toy2d --loss wgan-gp --beta1 0 --beta2 0.9 --lr 1e-4 --d-steps 5 --out runs/ring-wgan",
        ),
    )
)  # fmt: skip

register_model(
    ModelSpec(
        "dcgan", "genlab.models.gan.gan:GAN", DCGANConfig, "DCGAN: convolutional GAN for images (28x28, 32x32, 64x64, ...)",
        examples=(
            "genlab train dcgan --data fashion-mnist --lr 2e-4 --batch-size 64 --epochs 5 --channels 64,128 --out runs/dcgan",
            "genlab train dcgan --data fashion-mnist --conditional --lr 2e-4 --batch-size 64 --out runs/cgan",
            "genlab train dcgan --data folder:photos --resize 64 --loss hinge --spectral-norm --ema 0.999 --out runs/mine",
        ),
    )
)  # fmt: skip

register_model(
    ModelSpec(
        "progan", "genlab.models.gan.progan:ProGAN", ProGANConfig, "progressive GAN: grows from 4x4 to the full resolution with fade-in (Karras et al. 2018)",
        examples=(
            "genlab train progan --data fashion-mnist --resize 32 --batch-size 32 --phase-steps 600 --max-steps 4200 --out runs/progan",
            "genlab train progan --data digits --phase-steps 200 --widths 64,32 --out runs/progan-digits",
        ),
    )
)  # fmt: skip
