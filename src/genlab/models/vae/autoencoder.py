"""The deterministic bottleneck autoencoder, and the network options it shares with the VAE."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from genlab.errors import ConfigError
from genlab.models.config import ModelConfig, check_choice, option
from genlab.models.registry import ModelSpec, register_model
from genlab.models.snapshots import ReconstructionSnapshots
from genlab.nets import NetKind, build_decoder, build_encoder


@dataclass
class AutoencoderConfig(ModelConfig):
    """Encoder/decoder options shared by the AE and the VAE."""

    latent_dim: int = option(16, "size of the latent code z")
    net: NetKind = option("mlp", "encoder/decoder networks: mlp (any data) or conv (images)")
    hidden: tuple[int, ...] = option(
        (512, 256), "fully connected widths, encoder order (conv nets use them after the conv layers)"
    )
    channels: tuple[int, ...] = option((32, 64, 128, 256), "conv widths, one per halving of resolution")

    def validate(self) -> None:
        super().validate()
        if self.latent_dim < 1:
            raise ConfigError(f"--latent-dim must be at least 1, got {self.latent_dim}")
        check_choice(self, "net")
        if any(w < 1 for w in self.hidden) or any(c < 1 for c in self.channels):
            raise ConfigError("--hidden and --channels widths must be positive")
        if self.net == "conv" and (len(self.input_shape) != 3 or not self.channels):
            raise ConfigError(
                f"--net conv needs images (C, H, W) and at least one --channels width; "
                f"examples are shaped {self.input_shape}"
            )

    @property
    def event_dims(self) -> int:
        return len(self.input_shape)


@dataclass
class AEConfig(AutoencoderConfig):
    loss: Literal["bce", "mse"] = option("bce", "reconstruction loss: bce on logits (data in [0, 1]) or mse")

    def validate(self) -> None:
        super().validate()
        check_choice(self, "loss")


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



register_model(
    ModelSpec(
        "ae", Autoencoder, AEConfig, "deterministic bottleneck autoencoder",
        examples=(
            "genlab train ae --data digits --latent-dim 8 --epochs 20 --out runs/ae",
            "genlab train ae --data fashion-mnist --net conv --loss mse --out runs/ae-conv",
        ),
    )
)  # fmt: skip
