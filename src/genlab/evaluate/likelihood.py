"""Likelihood estimates for latent-variable models, in nats per example and bits per dimension.

The pure functions take arrays of log-weights or errors; :func:`vae_likelihood` runs a model over
a data tensor in memory-bounded chunks and reports both the ELBO and the IWAE-k bound.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from genlab.models.distributions import kl_standard_normal
from genlab.models.protocols import Likelihood
from genlab.progress import ProgressFn


def iwae_log_likelihood(log_weights: torch.Tensor) -> torch.Tensor:
    """The IWAE-k estimate of log p(x) from log-weights shaped (k, N): logmeanexp over k -> (N,).

    Its expectation is a lower bound on log p(x) that tightens as k grows (Burda et al. 2016);
    with k = 1 it is an unbiased estimate of the ELBO.
    """
    k = log_weights.shape[0]
    return torch.logsumexp(log_weights, dim=0) - math.log(k)


def bits_per_dim(nll_nats: float, dims: int, dequantization_bits: int | None = None) -> float:
    """Convert a negative log-likelihood per example (nats) to bits per dimension.

    With uniform dequantization of ``dequantization_bits``-bit data scaled to [0, 1), the density
    of the dequantized values bounds the discrete probability: -log P(k) <= nll + D log(2^bits).
    """
    if dequantization_bits is not None:
        nll_nats = nll_nats + dims * dequantization_bits * math.log(2)
    return nll_nats / (dims * math.log(2))


def psnr(mse_per_example: torch.Tensor, peak: float = 1.0) -> torch.Tensor:
    """Peak signal-to-noise ratio in dB per example, from mean squared errors (N,)."""
    return 10.0 * torch.log10(peak**2 / mse_per_example.clamp_min(1e-12))


@torch.no_grad()
def vae_likelihood(
    model: Likelihood,
    x: torch.Tensor,
    k: int,
    batch_size: int = 256,
    budget: int = 16_384,
    progress: ProgressFn | None = None,
) -> dict[str, torch.Tensor]:
    """Per-example ELBO terms (one posterior draw, analytic KL) and the IWAE-k log-likelihood.

    ``model`` is a VAE (a :class:`~genlab.models.protocols.Likelihood`);
    ``x`` is (N, ...) on the model's device. At most ``budget`` decoder evaluations run at once.
    Randomness comes from torch's global RNG: run it inside :func:`genlab.seeding.seeded_rng` for repeatable numbers.
    Returns tensors shaped (N,): ``elbo``, ``recon``, ``kl``, ``log_px`` (IWAE-k).
    ``progress`` hears about each batch (task "IWAE-k bound", in examples).
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    out: dict[str, list[torch.Tensor]] = {"elbo": [], "recon": [], "kl": [], "log_px": []}
    for xb in x.split(batch_size):
        mu, logvar = model.posterior(xb)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        recon = -model.log_likelihood(xb, model.decode(z))
        kl = kl_standard_normal(mu, logvar)
        k_chunk = max(1, min(k, budget // len(xb)))
        running = torch.full((len(xb),), -math.inf, device=xb.device)
        done = 0
        while done < k:
            n = min(k_chunk, k - done)
            running = torch.logaddexp(running, torch.logsumexp(model.log_weights(xb, n), dim=0))
            done += n
        out["elbo"].append(-(recon + kl))
        out["recon"].append(recon)
        out["kl"].append(kl)
        out["log_px"].append(running - math.log(k))
        if progress is not None:
            progress(f"IWAE-{k} bound", sum(len(v) for v in out["kl"]), len(x))
    return {name: torch.cat(values) for name, values in out.items()}


@torch.no_grad()
def reconstruction_errors(model: Any, x: torch.Tensor, batch_size: int = 256) -> dict[str, torch.Tensor]:
    """Per-example reconstruction loss, mean squared error and PSNR of an autoencoder: (N,) each."""
    recon, mse = [], []
    for xb in x.split(batch_size):
        recon.append(model.reconstruction_error(xb))
        mse.append((model.reconstruct(xb) - xb).pow(2).flatten(1).mean(1))
    mse_all = torch.cat(mse)
    return {"recon": torch.cat(recon), "mse": mse_all, "psnr": psnr(mse_all)}
