"""What a model can do, written down once: the capabilities the rest of genlab asks of models.

Code that works with "any model that can X" checks ``isinstance(model, X)`` against these
protocols (or ``issubclass`` on a registered class, before any weights are loaded) instead of
probing for attribute names. A model has a capability by defining its methods; it does not
inherit from anything here.

    Encoder        code(x) -> (N, L) point codes: an autoencoder's code, a VAE's posterior mean
    Posterior      posterior(x) -> (mu, logvar) of q(z|x): the VAE family and DB-VAE
    Decoder        decode(z) -> decoder parameters; to_data(output) -> the data-space mean
    Reconstructor  reconstruct(x) -> reconstructions in data space
    Sampler        sample(n, generator) -> n draws in data space
    Conditional    check_labels(labels); sample(n, generator, labels): class-conditional samplers
    NoiseGenerator noise(n, generator), generate(z, labels): a GAN's generator over its noise space
    Likelihood     log_likelihood(x, output), log_weights(x, k, eps): importance-weighted bounds on log p(x)
    ReconstructionScorer  reconstruction_error(x) -> (N,) training loss per example (autoencoders)
    BinaryClassifier      classify(x) -> (N,) logits of the positive class
    Translator     translate(images, direction) -> images of the other domain (pix2pix, CycleGAN)
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import torch


@runtime_checkable
class Encoder(Protocol):
    def code(self, x: torch.Tensor) -> torch.Tensor:
        """One point code per example (N, L): an autoencoder's code, a VAE's posterior mean."""
        ...


@runtime_checkable
class Posterior(Protocol):
    def posterior(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance (N, L) each of the Gaussian q(z|x)."""
        ...


@runtime_checkable
class Decoder(Protocol):
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Decoder parameters for codes z (N, L): logits, locations, ..."""
        ...

    def to_data(self, output: torch.Tensor) -> torch.Tensor:
        """The data-space center (mean or median) of p(x|z) for decoder parameters ``output``."""
        ...


@runtime_checkable
class Reconstructor(Protocol):
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Reconstructions of x in data space, shaped like x."""
        ...


@runtime_checkable
class Sampler(Protocol):
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n draws from the model in data space: images (n, C, H, W) in [0, 1] or vectors (n, D)."""
        ...


@runtime_checkable
class Conditional(Protocol):
    def check_labels(self, labels: torch.Tensor | None) -> None:
        """A ConfigError unless ``labels`` fit the model (given exactly when it is conditional, in range)."""
        ...

    def sample(
        self, n: int, generator: torch.Generator | None = None, labels: torch.Tensor | None = None
    ) -> torch.Tensor: ...


@runtime_checkable
class NoiseGenerator(Protocol):
    def noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n noise vectors (n, latent_dim) on the model's device."""
        ...

    def generate(self, z: torch.Tensor, labels: torch.Tensor | None = None, ema: bool = True) -> torch.Tensor:
        """The examples of noise vectors z, in data space."""
        ...

    def check_labels(self, labels: torch.Tensor | None) -> None: ...


@runtime_checkable
class Likelihood(Protocol):
    def posterior(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]: ...

    def decode(self, z: torch.Tensor) -> torch.Tensor: ...

    def log_likelihood(self, x: torch.Tensor, output: torch.Tensor) -> torch.Tensor:
        """log p(x|z) per example (N,) for decoder parameters ``output``."""
        ...

    def log_weights(self, x: torch.Tensor, k: int, eps: torch.Tensor | None = None) -> torch.Tensor:
        """Importance log-weights log p(x, z_i) - log q(z_i|x) of k posterior draws: (k, N)."""
        ...


@runtime_checkable
class ReconstructionScorer(Protocol):
    def reconstruction_error(self, x: torch.Tensor) -> torch.Tensor:
        """The model's reconstruction loss per example (N,)."""
        ...


@runtime_checkable
class BinaryClassifier(Protocol):
    def classify(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N,) of the positive class."""
        ...


@runtime_checkable
class Translator(Protocol):
    def translate(self, images: torch.Tensor, direction: str | None = None) -> torch.Tensor:
        """Images (N, C, H, W) in [0, 1] translated AtoB or BtoA (None: the model's own direction)."""
        ...
