"""The importance-weighted autoencoder (Burda et al. 2016): a VAE trained on the IWAE-k bound.

With k draws z_i ~ q(z|x) and weights w_i = p(x, z_i) / q(z_i|x), the bound
log (1/k) sum_i w_i <= log p(x) tightens as k grows (k = 1 is the ELBO). Training maximizes it,
so the encoder no longer has to cover the posterior with one Gaussian: it only has to propose.
The network, the decoder distributions and every picture are the VAE's.
"""

from __future__ import annotations

import math

import torch

from genlab.models.distributions import kl_standard_normal
from genlab.models.vae.configs import IWAEConfig
from genlab.models.vae.vae import VAE


class IWAE(VAE):
    """``forward(x)`` returns ``loss`` (the negative IWAE-k bound), and ``recon`` and ``kl`` of the same draws."""

    config: IWAEConfig

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        k = self.config.k
        log_px_z, log_ratio, mu, logvar = self.importance_terms(x, k)
        bound = torch.logsumexp(log_px_z + log_ratio, dim=0) - math.log(k)  # (N,)
        return {
            "loss": -bound.mean(),
            "recon": -log_px_z.mean(),  # mean over draws and examples, for the curves
            "kl": kl_standard_normal(mu, logvar).mean().detach(),
        }
