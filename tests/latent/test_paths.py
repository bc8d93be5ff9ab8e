"""The one lerp and slerp: exact ends, hand-computed points and norms, the (anti)parallel fallback,
batches of codes, closed walks."""

import math

import pytest
import torch

from genlab.errors import ConfigError
from genlab.latent import closed_walk, interpolate_codes, lerp, slerp

R2 = math.sqrt(2)


def test_orthogonal_unit_vectors_by_hand():
    a, b = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    assert torch.allclose(slerp(a, b, 3)[1], (a + b) / R2, atol=1e-7)  # on the circle
    assert torch.allclose(lerp(a, b, 3)[1], (a + b) / 2)  # inside it: norm 1/sqrt(2)
    arc = slerp(a, b, 7)
    assert torch.allclose(arc.norm(dim=1), torch.ones(7), atol=1e-6)
    # constant angular speed: 15 degrees between neighbours, and the point at t is (cos, sin)(t pi/2)
    angles = torch.atan2(arc[:, 1], arc[:, 0])
    assert torch.allclose(angles, torch.linspace(0, math.pi / 2, 7), atol=1e-6)


def test_slerp_interpolates_the_radius_linearly():
    a, b = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 3.0])
    arc = slerp(a, b, 5)
    assert torch.allclose(arc.norm(dim=1), torch.tensor([1.0, 1.5, 2.0, 2.5, 3.0]))
    assert torch.allclose(arc[2], torch.tensor([R2, R2]))  # radius 2 at 45 degrees


def test_both_ends_are_exact():
    torch.manual_seed(0)
    for shape in [(64,), (5, 128)]:
        a, b = torch.randn(shape), torch.randn(shape) * 3
        for path in (lerp(a, b, 9), slerp(a, b, 9), slerp(a.double(), b.double(), 2)):
            assert torch.equal(path[0], a.to(path.dtype)) and torch.equal(path[-1], b.to(path.dtype))


def test_parallel_antiparallel_and_zero_codes_fall_back_to_the_line():
    a = torch.tensor([1.0, 2.0, -1.0])
    assert torch.allclose(slerp(a, 2 * a, 3)[1], 1.5 * a)
    assert torch.equal(slerp(a, -a, 3)[1], torch.zeros(3))  # no unique arc: the line, through 0
    assert torch.equal(slerp(torch.zeros(3), a, 3), lerp(torch.zeros(3), a, 3))
    # nearly parallel: finite, and the arc and the line agree
    b = a + torch.tensor([0.0, 1e-5, 0.0])
    near = slerp(a, b, 5)
    assert torch.isfinite(near).all() and torch.allclose(near, lerp(a, b, 5), atol=1e-6)
    # small angle well above the threshold: still an arc with the radius interpolated
    c = torch.tensor([math.cos(1e-3), math.sin(1e-3)], dtype=torch.float64)
    e = torch.tensor([1.0, 0.0], dtype=torch.float64)
    assert torch.allclose(slerp(e, c, 3)[1], torch.tensor([math.cos(5e-4), math.sin(5e-4)], dtype=torch.float64))


def test_a_batch_of_codes_gives_a_batch_of_paths():
    a = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    b = torch.tensor([[0.0, 1.0], [2.0, 2.0]])  # row 0 orthogonal, row 1 parallel
    for spherical in (False, True):
        paths = interpolate_codes(a, b, 4, spherical)
        assert paths.shape == (4, 2, 2)
        for row in range(2):
            assert torch.allclose(paths[:, row], interpolate_codes(a[row], b[row], 4, spherical))
    assert torch.allclose(slerp(a, b, 3)[1], torch.tensor([[1 / R2, 1 / R2], [1.5, 1.5]]))


def test_bad_paths_are_refused():
    with pytest.raises(ConfigError, match="--steps must be at least 2"):
        slerp(torch.zeros(2), torch.ones(2), 1)
    with pytest.raises(ValueError, match="same shape"):
        lerp(torch.zeros(2), torch.ones(3), 3)
    with pytest.raises(ConfigError, match="at least 2 points"):
        closed_walk(torch.zeros(1, 4), 3)


def test_closed_walk_passes_the_anchors_and_comes_back():
    anchors = torch.randn(3, 2, 4)  # 3 points, 2 walkers
    walk = closed_walk(anchors, steps=5)
    assert walk.shape == (15, 2, 4)
    for i in range(3):
        assert torch.equal(walk[5 * i], anchors[i])
    # the last leg heads back to anchor 0: one more step would land on it
    assert torch.allclose(walk[-1], slerp(anchors[2], anchors[0], 6)[-2])
    straight = closed_walk(anchors[:, 0], steps=2, spherical=False)
    assert torch.allclose(straight[1], (anchors[0, 0] + anchors[1, 0]) / 2)
