"""The games a GAN can play: discriminator and generator losses on logits, and gradient penalties.

Every loss takes the discriminator's raw outputs (logits, or critic values for hinge and WGAN),
shaped (N,), and returns the batch mean. With D(x) = sigmoid(logit):

| kind             | discriminator minimizes                     | generator minimizes      |
|------------------|---------------------------------------------|--------------------------|
| `saturating`     | -log D(x) - log(1 - D(G(z)))                | log(1 - D(G(z)))         |
| `non-saturating` | the same                                    | -log D(G(z))             |
| `lsgan`          | (D(x) - 1)^2 / 2 + D(G(z))^2 / 2  (raw out) | (D(G(z)) - 1)^2 / 2      |
| `hinge`          | relu(1 - D(x)) + relu(1 + D(G(z)))          | -D(G(z))                 |
| `wgan-gp`        | D(G(z)) - D(x)  (+ gradient penalty)        | -D(G(z))                 |

`saturating` is the minimax game of Goodfellow et al. (2014); its generator gradient vanishes
when the discriminator wins (log(1 - D) is flat near D = 0), which is why the non-saturating
variant exists. The -log sigmoid terms are computed as softplus, stable for any logit.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

LOSSES: tuple[str, ...] = ("saturating", "non-saturating", "lsgan", "hinge", "wgan-gp")
LOGISTIC = ("saturating", "non-saturating")  # whose outputs are logits of a probability


def discriminator_loss(kind: str, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """The discriminator's loss (batch mean) from its outputs on real (N,) and generated (M,) examples."""
    if kind in LOGISTIC:  # -log sigmoid(r) - log(1 - sigmoid(f))
        return F.softplus(-real).mean() + F.softplus(fake).mean()
    if kind == "lsgan":
        return 0.5 * (real - 1).pow(2).mean() + 0.5 * fake.pow(2).mean()
    if kind == "hinge":
        return F.relu(1 - real).mean() + F.relu(1 + fake).mean()
    if kind == "wgan-gp":
        return fake.mean() - real.mean()
    raise ValueError(f"unknown GAN loss {kind!r}; choose one of {', '.join(LOSSES)}")


def generator_loss(kind: str, fake: torch.Tensor) -> torch.Tensor:
    """The generator's loss (batch mean) from the discriminator's outputs on generated examples (M,)."""
    if kind == "saturating":  # log(1 - sigmoid(f))
        return -F.softplus(fake).mean()
    if kind == "non-saturating":  # -log sigmoid(f)
        return F.softplus(-fake).mean()
    if kind == "lsgan":
        return 0.5 * (fake - 1).pow(2).mean()
    if kind in ("hinge", "wgan-gp"):
        return -fake.mean()
    raise ValueError(f"unknown GAN loss {kind!r}; choose one of {', '.join(LOSSES)}")


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    eps: torch.Tensor | None = None,
) -> torch.Tensor:
    """WGAN-GP's penalty (Gulrajani et al. 2017): E[(||grad critic(x_hat)||_2 - 1)^2].

    x_hat = eps * real + (1 - eps) * fake with one eps ~ U[0, 1) per example (drawn from torch's
    global RNG unless given, shaped (N,)). The result is differentiable in the critic's weights.
    """
    if eps is None:
        eps = torch.rand(len(real), device=real.device, dtype=real.dtype)
    eps = eps.view(-1, *([1] * (real.dim() - 1)))
    x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()


def r1_penalty(critic: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """R1 (Mescheder et al. 2018): E[||grad D(x)||^2] on real data; returns (penalty, D(x) outputs).

    The outputs come back so the discriminator's loss can reuse this one forward pass.
    """
    x = real.detach().requires_grad_(True)
    out = critic(x)
    (grad,) = torch.autograd.grad(out.sum(), x, create_graph=True)
    return grad.flatten(1).pow(2).sum(1).mean(), out
