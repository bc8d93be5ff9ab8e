"""The options of image-to-image translation (pix2pix, CycleGAN), and their models in the registry.

Configs import no torch, so the command line lists the models and their options without it.
Images are translated from domain A (the data's ``x``) to domain B (its ``target`` for paired
data, its ``b`` for two unpaired domains); ``input_shape`` and ``target_shape`` come from the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from genlab.errors import ConfigError
from genlab.models.config import ModelConfig, check_choice, option
from genlab.models.registry import ModelSpec, register_model


@dataclass
class TranslationConfig(ModelConfig):
    """Networks and game shared by pix2pix and CycleGAN."""

    target_shape: tuple[int, ...] = option((), "shape of one image of domain B, taken from the data", cli=False)
    ngf: int = option(64, "generator width (the papers' 64; 16 or 32 train far faster on a CPU)")
    ndf: int = option(64, "discriminator width")
    n_layers_d: int = option(0, "PatchGAN stride-2 layers (0: a patch of about the share 70x70 is of 256x256)")
    norm: Literal["instance", "batch"] = option("instance", "normalization: instance (the same in training and translation) or batch")
    gan_loss: Literal["lsgan", "vanilla"] = option("lsgan", "adversarial loss: lsgan (least squares) or vanilla (cross-entropy)")
    lr_g: float = option(2e-4, "Adam learning rate of the generator(s) (the papers' 2e-4; --lr does not apply)")
    lr_d: float = option(2e-4, "Adam learning rate of the discriminator(s)")
    beta1: float = option(0.5, "Adam beta1 of every player (the papers' 0.5)")
    decay_start: float = option(0.5, "share of training at the constant learning rate, before it decays linearly to zero")
    crop: int = option(0, "train on random crops of this size (the papers' 256 of images loaded at --resize 286; 0: whole images)")
    flip: bool = option(False, "flip training pairs left to right at random")

    # which array of the data holds the other side: "target" for pairs, "b" for two domains
    other_side: ClassVar[str] = ""
    wrong_data: ClassVar[str] = ""

    @classmethod
    def from_data(cls, data: Any) -> dict[str, Any]:
        fields = super().from_data(data)
        target = data.extras.get(cls.other_side)
        if target is None:
            raise ConfigError(cls.wrong_data)
        return fields | {"target_shape": tuple(target.shape[1:])}

    def validate(self) -> None:
        super().validate()
        check_choice(self, "norm")
        check_choice(self, "gan_loss")
        for name, shape in (("domain A", self.input_shape), ("domain B", self.target_shape)):
            if len(shape) != 3:
                raise ConfigError(f"translation works on images (C, H, W); {name} is shaped {shape}")
        if self.input_shape[1:] != self.target_shape[1:]:
            raise ConfigError(
                f"the images of domain A are {self.input_shape[1]}x{self.input_shape[2]} and those of domain B "
                f"{self.target_shape[1]}x{self.target_shape[2]}; give both the same size (--resize N)"
            )
        checks = [
            (self.ngf >= 1 and self.ndf >= 1, "--ngf and --ndf must be positive"),
            (0 <= self.n_layers_d <= 6, f"--n-layers-d must be 0 (automatic) to 6, got {self.n_layers_d}"),
            (self.lr_g > 0 and self.lr_d > 0, "--lr-g and --lr-d must be positive"),
            (0 <= self.beta1 < 1, f"--beta1 must be in [0, 1), got {self.beta1}"),
            (0 <= self.decay_start <= 1, f"--decay-start must be in [0, 1], got {self.decay_start}"),
            (0 <= self.crop <= min(self.input_shape[1:]), f"--crop must be 0 to the image size {min(self.input_shape[1:])}, got {self.crop}"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)


    def source_shape(self, direction: str | None) -> tuple[int, ...]:
        """The shape of the images translated in ``direction`` (AtoB or BtoA; None: AtoB)."""
        return tuple(self.target_shape if direction == "BtoA" else self.input_shape)


@dataclass
class Pix2PixConfig(TranslationConfig):
    """pix2pix: a U-Net generator and a conditional PatchGAN, trained on pairs."""
    other_side = "target"
    wrong_data = ("pix2pix learns from pairs (faces-parts, faces-flip:..., edges:SET, gray:SET, aligned:PATH of A|B "
                  "images), but this data has no pairs; for two unpaired domains train cyclegan")  # fmt: skip

    gan_loss: Literal["lsgan", "vanilla"] = option("vanilla", "adversarial loss: vanilla (cross-entropy, the paper's) or lsgan")
    direction: Literal["AtoB", "BtoA"] = option("AtoB", "AtoB translates x into its target; BtoA the other way")
    lambda_l1: float = option(100.0, "weight of the L1 distance to the target (the paper's 100)")
    lambda_gan: float = option(1.0, "weight of the adversarial term (0: an L1-only U-Net, the paper's ablation)")
    dropout: bool = option(True, "dropout 0.5 in the U-Net's innermost full-width decoder blocks, as in the paper")

    def validate(self) -> None:
        super().validate()
        check_choice(self, "direction")
        if self.lambda_l1 < 0 or self.lambda_gan < 0:
            raise ConfigError("--lambda-l1 and --lambda-gan must be non-negative")

    def source_shape(self, direction: str | None) -> tuple[int, ...]:
        return super().source_shape(direction or self.direction)

    @property
    def depth(self) -> int:
        """U-Net halvings: down to 1x1 at the smaller side (8 at 256), at least 2."""
        return max(2, min(self.input_shape[1:]).bit_length() - 1)


@dataclass
class CycleGANConfig(TranslationConfig):
    """CycleGAN: two ResNet generators and two PatchGANs, trained on two domains without pairs."""
    other_side = "b"
    wrong_data = ("cyclegan learns from two domains: --data A --data-b B (any two data sets) or unaligned:PATH "
                  "(trainA/, trainB/); this data has one kind of image, or pairs (for pairs train pix2pix)")  # fmt: skip

    blocks: int = option(9, "residual blocks of each generator (the paper: 6 at 128x128, 9 at 256x256)")
    lambda_cycle: float = option(10.0, "weight of each cycle-consistency L1 term (the paper's 10)")
    lambda_identity: float = option(0.5, "identity loss weight, as a share of --lambda-cycle (the paper's 0.5)")
    pool_size: int = option(50, "earlier fakes kept for the discriminators (the paper's 50; 0: none)")

    def validate(self) -> None:
        super().validate()
        if self.blocks < 0 or self.pool_size < 0:
            raise ConfigError("--blocks and --pool-size must be non-negative")
        if self.lambda_cycle < 0 or self.lambda_identity < 0:
            raise ConfigError("--lambda-cycle and --lambda-identity must be non-negative")
        if self.lambda_identity > 0 and self.input_shape[0] != self.target_shape[0]:
            raise ConfigError(
                f"the identity loss feeds B images to the A->B generator, but A has {self.input_shape[0]} channels and "
                f"B {self.target_shape[0]}; pass --lambda-identity 0"
            )


register_model(
    ModelSpec(
        "pix2pix", "genlab.models.translation.pix2pix:Pix2Pix", Pix2PixConfig,
        "pix2pix: paired image-to-image translation, U-Net + conditional PatchGAN + L1 (Isola et al. 2017)",
        examples=(
            "genlab train pix2pix --data faces-parts --resize 32 --ngf 32 --ndf 32 --epochs 20 --out runs/labels2faces",
            "genlab train pix2pix --data faces-parts --direction BtoA --resize 32 --out runs/faces2labels",
            "genlab train pix2pix --data folder:~/facades --load-size 286 --crop 256 --flip --out runs/facades",
        ),
    )
)  # fmt: skip
register_model(
    ModelSpec(
        "cyclegan", "genlab.models.translation.cyclegan:CycleGAN", CycleGANConfig,
        "CycleGAN: unpaired image-to-image translation with cycle consistency (Zhu et al. 2017)",
        examples=(
            "genlab train cyclegan --data faces:glasses=0 --data-b faces:glasses=1 --resize 32 --ngf 16 --blocks 6 --out runs/glasses",
            "genlab train cyclegan --data folder:~/horse2zebra --resize 64 --ngf 32 --blocks 6 --out runs/h2z",
        ),
    )
)  # fmt: skip
