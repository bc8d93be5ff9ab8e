"""Bias discovery's rarity signals: joint latent density and the rarity of what the VAE leaves unexplained."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from genlab.bias.discover import discover, nearest_neighbours, percentile_scores, residual_codes
from genlab.errors import ConfigError


def _codes_and_attributes(n: int = 400) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Codes on one active dimension, evenly spread over [-1, 1]; attribute 0 ("left") marks the 10%
    on the far left, attribute 1 ("unlearned") marks every tenth image, spread evenly over the codes."""
    mu = torch.zeros(n, 2)
    mu[:, 0] = torch.linspace(-1, 1, n)
    logvar = torch.zeros(n, 2)
    logvar[:, 0] = -4.0  # dimension 0 is active, dimension 1 carries nothing
    unlearned = (torch.arange(n) % 10 == 0).long()
    left = (mu[:, 0] < -0.8).long()
    factors = torch.stack([left, unlearned], dim=1)
    return mu, logvar, factors


def test_percentile_scores_by_hand():
    assert torch.allclose(percentile_scores(torch.tensor([10.0, 30.0, 20.0])), torch.tensor([1 / 3, 5 / 3, 1.0], dtype=torch.float64))
    assert torch.allclose(percentile_scores(torch.tensor([4.0, 4.0])), torch.ones(2, dtype=torch.float64))  # ties share


def test_nearest_neighbours_by_hand():
    points = torch.tensor([[0.0], [1.0], [3.0], [7.0]])
    distance, index = nearest_neighbours(points, 2)
    assert torch.equal(distance, torch.tensor([[1.0, 3.0], [1.0, 2.0], [2.0, 3.0], [4.0, 6.0]]))
    assert torch.equal(index, torch.tensor([[1, 2], [0, 2], [1, 0], [2, 1]]))
    # among a sample of 3 reference points: never the point itself, the true nearest of the sample
    distance, index = nearest_neighbours(points, 1, max_reference=3, chunk=3)
    for i in range(4):
        j = int(index[i, 0])
        assert j != i and float(distance[i, 0]) == abs(float(points[i, 0] - points[j, 0]))


def test_a_combination_rare_in_latent_space_is_found_where_the_histograms_see_nothing():
    # two common clusters at (0, 0) and (1, 1), 45% each, and a rare one at (0, 1), 10%: each of its
    # coordinates is as common as the others' (55% of the codes), only the pair is rare
    g = torch.Generator().manual_seed(0)
    centres = torch.tensor([[0.0, 0.0]] * 450 + [[1.0, 1.0]] * 450 + [[0.0, 1.0]] * 100)
    mu = centres + 0.05 * torch.randn(1000, 2, generator=g)
    cluster = torch.tensor([0] * 450 + [1] * 450 + [2] * 100)
    found = discover(mu, torch.full_like(mu, -4.0), cluster[:, None], ("cluster",), bins=2)
    groups = {g.label: g for g in found.groups}
    assert groups["cluster=2"].latent > 1.5 and groups["cluster=0"].latent < 1.0
    assert groups["cluster=2"].mean_weight <= groups["cluster=0"].mean_weight  # the histograms see no rarity
    assert found.ranked_groups()[0].label == "cluster=2"


def _residuals(pattern_of: torch.Tensor, patterns: torch.Tensor, noise: float = 0.1) -> torch.Tensor:
    """Residual vectors: image i's is patterns[pattern_of[i]] plus a little noise."""
    g = torch.Generator().manual_seed(1)
    return patterns[pattern_of] + noise * torch.randn(len(pattern_of), patterns.shape[1], generator=g)


def test_an_unlearned_feature_is_found_by_the_rarity_of_its_residual():
    mu, logvar, factors = _codes_and_attributes()
    # the VAE leaves the feature out: those images' residuals share one pattern, the others' are small
    patterns = torch.tensor([[0.0, 0.0, 0.0, 0.0], [3.0, 0.0, 3.0, 0.0]])
    found = discover(mu, logvar, factors, ("left", "unlearned"), bins=10, residuals=_residuals(factors[:, 1], patterns))
    groups = {g.label: g for g in found.groups}
    # 40 residuals around the pattern are sparser than 360 around zero: their percentile scores top the list
    assert groups["unlearned=1"].unexplained > 1.7 and groups["unlearned=0"].unexplained < 1.0
    assert groups["unlearned=1"].latent == pytest.approx(1.0, abs=0.15)  # evenly spread codes: no latent signal
    assert groups["unlearned=1"].rarity == groups["unlearned=1"].unexplained
    assert found.ranked_groups()[0].label == "unlearned=1"
    assert float(found.unexplained.mean()) == pytest.approx(1.0)
    worst = set(found.worst_explained(40).tolist())
    assert len(worst & set(torch.nonzero(factors[:, 1] == 1).flatten().tolist())) > 20  # most: noise tails are sparse too
    as_json = found.to_json()["groups"]["unlearned=1"]
    assert as_json["unexplained_rarity"] == pytest.approx(groups["unlearned=1"].unexplained, abs=1e-4)
    assert as_json["rarity"] == as_json["unexplained_rarity"]


def test_a_residual_that_many_images_share_is_not_rare():
    # a feature the VAE draws badly but half the images have (a background color it does not separate)
    mu, logvar, factors = _codes_and_attributes()
    pattern_of = torch.where(torch.arange(len(mu)) % 2 == 0, 1, 0)
    pattern_of[factors[:, 1] == 1] = 2  # and a rare one (every tenth image; these are even too)
    patterns = torch.tensor([[0.0, 0.0, 0.0], [3.0, 0.0, 0.0], [0.0, 3.0, 0.0]])
    found = discover(mu, logvar, factors, ("left", "unlearned"), residuals=_residuals(pattern_of, patterns))
    common_but_unexplained = float(found.unexplained[pattern_of == 1].mean())
    rare = float(found.unexplained[pattern_of == 2].mean())
    assert common_but_unexplained < 1.2 and rare > 1.7


def test_without_residuals_the_groups_rank_by_latent_rarity_alone():
    mu, logvar, factors = _codes_and_attributes()
    found = discover(mu, logvar, factors, ("left", "unlearned"), bins=10)
    assert found.unexplained is None and len(found.worst_explained(5)) == 0
    assert all(g.unexplained is None and g.rarity == g.latent for g in found.groups)
    assert "unexplained_rarity" not in found.to_json()["groups"]["left=1"]


def test_residuals_must_match_the_images():
    mu, logvar, factors = _codes_and_attributes()
    with pytest.raises(ConfigError, match="one residual row per image"):
        discover(mu, logvar, factors, ("left", "unlearned"), residuals=torch.ones(3, 4))
    with pytest.raises(ConfigError, match="more than 10 images"):
        discover(mu[:5], logvar[:5])


class _ConstantReconstruction(nn.Module):
    """reconstruct(x) = 0.5 everywhere, whatever x is."""

    def __init__(self) -> None:
        super().__init__()
        self.logit = nn.Parameter(torch.zeros(()))

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.logit).expand_as(x)


def _distances(points: torch.Tensor) -> torch.Tensor:
    return (points[:, None] - points[None]).norm(dim=-1)


def test_residual_codes_keep_the_distances_between_residuals():
    # reconstruct(x) = 0.5: residuals are x - 0.5; with as many components as their rank, the
    # projection is a rotation and every distance between residuals is kept
    x = torch.rand(30, 1, 2, 3, generator=torch.Generator().manual_seed(0))
    codes = residual_codes(_ConstantReconstruction(), x, components=6, sample=30, batch_size=7)
    assert codes.shape == (30, 6)
    residuals = (x - 0.5).flatten(1)
    assert torch.allclose(_distances(codes), _distances(residuals), atol=1e-5)
    # fitted on a sample, projected in batches: the same projection
    again = residual_codes(_ConstantReconstruction(), x, components=6, sample=20, batch_size=4)
    assert torch.allclose(_distances(again), _distances(residuals), atol=1e-5)
    assert residual_codes(nn.Linear(2, 2), x) is None  # no reconstruction, no residuals
