import math

import torch
from torch.distributions import Bernoulli, Normal, StudentT, kl_divergence

from genlab.models.distributions import (
    bernoulli_log_likelihood,
    gaussian_log_likelihood,
    kl_standard_normal,
    log_normal,
    log_standard_normal,
    student_t_log_likelihood,
)


def test_analytic_kl_matches_monte_carlo():
    g = torch.Generator().manual_seed(0)
    mu = torch.tensor([[0.5, -1.0, 2.0]])
    logvar = torch.tensor([[-1.0, 0.3, 0.0]])
    z = mu + torch.exp(0.5 * logvar) * torch.randn(400_000, 3, generator=g)
    monte_carlo = (log_normal(z, mu, logvar) - log_standard_normal(z)).mean()
    analytic = kl_standard_normal(mu, logvar)[0]
    assert abs(float(monte_carlo - analytic)) < 0.02
    # and against torch.distributions as an independent reference
    reference = kl_divergence(Normal(mu, torch.exp(0.5 * logvar)), Normal(0.0, 1.0)).sum()
    assert torch.allclose(analytic, reference, atol=1e-6)


def test_kl_is_zero_only_at_the_prior():
    assert float(kl_standard_normal(torch.zeros(1, 4), torch.zeros(1, 4))[0]) == 0.0
    assert float(kl_standard_normal(torch.ones(1, 4), torch.zeros(1, 4))[0]) == 2.0  # 0.5 * 4 * 1^2


def test_log_densities_match_torch_distributions():
    x = torch.bernoulli(torch.rand(5, 1, 3, 3))
    logits = torch.randn(5, 1, 3, 3)
    expected = Bernoulli(logits=logits).log_prob(x).flatten(1).sum(1)
    assert torch.allclose(bernoulli_log_likelihood(x, logits, 3), expected, atol=1e-5)
    x = torch.rand(5, 1, 3, 3)
    mean, log_scale = torch.randn(5, 1, 3, 3), torch.tensor(-0.7)
    expected = Normal(mean, log_scale.exp()).log_prob(x).flatten(1).sum(1)
    assert torch.allclose(gaussian_log_likelihood(x, mean, log_scale, 3), expected, atol=1e-5)
    for df in (1.0, 3.5):
        expected = StudentT(df, mean, log_scale.exp()).log_prob(x).flatten(1).sum(1)
        assert torch.allclose(student_t_log_likelihood(x, mean, log_scale, df, 3), expected, atol=1e-5)
    z, mu, logvar = torch.randn(4, 2), torch.randn(4, 2), torch.randn(4, 2)
    expected = Normal(mu, torch.exp(0.5 * logvar)).log_prob(z).sum(1)
    assert torch.allclose(log_normal(z, mu, logvar), expected, atol=1e-5)
    assert math.isclose(float(log_standard_normal(torch.zeros(1, 2))[0]), -math.log(2 * math.pi), rel_tol=1e-6)
