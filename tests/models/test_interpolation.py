"""Linear and spherical interpolation of latent codes, and latent walks."""

import math

import pytest
import torch

from genlab.models.interpolation import interpolate, latent_walk


def test_lerp_and_slerp_start_and_end_at_the_codes():
    z0, z1 = torch.randn(16), torch.randn(16)
    for method in ("lerp", "slerp"):
        path = interpolate(z0, z1, 7, method)
        assert path.shape == (7, 16)
        assert torch.allclose(path[0], z0, atol=1e-5) and torch.allclose(path[-1], z1, atol=1e-5)


def test_slerp_keeps_the_norm_on_a_great_circle_and_lerp_cuts_inside():
    z0, z1 = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    mid_slerp = interpolate(z0, z1, 3, "slerp")[1]
    mid_lerp = interpolate(z0, z1, 3, "lerp")[1]
    assert torch.allclose(mid_slerp, torch.tensor([math.sqrt(0.5), math.sqrt(0.5)]), atol=1e-6)
    assert torch.allclose(mid_lerp, torch.tensor([0.5, 0.5]))
    # equal angles between consecutive points
    path = interpolate(z0, z1, 5, "slerp")
    angles = [float(torch.arccos(torch.dot(a, b).clamp(-1, 1))) for a, b in zip(path[:-1], path[1:])]
    assert max(angles) - min(angles) < 1e-5


def test_slerp_of_parallel_codes_falls_back_to_lerp():
    z = torch.tensor([1.0, 2.0])
    assert torch.allclose(interpolate(z, 2 * z, 3, "slerp")[1], 1.5 * z)


def test_bad_interpolations_are_refused():
    with pytest.raises(ValueError, match="lerp or slerp"):
        interpolate(torch.zeros(2), torch.ones(2), 3, "cubic")
    with pytest.raises(ValueError, match="at least 2"):
        interpolate(torch.zeros(2), torch.ones(2), 1)


def test_latent_walk_is_a_closed_loop_through_the_anchors():
    anchors = torch.randn(3, 2, 4)
    walk = latent_walk(anchors, steps=5)
    assert walk.shape == (15, 2, 4)
    assert torch.allclose(walk[0], anchors[0]) and torch.allclose(walk[5], anchors[1]) and torch.allclose(walk[10], anchors[2])
