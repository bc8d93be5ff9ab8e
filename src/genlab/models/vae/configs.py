"""The options of the autoencoder family, and its models in the registry.

Configs import no torch, so the command line lists the models and their options without it; the
registry names each model class by its module, loaded when a model is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from genlab.errors import ConfigError
from genlab.models.config import ModelConfig, NetKind, check_choice, option
from genlab.models.registry import ModelSpec, register_model


@dataclass
class AutoencoderConfig(ModelConfig):
    """Encoder/decoder options shared by the AE and the VAE."""

    latent_dim: int = option(16, "size of the latent code z")
    net: NetKind = option("mlp", "encoder/decoder networks: mlp (any data) or conv (images)")
    hidden: tuple[int, ...] = option(
        (512, 256), "fully connected widths, encoder order (conv nets use them after the conv layers)"
    )
    channels: tuple[int, ...] = option((32, 64, 128, 256), "conv widths, one per halving of resolution")

    def validate(self) -> None:
        super().validate()
        if self.latent_dim < 1:
            raise ConfigError(f"--latent-dim must be at least 1, got {self.latent_dim}")
        check_choice(self, "net")
        if any(w < 1 for w in self.hidden) or any(c < 1 for c in self.channels):
            raise ConfigError("--hidden and --channels widths must be positive")
        if self.net == "conv" and (len(self.input_shape) != 3 or not self.channels):
            raise ConfigError(
                f"--net conv needs images (C, H, W) and at least one --channels width; "
                f"examples are shaped {self.input_shape}"
            )

    @property
    def event_dims(self) -> int:
        return len(self.input_shape)


@dataclass
class AEConfig(AutoencoderConfig):
    loss: Literal["bce", "mse"] = option("bce", "reconstruction loss: bce on logits (data in [0, 1]) or mse")

    def validate(self) -> None:
        super().validate()
        check_choice(self, "loss")


@dataclass
class VAEConfig(AutoencoderConfig):
    likelihood: Literal["bernoulli", "gaussian", "student-t"] = option(
        "bernoulli",
        "decoder distribution p(x|z): bernoulli (binary or [0, 1] data), gaussian, or student-t (heavy tails: "
        "robust to extreme values)",
    )
    df: float = option(1.0, "degrees of freedom of the student-t decoder (1 is Cauchy; large is nearly gaussian)")
    beta: float = option(1.0, "weight of the KL term; 1 is the ELBO, more than 1 a beta-VAE")

    def validate(self) -> None:
        super().validate()
        check_choice(self, "likelihood")
        if not self.beta >= 0:
            raise ConfigError(f"--beta must be non-negative, got {self.beta}")
        if not self.df > 0:
            raise ConfigError(f"--df must be positive, got {self.df}")


@dataclass
class IWAEConfig(VAEConfig):
    beta: float = option(1.0, "fixed at 1: the IWAE bound has no KL weight", cli=False)
    k: int = option(5, "importance samples per example in the training bound (1 is the VAE's ELBO)")

    def validate(self) -> None:
        super().validate()
        if self.k < 1:
            raise ConfigError(f"--k must be at least 1, got {self.k}")
        if self.beta != 1.0:
            raise ConfigError("the IWAE bound has no KL weight; train a vae for --beta")


@dataclass
class AnnealedVAEConfig(VAEConfig):
    beta: float = option(1.0, "unused: gamma weighs |KL - C| instead", cli=False)
    gamma: float = option(1000.0, "weight of |KL - C|; large values hold the KL at the target capacity")
    capacity: float = option(25.0, "final target capacity C_max: the KL in nats per example")
    capacity_steps: int = option(100_000, "training steps over which C grows linearly from 0 to C_max")

    def validate(self) -> None:
        super().validate()
        if not self.gamma >= 0:
            raise ConfigError(f"--gamma must be non-negative, got {self.gamma}")
        if not self.capacity >= 0:
            raise ConfigError(f"--capacity must be non-negative, got {self.capacity}")
        if self.capacity_steps < 1:
            raise ConfigError(f"--capacity-steps must be at least 1, got {self.capacity_steps}")
        if self.beta != 1.0:
            raise ConfigError("annealed-vae weighs |KL - C| with --gamma, not --beta")


register_model(
    ModelSpec(
        "ae", "genlab.models.vae.autoencoder:Autoencoder", AEConfig, "deterministic bottleneck autoencoder",
        examples=(
            "genlab train ae --data digits --latent-dim 8 --epochs 20 --out runs/ae",
            "genlab train ae --data fashion-mnist --net conv --loss mse --out runs/ae-conv",
        ),
    )
)  # fmt: skip

register_model(
    ModelSpec(
        "vae", "genlab.models.vae.vae:VAE", VAEConfig, "variational autoencoder (reparameterization trick, ELBO, beta weighting)",
        examples=(
            "genlab train vae --data fashion-mnist --latent-dim 16 --epochs 10 --out runs/vae",
            "genlab train vae --data fashion-mnist --net conv --binarize --beta 4 --out runs/bvae",
            "genlab train vae --data digits --limit 500 --max-steps 200 --out runs/quick",
        ),
    )
)  # fmt: skip

register_model(
    ModelSpec(
        "iwae", "genlab.models.vae.iwae:IWAE", IWAEConfig, "variational autoencoder on the tighter importance-weighted bound IWAE-k (Burda et al. 2016)",
        examples=(
            "genlab train iwae --data fashion-mnist --binarize --k 5 --epochs 10 --out runs/iwae",
            "genlab train iwae --data digits --binarize --k 50 --latent-dim 8 --out runs/iwae-digits",
        ),
    )
)  # fmt: skip

register_model(
    ModelSpec(
        "annealed-vae", "genlab.models.vae.annealed:AnnealedVAE", AnnealedVAEConfig,
        "beta-VAE with controlled capacity: recon + gamma |KL - C|, C annealed from 0 (Burgess et al. 2018)",
        examples=(
            "genlab train annealed-vae --data shapes --net conv --gamma 1000 --capacity 25 --capacity-steps 100000 --out runs/cvae",
            "genlab train annealed-vae --data digits --binarize --capacity 10 --capacity-steps 2000 --out runs/cvae-digits",
        ),
    )
)  # fmt: skip
