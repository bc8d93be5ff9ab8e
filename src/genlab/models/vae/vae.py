"""The variational autoencoder (Kingma & Welling 2014) with beta weighting (Higgins et al. 2017).

Encoder q(z|x) = N(mu(x), diag(exp(logvar(x)))), prior p(z) = N(0, I), decoder p(x|z) Bernoulli
(on logits), or Gaussian or Student-t with one learned scale (a calibrated decoder, Rybkin et al.
2021; the Student-t's heavy tails make the fit robust to a few extreme values, Takahashi et al. 2018).
Training minimizes recon + beta * KL per example; with beta = 1 that is the negative ELBO.
"""

from __future__ import annotations

import torch
from torch import nn

from genlab.models.distributions import (
    bernoulli_log_likelihood,
    gaussian_log_likelihood,
    kl_standard_normal,
    log_normal,
    log_standard_normal,
    student_t_log_likelihood,
)
from genlab.models.snapshots import ReconstructionSnapshots
from genlab.models.vae.configs import VAEConfig
from genlab.nets import build_decoder, build_encoder


class VAE(ReconstructionSnapshots, nn.Module):
    """Variational autoencoder; ``forward(x)`` returns ``loss``, ``recon`` and ``kl`` (nats per example)."""

    def __init__(self, config: VAEConfig) -> None:
        super().__init__()
        config.validate()
        self.config = config
        c = config
        self.encoder = build_encoder(c.net, c.input_shape, 2 * c.latent_dim, c.hidden, c.channels)
        self.decoder = build_decoder(c.net, c.latent_dim, c.input_shape, c.hidden, c.channels)
        if c.likelihood != "bernoulli":
            self.log_scale = nn.Parameter(torch.full((), -1.0))

    # --- the model ---------------------------------------------------------------------------

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior parameters (mu, logvar), each (N, latent_dim)."""
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        return mu, logvar

    def posterior(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance (N, latent_dim) of q(z|x)."""
        return self.encode(x)

    def code(self, x: torch.Tensor) -> torch.Tensor:
        """The posterior mean of each example (N, latent_dim)."""
        return self.encode(x)[0]

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Decoder parameters for z (N, latent_dim): logits (bernoulli) or locations (gaussian, student-t)."""
        return self.decoder(z)

    def log_likelihood(self, x: torch.Tensor, output: torch.Tensor) -> torch.Tensor:
        """log p(x|z) per example (N,) given decoder outputs for z; x may broadcast over leading dims."""
        event_dims = self.config.event_dims
        if self.config.likelihood == "bernoulli":
            return bernoulli_log_likelihood(x.expand_as(output), output, event_dims)
        if self.config.likelihood == "student-t":
            return student_t_log_likelihood(x, output, self.log_scale, self.config.df, event_dims)
        return gaussian_log_likelihood(x, output, self.log_scale, event_dims)

    def to_data(self, output: torch.Tensor) -> torch.Tensor:
        """The center of p(x|z) in data space: its mean (its median for a Cauchy, which has no mean)."""
        return torch.sigmoid(output) if self.config.likelihood == "bernoulli" else output

    @staticmethod
    def reparameterize(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        """z = mu + sigma * eps with sigma = exp(logvar / 2), eps ~ N(0, I): differentiable sampling."""
        return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)

    def regularizer(self, kl: torch.Tensor) -> torch.Tensor:
        """The latent penalty added to the reconstruction term; variants override this hook."""
        return self.config.beta * kl

    def example_losses(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """The loss terms of each example, (N,) each: ``loss``, ``recon`` and ``kl``."""
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar)
        recon = -self.log_likelihood(x, self.decode(z))
        kl = kl_standard_normal(mu, logvar)
        return {"loss": recon + self.regularizer(kl), "recon": recon, "kl": kl}

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        return {name: value.mean() for name, value in self.example_losses(x).items()}

    # --- likelihood estimation ------------------------------------------------------------------

    def log_weights(self, x: torch.Tensor, k: int, eps: torch.Tensor | None = None) -> torch.Tensor:
        """Importance log-weights log p(x, z_i) - log q(z_i | x) for k draws z_i ~ q(z|x): (k, N).

        logmeanexp over the k draws is the IWAE bound (Burda et al. 2016); the mean is an ELBO estimate.
        ``eps`` gives the standard normal noise, (k, N, L) or (k, 1, L) to use the same k draws for
        every example (common random numbers: an example's estimate then does not depend on its batch).
        """
        log_px_z, log_ratio, _, _ = self.importance_terms(x, k, eps)
        return log_px_z + log_ratio

    def importance_terms(self, x: torch.Tensor, k: int, eps: torch.Tensor | None = None) -> tuple[torch.Tensor, ...]:
        """For k draws z_i ~ q(z|x): log p(x|z_i) and log p(z_i) - log q(z_i|x), each (k, N), and (mu, logvar).

        ``eps`` is the standard normal noise of the draws, as in :meth:`log_weights`.
        """
        mu, logvar = self.encode(x)
        if eps is None:
            eps = torch.randn((k, *mu.shape), device=mu.device, dtype=mu.dtype)
        elif eps.shape[0] != k or eps.shape[-1] != mu.shape[-1]:
            raise ValueError(f"eps must be shaped ({k}, N or 1, {mu.shape[-1]}), got {tuple(eps.shape)}")
        z = mu + torch.exp(0.5 * logvar) * eps  # (k, N, L)
        output = self.decode(z.flatten(0, 1)).view(k, *x.shape)
        log_px_z = self.log_likelihood(x.unsqueeze(0), output)
        return log_px_z, log_standard_normal(z) - log_normal(z, mu, logvar), mu, logvar

    # --- pictures -----------------------------------------------------------------------------

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n draws from the model, shown as decoder means: z ~ N(0, I), x = E[p(x|z)]."""
        device = next(self.parameters()).device
        z = torch.randn(n, self.config.latent_dim, generator=generator).to(device)
        return self.to_data(self.decode(z))

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Decoder means at the posterior means: E[p(x | z = mu(x))]."""
        return self.to_data(self.decode(self.encode(x)[0]))
