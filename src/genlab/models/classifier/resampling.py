"""Sampling weights that favor rare regions of latent space (DB-VAE, Amini et al., AIES 2019).

The density of the training data in latent space is estimated with one histogram per latent
dimension of the posterior means. An example in a sparse region is under-represented, so it gets
a high weight: per dimension ``1 / (Q_j(z_j) + alpha)``, where ``Q_j`` is the histogram's
probability of the bin that holds ``z_j`` and ``alpha`` smooths the estimate (a large alpha brings
the weights back towards uniform). The per-dimension weights are combined

- ``product``: the paper's Algorithm 1, ``W(x) = prod_j 1 / (Q_j(z_j(x)) + alpha)``, i.e. the
  inverse of a factorized density: rare in any dimension makes an example rare;
- ``max``: the MIT 6.S191 lab code, ``W(x) = max_j 1 / (Q_j(z_j(x)) + alpha)``: the rarest single
  dimension decides, which is less extreme than the product when there are many dimensions.

Both return probabilities that sum to 1.
"""

from __future__ import annotations

from typing import Literal

import torch

from genlab.errors import ConfigError

Combine = Literal["product", "max"]


def histogram_probabilities(mu: torch.Tensor, bins: int) -> torch.Tensor:
    """For each example and latent dimension, the share of examples in the same histogram bin.

    ``mu`` is (N, L); the result is (N, L) with values in (0, 1]. Each dimension's histogram spans
    that dimension's own range with ``bins`` equal-width bins.
    """
    if mu.dim() != 2 or len(mu) == 0:
        raise ConfigError(f"latent means must be shaped (N, L) with N > 0, got {tuple(mu.shape)}")
    if bins < 1:
        raise ConfigError(f"--bins must be at least 1, got {bins}")
    mu = mu.detach().double()
    low, high = mu.min(0).values, mu.max(0).values
    width = (high - low).clamp_min(1e-12) / bins
    index = ((mu - low) / width).floor().long().clamp_(0, bins - 1)  # (N, L); the maximum goes to the last bin
    counts = torch.zeros(bins, mu.shape[1], dtype=torch.float64, device=mu.device)
    counts.scatter_add_(0, index, torch.ones_like(mu))
    return (counts / len(mu)).gather(0, index)


def debiasing_weights(mu: torch.Tensor, bins: int = 10, alpha: float = 0.01, combine: Combine = "max") -> torch.Tensor:
    """Sampling probabilities (N,), summing to 1, inversely proportional to the latent density."""
    if not alpha > 0:
        raise ConfigError(f"--alpha must be positive (it smooths empty bins), got {alpha}")
    if combine not in ("product", "max"):
        raise ConfigError(f"--combine must be product or max, got {combine!r}")
    per_dim = -torch.log(histogram_probabilities(mu, bins) + alpha)  # log of 1 / (Q + alpha)
    log_w = per_dim.sum(1) if combine == "product" else per_dim.max(1).values
    return torch.softmax(log_w, 0).float()  # normalizing in log space keeps the product finite
