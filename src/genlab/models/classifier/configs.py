"""The options of the classifiers (the binary classifier, DB-VAE), and their models in the registry.

Configs import no torch, so the command line lists the models and their options without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from genlab.errors import ConfigError
from genlab.models.config import ModelConfig, NetKind, check_choice, option
from genlab.models.registry import ModelSpec, register_model


@dataclass
class ClassifierConfig(ModelConfig):
    net: NetKind = option("conv", "network: conv (images) or mlp (any data)")
    hidden: tuple[int, ...] = option((128,), "fully connected widths after the conv layers")
    channels: tuple[int, ...] = option((16, 32, 64, 128), "conv widths, one per halving of resolution")

    def validate(self) -> None:
        super().validate()
        check_choice(self, "net")
        if any(w < 1 for w in self.hidden) or any(c < 1 for c in self.channels):
            raise ConfigError("--hidden and --channels widths must be positive")


@dataclass
class DBVAEConfig(ClassifierConfig):
    latent_dim: int = option(32, "size of the latent code z")
    kl_weight: float = option(0.0005, "weight of the KL term inside the VAE loss")
    vae_weight: float = option(1.0, "weight of the VAE loss (faces only) against the classification loss")
    debias: bool = option(True, "resample the positives each epoch by inverse latent density (off: uniform)")
    bins: int = option(10, "histogram bins per latent dimension for the density estimate")
    alpha: float = option(0.01, "smoothing of the histogram; larger means closer to uniform sampling")
    combine: Literal["product", "max"] = option(
        "max",
        "combine per-dimension weights: max (the MIT lab code) or product (the paper; concentrates on a few "
        "images as the latent size grows unless --alpha is large)",
    )

    def validate(self) -> None:
        super().validate()
        check_choice(self, "combine")
        if self.latent_dim < 1:
            raise ConfigError(f"--latent-dim must be at least 1, got {self.latent_dim}")
        if self.bins < 1:
            raise ConfigError(f"--bins must be at least 1, got {self.bins}")
        if not self.alpha > 0:
            raise ConfigError(f"--alpha must be positive, got {self.alpha}")
        if self.kl_weight < 0 or self.vae_weight < 0:
            raise ConfigError("--kl-weight and --vae-weight must be non-negative")


register_model(
    ModelSpec(
        "classifier", "genlab.models.classifier.classifier:Classifier", ClassifierConfig, "binary classifier (1 = positive, e.g. a face; 0 = negative)",
        examples=(
            "genlab train classifier --data faces-detection --epochs 5 --out runs/classifier",
        ),
    )
)  # fmt: skip

register_model(
    ModelSpec(
        "dbvae", "genlab.models.classifier.dbvae:DebiasingVAE", DBVAEConfig,
        "debiasing VAE (DB-VAE): a classifier that resamples rare positives by their latent density",
        examples=(
            "genlab train dbvae --data faces-detection --epochs 5 --alpha 0.01 --out runs/dbvae",
            "genlab train dbvae --data faces-detection --combine max --bins 20 --out runs/dbvae-max",
        ),
    )
)  # fmt: skip
