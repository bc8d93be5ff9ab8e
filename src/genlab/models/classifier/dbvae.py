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

import torch
import torch.nn.functional as F

from genlab.models.classifier.classifier import (
    Classifier,
    binary_accuracy,
    require_binary_labels,
)
from genlab.models.classifier.configs import DBVAEConfig
from genlab.models.classifier.resampling import debiasing_weights
from genlab.models.distributions import kl_standard_normal
from genlab.models.snapshots import ReconstructionSnapshots
from genlab.nets import build_decoder, build_encoder

log = logging.getLogger(__name__)


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
