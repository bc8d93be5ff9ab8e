"""The deterministic bottleneck autoencoder, and the network options it shares with the VAE."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from genlab.models.snapshots import ReconstructionSnapshots
from genlab.models.vae.configs import AEConfig
from genlab.nets import build_decoder, build_encoder


class Autoencoder(ReconstructionSnapshots, nn.Module):
    """x -> z = encoder(x) -> decoder(z); trained to reconstruct its input through the bottleneck.

    ``forward(x)`` returns the loss terms: ``loss`` and ``recon`` (per-example sum, batch mean).
    """

    def __init__(self, config: AEConfig) -> None:
        super().__init__()
        config.validate()
        self.config = config
        c = config
        self.encoder = build_encoder(c.net, c.input_shape, c.latent_dim, c.hidden, c.channels)
        self.decoder = build_decoder(c.net, c.latent_dim, c.input_shape, c.hidden, c.channels)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Latent codes (N, latent_dim)."""
        return self.encoder(x)

    def code(self, x: torch.Tensor) -> torch.Tensor:
        """The point code of each example (N, latent_dim): the encoding itself."""
        return self.encode(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Raw decoder outputs: logits for bce, values for mse."""
        return self.decoder(z)

    def to_data(self, output: torch.Tensor) -> torch.Tensor:
        """Map decoder outputs into data space."""
        return torch.sigmoid(output) if self.config.loss == "bce" else output

    def reconstruction_error(self, x: torch.Tensor) -> torch.Tensor:
        """Per-example reconstruction loss (N,), summed over the dimensions of one example."""
        output = self.decode(self.encode(x))
        if self.config.loss == "bce":
            error = F.binary_cross_entropy_with_logits(output, x, reduction="none")
        else:
            error = (output - x).pow(2)
        return error.flatten(1).sum(1)

    def example_losses(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """The loss terms of each example, (N,) each: ``loss`` and ``recon``."""
        recon = self.reconstruction_error(x)
        return {"loss": recon, "recon": recon}

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        return {name: value.mean() for name, value in self.example_losses(x).items()}

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return self.to_data(self.decode(self.encode(x)))
