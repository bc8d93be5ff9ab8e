"""Toy distances: ideal, degenerate and shifted cases with known answers."""

import numpy as np
import pytest

from genlab.evaluate.toy import ks, mmd, modes_covered, toy_metrics, wasserstein1


def test_wasserstein1_of_a_shift_is_the_shift():
    rng = np.random.default_rng(0)
    a = rng.standard_normal(5000)
    assert wasserstein1(a, a) == 0.0
    assert wasserstein1(a, a + 0.7) == pytest.approx(0.7, abs=1e-9)
    assert wasserstein1(np.zeros(3), np.array([1.0, 2.0, 3.0])) == pytest.approx(2.0)


def test_ks_is_the_largest_cdf_gap():
    assert ks([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert ks([0.0, 1.0], [10.0, 11.0]) == 1.0
    assert ks(np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([2.5, 3.5, 4.5, 5.5])) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="1-D"):
        ks(np.zeros((3, 2)), np.zeros((3, 2)))


def test_mmd_is_near_zero_for_one_distribution_and_grows_with_a_shift():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((800, 2)), rng.standard_normal((800, 2))
    same, near, far = mmd(x, y), mmd(x, y + 0.5), mmd(x, y + 2.0)
    assert abs(same) < 5e-3
    assert same < near < far


def test_modes_covered_counts_only_modes_with_enough_close_samples():
    centers = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    rng = np.random.default_rng(2)
    on_two = np.concatenate([centers[0] + 0.1 * rng.standard_normal((50, 2)), centers[1] + 0.1 * rng.standard_normal((50, 2))])
    stray = np.array([[0.0, 3.0]] * 20)  # nearest to mode 2 but 2 away: not high quality
    result = modes_covered(np.concatenate([on_two, stray]), centers, std=0.1, min_count=10)
    assert result["modes_covered"] == 2 and result["modes_total"] == 3
    assert result["high_quality"] == pytest.approx(100 / 120, abs=0.02)
    assert modes_covered(on_two[:5], centers, 0.1, min_count=10)["modes_covered"] == 0


def test_toy_metrics_picks_the_distances_that_apply():
    rng = np.random.default_rng(3)
    one = toy_metrics(rng.standard_normal((500, 1)), rng.standard_normal((500, 1)), np.zeros((1, 1)), 1.0)
    assert {"wasserstein1", "ks", "mmd", "modes_covered", "high_quality"} <= one.keys()
    two = toy_metrics(rng.standard_normal((500, 2)), rng.standard_normal((500, 2)))
    assert set(two) == {"mmd"}
