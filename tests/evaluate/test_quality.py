"""Sample-quality metrics on hand-computed and planted cases."""

import math

import numpy as np
import pytest
import torch
from scipy import linalg

from genlab.errors import ConfigError
from genlab.evaluate.quality import (
    frechet_distance,
    frechet_distance_from_moments,
    kernel_distance,
    precision_recall,
    sample_quality,
)


def _gaussian(n, d, shift=0.0, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d)) + shift


# --- Frechet distance ---


def test_fd_closed_form_one_dimension():
    # N(0, 1) vs N(3, 4): (0 - 3)^2 + 1 + 4 - 2 * sqrt(1 * 4) = 9 + 1 = 10
    assert math.isclose(frechet_distance_from_moments(np.zeros(1), [[1.0]], np.full(1, 3.0), [[4.0]]), 10.0)


def test_fd_closed_form_non_commuting_covariances():
    # S1 = [[2, 1], [1, 2]] has eigenvalues 3 and 1, S2 = I: tr(S1 + I - 2 S1^(1/2)) = 6 - 2 (sqrt 3 + 1);
    # means differ by (1, 2): + 5
    s1 = np.array([[2.0, 1.0], [1.0, 2.0]])
    fd = frechet_distance_from_moments(np.zeros(2), s1, np.array([1.0, 2.0]), np.eye(2))
    assert math.isclose(fd, 5 + 4 - 2 * math.sqrt(3), rel_tol=1e-12)


def test_fd_matches_scipy_sqrtm_on_random_covariances():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(6, 6)), rng.normal(size=(6, 6))
    s1, s2 = a @ a.T + 0.1 * np.eye(6), b @ b.T + 0.1 * np.eye(6)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    reference = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * linalg.sqrtm(s1 @ s2).real)
    assert math.isclose(frechet_distance_from_moments(mu1, s1, mu2, s2), reference, rel_tol=1e-9)


def test_fd_of_a_set_with_itself_is_zero_and_grows_with_a_shift():
    x = _gaussian(2000, 8)
    assert frechet_distance(x, x) < 1e-9
    same = frechet_distance(x, _gaussian(2000, 8, seed=1))
    shifts = [frechet_distance(x, _gaussian(2000, 8, shift=s, seed=1)) for s in (0.5, 1.0, 2.0)]
    assert same < 0.1
    assert same < shifts[0] < shifts[1] < shifts[2]
    assert math.isclose(shifts[2], 8 * 2.0**2, rel_tol=0.05)  # the mean term dominates: D * shift^2


def test_fd_with_singular_covariances_is_finite():
    # 5 examples in 20 dimensions: both covariances have rank 4
    x, y = _gaussian(5, 20), _gaussian(6, 20, seed=1)
    fd = frechet_distance(x, y)  # the n < D route (nuclear norm of the cross matrix)
    by_moments = frechet_distance_from_moments(x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False))
    assert np.isfinite(fd) and fd > 0
    assert math.isclose(fd, by_moments, rel_tol=1e-6)  # sqrt of round-off eigenvalues costs the D x D route ~1e-8
    assert frechet_distance(x, x) < 1e-9


# --- KID ---


def test_kid_near_zero_for_one_distribution_and_positive_for_a_shift():
    x, y = _gaussian(1000, 16), _gaussian(1000, 16, seed=1)
    same = kernel_distance(x, y, subsets=20, subset_size=500)
    shifted = kernel_distance(x, _gaussian(1000, 16, shift=1.0, seed=1), subsets=20, subset_size=500)
    assert abs(same["kid"]) < 3 * same["kid_std"] + 1e-3
    assert shifted["kid"] > 10 * max(same["kid_std"], 1e-4)
    assert shifted["kid_subset_size"] == 500


def test_kid_is_the_unbiased_mmd_by_hand():
    # two points each in two dimensions, one subset that takes everything
    x, y = np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[2.0, 0.0], [3.0, 1.0]])

    def k(a, b):  # the polynomial kernel of KID: (a.b / D + 1)^3 with D = 2
        return (np.dot(a, b) / 2 + 1.0) ** 3

    within_x = 2 * k(x[0], x[1]) / 2  # off-diagonal pairs only: the unbiased estimate
    within_y = 2 * k(y[0], y[1]) / 2
    across = sum(k(a, b) for a in x for b in y) / 4
    result = kernel_distance(x, y, subsets=3, subset_size=2)
    assert math.isclose(result["kid"], within_x + within_y - 2 * across)
    assert result["kid_std"] == 0.0


def test_kid_is_seeded():
    x, y = _gaussian(300, 4), _gaussian(300, 4, shift=0.2, seed=1)
    assert kernel_distance(x, y, 10, 100, random_state=5) == kernel_distance(x, y, 10, 100, random_state=5)


# --- precision and recall ---


def test_precision_recall_identical_sets():
    x = _gaussian(500, 4)
    assert precision_recall(x, x) == {"precision": 1.0, "recall": 1.0, "k": 3}


def test_precision_recall_disjoint_sets():
    result = precision_recall(_gaussian(500, 4), _gaussian(500, 4, shift=50.0, seed=1))
    assert result["precision"] == 0.0 and result["recall"] == 0.0


def test_generated_set_covering_half_of_the_real_one():
    # real: two far-apart clusters; generated: fresh draws from only one of them
    real = np.concatenate([_gaussian(500, 2, seed=0), _gaussian(500, 2, shift=30.0, seed=1)])
    generated = _gaussian(1000, 2, seed=2)
    result = precision_recall(real, generated)
    assert result["precision"] > 0.95
    assert 0.45 < result["recall"] <= 0.5


def test_bad_inputs_are_config_errors():
    with pytest.raises(ConfigError, match="differ in size"):
        frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(ConfigError, match="NaN"):
        frechet_distance(np.full((5, 3), np.nan), np.zeros((5, 3)))
    with pytest.raises(ConfigError, match="k must be"):
        precision_recall(np.zeros((3, 2)), np.zeros((3, 2)), k=3)


# --- everything at once ---


def test_sample_quality_returns_every_number_with_counts():
    def flatten(images):
        return images.flatten(1).numpy()

    flatten.name = "pixels"
    g = torch.Generator().manual_seed(0)
    real = torch.rand(300, 1, 4, 4, generator=g)
    generated = torch.rand(200, 1, 4, 4, generator=g) * 0.5
    result = sample_quality(real, generated, flatten, kid_subsets=5, kid_subset_size=100)
    assert result["feature_extractor"] == "pixels" and result["feature_dim"] == 16
    assert (result["n_real"], result["n_generated"]) == (300, 200)
    assert result["fd"] > 0 and result["kid"] > 0
    assert result["recall"] < result["precision"]  # generated images cover only the darker half of the cube
    assert set(result["seconds"]) == {"features", "fd", "kid", "precision_recall"}
    with pytest.raises(ConfigError, match="differ in shape"):
        sample_quality(real, generated[:, :, :2], flatten)
