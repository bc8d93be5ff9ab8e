"""Generative adversarial networks (Goodfellow et al. 2014): a generator maps noise to data, a
discriminator tells real from generated, and the two are trained against each other.

One module covers the family: MLP players for vectors and small images (``gan``), DCGAN players
for images (``dcgan``), the losses of :mod:`genlab.models.gan.losses`, optional R1 and gradient
penalties, spectral normalization of the discriminator, an exponential moving average (EMA) of
the generator for sampling, two learning rates (TTUR) and class conditioning (the generator sees
a one-hot label, the discriminator is a projection discriminator, Miyato & Koyama 2018).

Images live in [0, 1] in genlab; the players work in [-1, 1] (tanh generator output), and
:meth:`GAN.sample` returns [0, 1] again. Vectors (the toy data sets) are used as they are.
"""

from __future__ import annotations

import copy
import math

import torch
import torch.nn.functional as F
from torch import nn

from genlab.errors import ConfigError
from genlab.models.gan.configs import GameConfig, GANConfig
from genlab.models.gan.losses import (
    LOGISTIC,
    discriminator_loss,
    generator_loss,
    gradient_penalty,
    r1_penalty,
)
from genlab.models.training import Batch, Part, StepContext
from genlab.nets.dcgan import DCGANFeatures, DCGANGenerator, init_dcgan_weights
from genlab.nets.mlp import MLP


class Generator(nn.Module):
    """z (N, latent_dim) [+ one-hot label] -> an example in model space."""

    def __init__(self, body: nn.Module, out_shape: tuple[int, ...], classes: int) -> None:
        super().__init__()
        self.body, self.out_shape, self.classes = body, out_shape, classes

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.classes:
            z = torch.cat([z, F.one_hot(y, self.classes).to(z.dtype)], dim=1)
        return self.body(z).view(-1, *self.out_shape)


class Discriminator(nn.Module):
    """An example [+ label] -> one raw output (N,): features, a linear head and, when conditional,
    the projection <embed(y), features>."""

    def __init__(self, features: nn.Module, width: int, classes: int) -> None:
        super().__init__()
        self.features = features
        self.head = nn.Linear(width, 1)
        self.embed = nn.Embedding(classes, width) if classes else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(x)
        out = self.head(h).squeeze(1)
        if self.embed is not None:
            out = out + (self.embed(y) * h).sum(1)
        return out


def _build_players(c: GANConfig) -> tuple[Generator, Discriminator]:
    in_dim = c.latent_dim + c.classes
    if c.net == "conv":
        g_body: nn.Module = DCGANGenerator(in_dim, c.channels, c.input_shape)
        batch_norm = c.batch_norm and c.loss != "wgan-gp" and not c.spectral_norm
        features: nn.Module = DCGANFeatures(c.input_shape, c.channels, batch_norm)
        width = features.out_dim
    else:
        dims = math.prod(c.input_shape)
        g_body = MLP(in_dim, c.hidden, dims)
        if c.is_image:
            g_body = nn.Sequential(g_body, nn.Tanh())
        width = c.hidden[-1] if c.hidden else dims
        leaky = lambda: nn.LeakyReLU(0.2, inplace=True)
        layers: list[nn.Module] = [nn.Flatten()]
        if c.hidden:
            layers += [MLP(dims, c.hidden[:-1], c.hidden[-1], leaky), leaky()]
        features = nn.Sequential(*layers)
    generator = Generator(g_body, c.input_shape, c.classes)
    discriminator = Discriminator(features, width, c.classes)
    if c.net == "conv":
        init_dcgan_weights(generator)
        init_dcgan_weights(discriminator)
    if c.spectral_norm:
        for m in list(discriminator.modules()):
            if isinstance(m, (nn.Linear, nn.Conv2d, nn.Embedding)):
                nn.utils.parametrizations.spectral_norm(m)
    return generator, discriminator


class GAN(nn.Module):
    """A generator and a discriminator; trained by :meth:`training_step`, sampled by :meth:`sample`."""

    def __init__(self, config: GameConfig) -> None:
        super().__init__()
        config.validate()
        self.config = config
        self.generator, self.discriminator = self.build_players()
        # The EMA copy is part of the weights (saved, restored on resume, used by sample()).
        self.generator_ema = copy.deepcopy(self.generator).requires_grad_(False) if config.ema > 0 else None

    def build_players(self) -> tuple[nn.Module, nn.Module]:
        """The generator (z, y) -> example and the discriminator (x, y) -> (N,) raw outputs."""
        return _build_players(self.config)  # type: ignore[arg-type]

    # --- data space <-> model space -----------------------------------------------------------

    def to_model(self, x: torch.Tensor) -> torch.Tensor:
        """Data as the discriminator sees it: images [0, 1] -> [-1, 1]; vectors unchanged."""
        return x * 2 - 1 if self.config.is_image else x

    def to_data(self, out: torch.Tensor) -> torch.Tensor:
        """Generator output in data space: [-1, 1] -> [0, 1] for images; vectors unchanged."""
        return (out + 1) / 2 if self.config.is_image else out

    # --- sampling -----------------------------------------------------------------------------

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n noise vectors z ~ N(0, I), (n, latent_dim), on the model's device."""
        return torch.randn(n, self.config.latent_dim, generator=generator).to(self.device)

    def check_labels(self, labels: torch.Tensor | None) -> None:
        """A ConfigError unless ``labels`` fit the model (given exactly when it is conditional, in range)."""
        k = self.config.classes
        if not k:
            if labels is not None:
                raise ConfigError("this GAN is unconditional: it was not trained on labels, so --label does not apply")
            return
        if labels is None:
            raise ConfigError(f"this GAN is conditional: pass a class label from 0 to {k - 1} (--label N)")
        if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= k):
            bad = int(labels.min()) if int(labels.min()) < 0 else int(labels.max())
            raise ConfigError(f"label {bad} is out of range: this GAN knows the classes 0 to {k - 1}")

    @torch.no_grad()
    def generate(self, z: torch.Tensor, labels: torch.Tensor | None = None, ema: bool = True) -> torch.Tensor:
        """The examples of noise vectors z (N, latent_dim), in data space (images in [0, 1]).

        Uses the EMA generator when there is one (unless ``ema=False``). A conditional model needs
        ``labels`` (N,) in 0..num_classes-1.
        """
        self.check_labels(labels)
        net = self.generator_ema if ema and self.generator_ema is not None else self.generator
        y = None if labels is None else labels.to(self.device)
        return self.to_data(net(z.to(self.device), y))

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None, labels: torch.Tensor | None = None) -> torch.Tensor:
        """n draws from the model in data space (images (n, C, H, W) in [0, 1], or vectors (n, D)).

        A conditional model draws labels uniformly from its classes unless ``labels`` (n,) are given.
        """
        z = self.noise(n, generator)
        if self.config.classes and labels is None:
            labels = torch.randint(self.config.classes, (n,), generator=generator)
        return self.generate(z, labels)

    # --- the game -----------------------------------------------------------------------------

    def optimizer_parts(self) -> dict[str, Part]:
        c = self.config
        betas = (c.beta1, c.beta2)
        return {
            "discriminator": Part(self.discriminator, lr=c.lr_d, betas=betas),
            "generator": Part(self.generator, lr=c.lr_g, betas=betas, ema=self.generator_ema, ema_decay=c.ema),
        }

    def _fake_labels(self, y: torch.Tensor | None) -> torch.Tensor | None:
        if not self.config.classes:
            return None
        if y is None:
            raise ConfigError("a conditional GAN needs labeled data")
        return y  # fakes share the real batch's labels, so both sides see the same classes

    def discriminator_terms(
        self, d: nn.Module, real: torch.Tensor, fake: torch.Tensor, y: torch.Tensor | None
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The discriminator's training loss with its penalties, and the named terms (logged)."""
        c = self.config
        critic = lambda v: d(v, y)
        terms: dict[str, torch.Tensor] = {}
        if c.r1 > 0:
            r1, real_out = r1_penalty(critic, real)
            terms["r1"] = r1
        else:
            real_out = critic(real)
        fake_out = critic(fake)
        loss = discriminator_loss(c.loss, real_out, fake_out)
        terms["d_loss"] = loss
        if c.loss == "wgan-gp":
            terms["gp"] = gradient_penalty(critic, real, fake)
            loss = loss + c.gp_weight * terms["gp"]
        if c.r1 > 0:
            loss = loss + 0.5 * c.r1 * terms["r1"]
        if c.drift > 0:
            loss = loss + c.drift * real_out.pow(2).mean()
        terms["d_real"], terms["d_fake"] = real_out.mean(), fake_out.mean()
        terms["fake_out"] = fake_out
        return loss, terms

    def training_step(self, batch: Batch, ctx: StepContext) -> dict[str, torch.Tensor]:
        """One discriminator update and, every ``d_steps`` steps, one generator update."""
        c = self.config
        x, y = batch["x"], batch.get("y")
        g, d = ctx.nets["generator"], ctx.nets["discriminator"]
        real = self.to_model(x)
        y_fake = self._fake_labels(y)
        z = torch.randn(len(real), c.latent_dim, device=real.device, dtype=real.dtype)
        update_g = (ctx.step + 1) % c.d_steps == 0
        with torch.set_grad_enabled(update_g):  # a generator forward without its backward would upset DDP
            fake = g(z, y_fake)
        d_loss, terms = self.discriminator_terms(d, real, fake.detach(), y)
        ctx.update("discriminator", d_loss)
        fake_out = terms.pop("fake_out")
        if update_g:
            g_loss = generator_loss(c.loss, d(fake, y_fake))
            ctx.update("generator", g_loss)
        else:  # the generator's loss on this step's fakes, as the discriminator saw them before its update
            g_loss = generator_loss(c.loss, fake_out.detach())
        return {"g_loss": g_loss.detach(), **{k: v.detach() for k, v in terms.items()}}

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Both players' losses on real examples x and as many fresh fakes (no penalties, no update)."""
        c = self.config
        real = self.to_model(x)
        y_fake = self._fake_labels(y)
        z = torch.randn(len(real), c.latent_dim, device=real.device, dtype=real.dtype)
        real_out = self.discriminator(real, y)
        fake_out = self.discriminator(self.generator(z, y_fake), y_fake)
        return {
            "d_loss": discriminator_loss(c.loss, real_out, fake_out),
            "g_loss": generator_loss(c.loss, fake_out),
            "d_real": real_out.mean(),
            "d_fake": fake_out.mean(),
        }

    # --- pictures -----------------------------------------------------------------------------

    @property
    def snapshot_examples(self) -> int:
        """Validation examples the trainer passes to :meth:`snapshot_images` (real points for toys)."""
        return 64 if self.config.is_image else 2000

    #: the snapshot that genlab turns into RUN/training.gif at the end of training
    training_animation = "samples"

    @torch.no_grad()
    def discriminator_probability(self, x: torch.Tensor) -> tuple[torch.Tensor, str]:
        """The discriminator's output on data-space points x, as shown in pictures, and its name.

        Logistic games give D(x) = sigmoid(logit) in [0, 1]; lsgan's raw output aims at 1 for real
        and 0 for fake; hinge and wgan-gp critics are unbounded and shown as they are.
        """
        out = self.discriminator(self.to_model(x.to(self.device)))
        if self.config.loss in LOGISTIC:
            return torch.sigmoid(out), "D(x)"
        return out, "D(x)" if self.config.loss == "lsgan" else "critic(x)"

    @torch.no_grad()
    def snapshot_images(self, batch: Batch, generator: torch.Generator) -> dict[str, torch.Tensor]:
        """Samples from fixed noise: an image grid, or for toy vectors a plot of real, generated and D."""
        x = batch["x"]
        if self.config.is_image:
            labels = torch.arange(len(x)) % self.config.classes if self.config.classes else None
            return {"samples": self.generate(self.noise(len(x), generator), labels).clamp(0, 1)}
        if self.config.input_shape[0] > 2 or self.config.classes:
            return {}
        from genlab.viz.toy import toy_frame

        fake = self.sample(len(x), generator)
        return {"samples": toy_frame(x, fake, self.discriminator_probability)}

