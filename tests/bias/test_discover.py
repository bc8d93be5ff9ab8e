"""Bias discovery's two rarity signals: inverse latent density and reconstruction error."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from genlab.bias.discover import discover, squared_errors
from genlab.errors import ConfigError


def _codes_and_attributes(n: int = 400) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Codes on one active dimension, uniform over [-1, 1]; attribute 0 ("left") marks the 10% on
    the far left (a thin region only if the histogram sees it so), attribute 1 ("unlearned") marks
    every tenth image, spread evenly over the codes."""
    mu = torch.zeros(n, 2)
    mu[:, 0] = torch.linspace(-1, 1, n)
    logvar = torch.zeros(n, 2)
    logvar[:, 0] = -4.0  # dimension 0 is active, dimension 1 carries nothing
    unlearned = (torch.arange(n) % 10 == 0).long()
    left = (mu[:, 0] < -0.8).long()
    factors = torch.stack([left, unlearned], dim=1)
    return mu, logvar, factors


def test_an_unlearned_feature_is_found_by_its_reconstruction_error():
    mu, logvar, factors = _codes_and_attributes()
    errors = torch.where(factors[:, 1] == 1, 30.0, 10.0)  # the VAE leaves the feature out: 3x error
    found = discover(mu, logvar, factors, ("left", "unlearned"), bins=10, errors=errors)
    groups = {g.label: g for g in found.groups}
    mean = 0.1 * 30 + 0.9 * 10  # the overall mean error, 12
    assert groups["unlearned=1"].mean_error == pytest.approx(30 / mean)
    assert groups["unlearned=0"].mean_error == pytest.approx(10 / mean)
    # uniform codes: the latent weights cannot tell this group apart, the error can
    assert groups["unlearned=1"].mean_weight == pytest.approx(1.0, abs=0.05)
    assert groups["unlearned=1"].rarity == groups["unlearned=1"].mean_error
    assert found.ranked_groups()[0].label == "unlearned=1"
    assert float(found.errors.mean()) == pytest.approx(1.0)
    assert set(found.worst_explained(40).tolist()) == set(torch.nonzero(factors[:, 1] == 1).flatten().tolist())
    as_json = found.to_json()["groups"]["unlearned=1"]
    assert as_json["mean_error"] == pytest.approx(2.5) and as_json["rarity"] == pytest.approx(2.5)


def test_without_errors_the_groups_rank_by_mean_weight_alone():
    mu, logvar, factors = _codes_and_attributes()
    found = discover(mu, logvar, factors, ("left", "unlearned"), bins=10)
    assert found.errors is None and len(found.worst_explained(5)) == 0
    assert all(g.mean_error is None and g.rarity == g.mean_weight for g in found.groups)
    assert "mean_error" not in found.to_json()["groups"]["left=1"]


def test_errors_must_match_the_images():
    mu, logvar, factors = _codes_and_attributes()
    with pytest.raises(ConfigError, match="one reconstruction error per image"):
        discover(mu, logvar, factors, ("left", "unlearned"), errors=torch.ones(3))


class _ConstantReconstruction(nn.Module):
    """reconstruct(x) = 0.5 everywhere, whatever x is."""

    def __init__(self) -> None:
        super().__init__()
        self.logit = nn.Parameter(torch.zeros(()))

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.logit).expand_as(x)


def test_squared_errors_are_per_image_sums_over_pixels():
    x = torch.tensor([[[[0.5, 0.5], [0.5, 0.5]]], [[[1.0, 0.0], [0.5, 0.5]]], [[[1.0, 1.0], [1.0, 1.0]]]])
    errors = squared_errors(_ConstantReconstruction(), x, batch_size=2)
    assert torch.allclose(errors, torch.tensor([0.0, 0.5, 1.0]))
    assert squared_errors(nn.Linear(2, 2), x) is None  # no reconstruction, no errors
