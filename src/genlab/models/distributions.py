"""Log-densities and KL divergences used by the latent-variable models, per example.

Every function sums over the event dimensions and returns one value per example, shaped (N,)
(or the leading batch shape of its inputs).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

LOG_2PI = math.log(2 * math.pi)


def _sum_event(values: torch.Tensor, event_dims: int) -> torch.Tensor:
    return values.flatten(-event_dims).sum(-1) if event_dims else values


def kl_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL( N(mu, exp(logvar)) || N(0, I) ) for diagonal Gaussians shaped (..., L) -> (...)."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(-1)


def log_normal(z: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """log N(z; mu, exp(logvar)) for diagonal Gaussians shaped (..., L) -> (...)."""
    return -0.5 * (LOG_2PI + logvar + (z - mu).pow(2) * torch.exp(-logvar)).sum(-1)


def log_standard_normal(z: torch.Tensor) -> torch.Tensor:
    """log N(z; 0, I) shaped (..., L) -> (...)."""
    return -0.5 * (LOG_2PI + z.pow(2)).sum(-1)


def bernoulli_log_likelihood(x: torch.Tensor, logits: torch.Tensor, event_dims: int) -> torch.Tensor:
    """log Bernoulli(x; sigmoid(logits)), computed on logits for stability, summed over events."""
    return -_sum_event(F.binary_cross_entropy_with_logits(logits, x, reduction="none"), event_dims)


def gaussian_log_likelihood(
    x: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor, event_dims: int
) -> torch.Tensor:
    """log N(x; mean, exp(log_scale)^2), summed over events."""
    log_density = -0.5 * LOG_2PI - log_scale - 0.5 * ((x - mean) * torch.exp(-log_scale)).pow(2)
    return _sum_event(log_density, event_dims)


def student_t_log_likelihood(
    x: torch.Tensor, loc: torch.Tensor, log_scale: torch.Tensor, df: float, event_dims: int
) -> torch.Tensor:
    """log StudentT(x; df, loc, exp(log_scale)), summed over events; df = 1 is the Cauchy density.

    Its log-density falls off like -log|x - loc| instead of -(x - loc)^2, so a few far-off values
    cannot outweigh everything else an example has to say (Lange et al. 1989, robust regression).
    """
    normalizer = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    squared = ((x - loc) * torch.exp(-log_scale)).pow(2)
    log_density = normalizer - log_scale - 0.5 * (df + 1) * torch.log1p(squared / df)
    return _sum_event(log_density, event_dims)
