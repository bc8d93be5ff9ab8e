"""The debiasing VAE (DB-VAE, Amini et al., AIES 2019): a classifier that learns its own blind spots.

One encoder outputs the classification logit and, beside it, the mean and log-variance of a
latent Gaussian; a decoder reconstructs the input from a sample of that Gaussian. The loss is

    classification BCE  +  1[y = 1] * vae_weight * (reconstruction + kl_weight * KL)

so the VAE part learns the latent distribution of the positive class (faces) only; negatives
carry no VAE term. Once per epoch the trainer asks for :meth:`sampling_weights`: the positives are
resampled with probabilities inversely proportional to their latent density
(:func:`genlab.models.classifier.resampling.debiasing_weights`), so faces of rare kinds are seen more often.
Reconstruction is the mean absolute pixel error, as in the paper's lab code, which keeps the VAE
term on the scale of the classification loss.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F

from genlab.errors import ConfigError
from genlab.models.classifier.classifier import (
    Classifier,
    ClassifierConfig,
    binary_accuracy,
    require_binary_labels,
)
from genlab.models.classifier.resampling import debiasing_weights
from genlab.models.config import check_choice, option
from genlab.models.distributions import kl_standard_normal
from genlab.models.registry import ModelSpec, register_model
from genlab.models.snapshots import ReconstructionSnapshots
from genlab.nets import build_decoder, build_encoder

log = logging.getLogger(__name__)


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


class DebiasingVAE(ReconstructionSnapshots, Classifier):
    """Classifier + VAE on the positives; ``forward(x, y)`` returns its loss terms (batch means)."""

    WEIGHT_BATCH = 512  # examples per forward pass when computing sampling weights

    def __init__(self, config: DBVAEConfig) -> None:
        super().__init__(config)
        c = config
        self.config: DBVAEConfig = config
        self.encoder = build_encoder(c.net, c.input_shape, 1 + 2 * c.latent_dim, c.hidden, c.channels)
        self.decoder = build_decoder(c.net, c.latent_dim, c.input_shape, c.hidden, c.channels)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(logits (N,), mu (N, L), logvar (N, L))."""
        out = self.encoder(x)
        latent = self.config.latent_dim
        return out[:, 0], out[:, 1 : 1 + latent], out[:, 1 + latent :]

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        return self.encode(x)[0]

    def posterior(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance (N, L) of q(z|x)."""
        _, mu, logvar = self.encode(x)
        return mu, logvar

    def code(self, x: torch.Tensor) -> torch.Tensor:
        """The posterior mean of each example (N, L)."""
        return self.encode(x)[1]

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Pixel logits of the reconstruction of codes z (N, L)."""
        return self.decoder(z)

    def to_data(self, output: torch.Tensor) -> torch.Tensor:
        """Decoder logits as images in [0, 1]."""
        return torch.sigmoid(output)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        target = require_binary_labels(y, "dbvae")
        logits, mu, logvar = self.encode(x)
        classification = F.binary_cross_entropy_with_logits(logits, target, reduction="none")  # (N,)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)  # sigma = exp(logvar / 2)
        recon = (self.to_data(self.decode(z)) - x).abs().flatten(1).mean(1)  # (N,)
        kl = kl_standard_normal(mu, logvar)  # (N,)
        is_positive = target  # (N,): the VAE term counts for positives only
        vae = self.config.vae_weight * (recon + self.config.kl_weight * kl)
        loss = (classification + is_positive * vae).mean()
        n_pos = is_positive.sum().clamp_min(1.0)
        return {
            "loss": loss,
            "classification": classification.mean(),
            "recon": (recon * is_positive).sum() / n_pos,
            "kl": (kl * is_positive).sum() / n_pos,
            "accuracy": binary_accuracy(logits.detach(), target),
        }

    @torch.no_grad()
    def latent_means(self, x: torch.Tensor) -> torch.Tensor:
        """Posterior means (N, L), computed in batches."""
        return torch.cat([self.code(chunk) for chunk in x.split(self.WEIGHT_BATCH)])

    @torch.no_grad()
    def sampling_weights(self, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor | None:
        """Per-example weights for this epoch's sampler, or None for uniform sampling.

        Positives share their class's mass (their count) in proportion to their debiasing weight;
        negatives keep weight 1 each, so the class balance stays what the data has.
        """
        if not self.config.debias:
            return None
        target = require_binary_labels(y, "dbvae")
        positive = target > 0.5
        n_pos = int(positive.sum())
        if n_pos == 0:
            return None
        weights = torch.ones(len(x), device=x.device)
        c = self.config
        probabilities = debiasing_weights(self.latent_means(x[positive]), c.bins, c.alpha, c.combine)
        effective = float(1.0 / probabilities.pow(2).sum())
        if effective < 0.1 * n_pos:
            log.warning(
                "the debiasing sampler concentrates on about %d of %d positives (effective sample size); "
                "raise --alpha or use --combine max for a gentler resampling", round(effective), n_pos,
            )  # fmt: skip
        weights[positive] = probabilities * n_pos
        return weights

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return self.to_data(self.decode(self.code(x)))

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        device = next(self.parameters()).device
        return self.to_data(self.decode(torch.randn(n, self.config.latent_dim, generator=generator).to(device)))



register_model(
    ModelSpec(
        "dbvae", DebiasingVAE, DBVAEConfig,
        "debiasing VAE (DB-VAE): a classifier that resamples rare positives by their latent density",
        examples=(
            "genlab train dbvae --data faces-detection --epochs 5 --alpha 0.01 --out runs/dbvae",
            "genlab train dbvae --data faces-detection --combine max --bins 20 --out runs/dbvae-max",
        ),
    )
)  # fmt: skip
