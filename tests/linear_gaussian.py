"""A linear-Gaussian VAE (probabilistic PCA) whose likelihood and posterior are known exactly.

z ~ N(0, I_L), x = W z + b + sigma * noise. With orthogonal columns of W the true posterior p(z|x)
is a diagonal Gaussian, so a VAE with linear networks can represent it exactly, or a chosen
distance away from it: tests then compare estimators with closed-form values instead of with
thresholds tuned to one training run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from genlab.models import VAE, VAEConfig


@dataclass
class LinearGaussian:
    w: torch.Tensor  # (D, L), orthogonal columns
    b: torch.Tensor  # (D,)
    sigma: float

    @classmethod
    def make(cls, dim: int = 6, latent_dim: int = 2, sigma: float = 0.5, seed: int = 0) -> LinearGaussian:
        g = torch.Generator().manual_seed(seed)
        q, _ = torch.linalg.qr(torch.randn(dim, latent_dim, generator=g))
        scales = torch.linspace(2.0, 1.0, latent_dim)
        return cls(q * scales, torch.randn(dim, generator=g), sigma)

    def sample(self, n: int, seed: int = 1) -> torch.Tensor:
        g = torch.Generator().manual_seed(seed)
        z = torch.randn(n, self.w.shape[1], generator=g)
        return z @ self.w.T + self.b + self.sigma * torch.randn(n, self.w.shape[0], generator=g)

    def log_px(self, x: torch.Tensor) -> torch.Tensor:
        """Exact log p(x) per example: x ~ N(b, W W^T + sigma^2 I)."""
        cov = self.w @ self.w.T + self.sigma**2 * torch.eye(len(self.b))
        return torch.distributions.MultivariateNormal(self.b, cov).log_prob(x)

    def posterior_variance(self) -> torch.Tensor:
        """Diagonal of the covariance of p(z|x), the same for every x: sigma^2 / (sigma^2 + |w_j|^2)."""
        return self.sigma**2 / (self.sigma**2 + (self.w**2).sum(0))

    def posterior_gain(self) -> torch.Tensor:
        """A with E[z|x] = A (x - b)."""
        return (self.posterior_variance()[:, None] * self.w.T) / self.sigma**2

    def vae(
        self, mean_scale: float = 1.0, variance_scale: float = 1.0, model: type[VAE] = VAE, config: type[VAEConfig] = VAEConfig, **options
    ) -> VAE:
        """A VAE (or subclass) with this decoder and the exact posterior as encoder, its mean and variance scaled."""
        latent_dim = self.w.shape[1]
        vae = model(config(input_shape=(len(self.b),), latent_dim=latent_dim, hidden=(), likelihood="gaussian", **options))
        encoder, decoder = _only_linear(vae.encoder), _only_linear(vae.decoder)
        gain = mean_scale * self.posterior_gain()
        with torch.no_grad():
            encoder.weight.zero_()
            encoder.weight[:latent_dim] = gain
            encoder.bias[:latent_dim] = -gain @ self.b
            encoder.bias[latent_dim:] = torch.log(variance_scale * self.posterior_variance())
            decoder.weight.copy_(self.w)
            decoder.bias.copy_(self.b)
            vae.log_scale.fill_(math.log(self.sigma))
        return vae.eval()

    def posterior_gap(self, x: torch.Tensor, mean_scale: float, variance_scale: float) -> torch.Tensor:
        """KL(q(z|x) || p(z|x)) per example for the encoder of ``vae(mean_scale, variance_scale)``: log p(x) - ELBO."""
        var = self.posterior_variance()
        mean = (x - self.b) @ self.posterior_gain().T
        q_var, q_mean = variance_scale * var, mean_scale * mean
        return 0.5 * (q_var / var + (q_mean - mean) ** 2 / var - 1 - torch.log(q_var / var)).sum(1)


def _only_linear(module: nn.Module) -> nn.Linear:
    layers = [m for m in module.modules() if isinstance(m, nn.Linear)]
    assert len(layers) == 1, f"expected one linear layer, found {len(layers)}"
    return layers[0]
