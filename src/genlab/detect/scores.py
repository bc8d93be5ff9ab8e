"""Outlier scores of a trained autoencoder or VAE, per example; higher means more abnormal.

    recon       the model's reconstruction loss at the posterior mean (AE: its code)
    elbo        the negative ELBO, -E_q[log p(x, z) - log q(z|x)], from k posterior draws
    iwae        the IWAE-k negative log-likelihood bound (Burda et al. 2016)
    ratio       a likelihood ratio against a background model trained on perturbed inputs
                (Ren et al. 2019): nll(x) - nll_background(x), with nll the iwae score (AE: recon)
    complexity  nll in bits minus the PNG-compressed length of the image in bits (Serra et al. 2020)

Raw likelihoods can rate out-of-distribution data as *more* likely than the training data
(Nalisnick et al. 2019), mostly because simple inputs (few edges, flat backgrounds) are cheap
to encode for any model. The last two scores correct for that: the background model and the
compressor both see the "simplicity" of the input but not its content.

Every score uses the same k standard-normal draws for all examples (common random numbers),
so an example's score depends on the example and the seed only, never on its batch.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
import torch
from PIL import Image

from genlab.evaluate.likelihood import iwae_log_likelihood
from genlab.models.protocols import Likelihood

SCORES = ("recon", "elbo", "iwae", "ratio", "complexity")
VAE_ONLY = ("elbo", "iwae", "complexity")
DECODER_BUDGET = 16_384  # decoder evaluations at once (examples x draws)


def _batches(x: torch.Tensor, size: int) -> list[torch.Tensor]:
    return list(x.split(max(1, size)))


@torch.no_grad()
def reconstruction_nll(model: Any, x: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    """The model's reconstruction loss per example (N,): -log p(x | z = mu(x)) for a VAE, the AE's loss."""
    out = []
    for xb in _batches(x, batch_size):
        if isinstance(model, Likelihood):
            mu, _ = model.posterior(xb)
            out.append(-model.log_likelihood(xb, model.decode(mu)))
        else:
            out.append(model.reconstruction_error(xb))
    return torch.cat(out)


@torch.no_grad()
def likelihood_scores(model: Any, x: torch.Tensor, eps: torch.Tensor) -> dict[str, torch.Tensor]:
    """Negative ELBO (mean of the log-weights) and IWAE-k NLL per example, from shared draws ``eps`` (k, 1, L)."""
    k = eps.shape[0]
    elbo, iwae = [], []
    for xb in _batches(x, DECODER_BUDGET // k):
        log_w = model.log_weights(xb, k, eps)
        elbo.append(-log_w.mean(0))
        iwae.append(-iwae_log_likelihood(log_w))
    return {"elbo": torch.cat(elbo), "iwae": torch.cat(iwae)}


@torch.no_grad()
def error_map(model: Any, x: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    """Squared reconstruction error per feature or pixel, shaped like ``x``: where an example is unusual."""
    out = []
    for xb in _batches(x, batch_size):
        out.append((model.reconstruct(xb) - xb).pow(2))
    return torch.cat(out)


def compressed_bits(images: torch.Tensor) -> torch.Tensor:
    """Length in bits of each image (N, C, H, W) in [0, 1] saved as an 8-bit PNG at maximum compression.

    The compressor's code length is the complexity estimate L(x) of Serra et al. (2020); PNG is
    one of the general-purpose compressors they used.
    """
    array = (images.detach().float().cpu().clamp(0, 1) * 255 + 0.5).to(torch.uint8).numpy()
    bits = np.empty(len(array))
    for i, image in enumerate(array):
        pil = Image.fromarray(image[0] if image.shape[0] == 1 else np.transpose(image, (1, 2, 0)))
        buffer = io.BytesIO()
        pil.save(buffer, format="PNG", optimize=True, compress_level=9)
        bits[i] = 8 * len(buffer.getvalue())
    return torch.from_numpy(bits).float()


def nats_to_bits(nats: torch.Tensor) -> torch.Tensor:
    return nats / math.log(2)
