"""GAN losses on hand-computed logits, and the penalties against finite differences."""

import math

import pytest
import torch

from genlab.models.gan.losses import LOSSES, discriminator_loss, generator_loss, gradient_penalty, r1_penalty

REAL = torch.tensor([2.0, -1.0])
FAKE = torch.tensor([0.5, -3.0])


def softplus(v: float) -> float:
    return math.log1p(math.exp(v))


def mean(values) -> float:
    return sum(values) / len(values)


def test_logistic_discriminator_loss_is_binary_cross_entropy():
    # -log sigmoid(r) = softplus(-r); -log(1 - sigmoid(f)) = softplus(f)
    expected = mean([softplus(-2.0), softplus(1.0)]) + mean([softplus(0.5), softplus(-3.0)])
    for kind in ("saturating", "non-saturating"):
        assert float(discriminator_loss(kind, REAL, FAKE)) == pytest.approx(expected, rel=1e-6)


def test_saturating_and_non_saturating_generator_losses():
    sigmoid = lambda v: 1 / (1 + math.exp(-v))
    # minimax: G minimizes log(1 - D(G(z)))
    assert float(generator_loss("saturating", FAKE)) == pytest.approx(mean([math.log(1 - sigmoid(0.5)), math.log(1 - sigmoid(-3.0))]), rel=1e-6)
    # non-saturating: G minimizes -log D(G(z))
    assert float(generator_loss("non-saturating", FAKE)) == pytest.approx(mean([-math.log(sigmoid(0.5)), -math.log(sigmoid(-3.0))]), rel=1e-6)


def test_saturating_gradient_vanishes_where_the_discriminator_wins():
    # the lecture's point: with D(G(z)) near 0 the minimax generator barely learns
    confident = torch.tensor([-8.0], requires_grad=True)
    for kind, small in (("saturating", True), ("non-saturating", False)):
        (grad,) = torch.autograd.grad(generator_loss(kind, confident), confident)
        assert (abs(float(grad)) < 1e-3) == small
        assert float(grad) < 0  # both push the fake's logit up (toward "real")


def test_lsgan_hinge_and_wasserstein_values():
    assert float(discriminator_loss("lsgan", REAL, FAKE)) == pytest.approx(0.5 * mean([1.0, 4.0]) + 0.5 * mean([0.25, 9.0]))
    assert float(generator_loss("lsgan", FAKE)) == pytest.approx(0.5 * mean([0.25, 16.0]))
    # hinge: relu(1 - r) + relu(1 + f)
    assert float(discriminator_loss("hinge", REAL, FAKE)) == pytest.approx(mean([0.0, 2.0]) + mean([1.5, 0.0]))
    assert float(generator_loss("hinge", FAKE)) == pytest.approx(1.25)
    assert float(discriminator_loss("wgan-gp", REAL, FAKE)) == pytest.approx(-1.25 - 0.5)
    assert float(generator_loss("wgan-gp", FAKE)) == pytest.approx(1.25)


@pytest.mark.parametrize("kind", LOSSES)
def test_discriminator_loss_falls_as_it_separates_real_from_fake(kind):
    good = discriminator_loss(kind, torch.tensor([3.0, 3.0]), torch.tensor([-3.0, -3.0]))
    bad = discriminator_loss(kind, torch.tensor([-3.0, -3.0]), torch.tensor([3.0, 3.0]))
    assert float(good) < float(bad)
    # and the generator wants the opposite
    assert float(generator_loss(kind, torch.tensor([3.0]))) < float(generator_loss(kind, torch.tensor([-3.0])))


def test_unknown_loss_names_the_choices():
    with pytest.raises(ValueError, match="non-saturating"):
        discriminator_loss("minmax", REAL, FAKE)


def _critic(x: torch.Tensor) -> torch.Tensor:
    w = torch.tensor([[1.0, -2.0], [0.5, 0.3]], dtype=x.dtype)
    return torch.tanh(x @ w).pow(2).sum(1) + 0.3 * x[:, 0] ** 3


def _finite_difference_norm(f, x: torch.Tensor, h: float = 1e-5) -> torch.Tensor:
    norms = []
    for row in x:
        grad = []
        for j in range(len(row)):
            e = torch.zeros_like(row)
            e[j] = h
            grad.append((f((row + e)[None]) - f((row - e)[None])) / (2 * h))
        norms.append(torch.stack(grad).norm())
    return torch.stack(norms)


def test_gradient_penalty_matches_finite_differences():
    torch.manual_seed(0)
    real, fake = torch.randn(5, 2, dtype=torch.float64), torch.randn(5, 2, dtype=torch.float64)
    eps = torch.rand(5, dtype=torch.float64)
    gp = gradient_penalty(_critic, real, fake, eps)
    x_hat = eps[:, None] * real + (1 - eps[:, None]) * fake
    expected = (_finite_difference_norm(_critic, x_hat) - 1).pow(2).mean()
    assert float(gp.detach()) == pytest.approx(float(expected), rel=1e-6)


def test_gradient_penalty_is_zero_for_a_unit_slope_critic_and_trains_the_critic():
    w = torch.tensor([0.6, 0.8], requires_grad=True)  # |w| = 1: a 1-Lipschitz linear critic
    real, fake = torch.randn(4, 2), torch.randn(4, 2)
    assert float(gradient_penalty(lambda x: x @ w, real, fake).detach()) == pytest.approx(0.0, abs=1e-10)
    v = torch.tensor([1.2, 1.6], requires_grad=True)  # |v| = 2: penalty (2 - 1)^2 = 1, gradient on v
    gp = gradient_penalty(lambda x: x @ v, real, fake)
    assert float(gp) == pytest.approx(1.0, rel=1e-6)
    gp.backward()
    assert torch.allclose(v.grad, 2 * (2 - 1) * v.detach() / 2)  # d/dv (|v| - 1)^2


def test_r1_penalty_matches_finite_differences_and_returns_the_outputs():
    x = torch.randn(6, 2, dtype=torch.float64)
    penalty, out = r1_penalty(_critic, x)
    assert torch.allclose(out, _critic(x))
    assert float(penalty) == pytest.approx(float(_finite_difference_norm(_critic, x).pow(2).mean()), rel=1e-6)
