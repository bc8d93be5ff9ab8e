"""The toy data sets: deterministic, the right shapes, and the distributions they claim."""

import numpy as np
import pytest

from genlab.data import DataSpec, load_splits
from genlab.data.registry import get_source
from genlab.data.toy import TOY1D, TOY2D
from genlab.errors import DataError


@pytest.mark.parametrize("name,dims", [("toy1d", 1), ("toy2d", 2), ("swissroll", 2)])
def test_toys_load_as_vectors_deterministically(name, dims):
    train, test = get_source(name).load()
    again, _ = get_source(name).load()
    assert train.x.shape == (10_000, dims) and test.x.shape == (10_000, dims)
    assert not train.is_image and train.bits is None
    assert np.array_equal(train.x.numpy(), again.x.numpy())
    assert not np.array_equal(train.x.numpy(), test.x.numpy())  # an independent draw
    splits = load_splits(DataSpec(name))
    assert len(splits.train) == 9_000 and len(splits.val) == 1_000


def test_mixtures_have_the_stated_modes():
    x = TOY2D.load()[0].x.numpy()
    radius = np.linalg.norm(x, axis=1)
    assert abs(radius.mean() - 2.0) < 0.01
    nearest = np.linalg.norm(x[:, None] - TOY2D.modes[None], axis=2).argmin(1)
    assert np.bincount(nearest).min() > 1_100  # 8 equally likely modes of 10,000 points
    one = TOY1D.load()[0].x.numpy()[:, 0]
    assert abs(one.mean()) < 0.1 and abs(one.std() - np.sqrt(6 + 0.16)) < 0.05  # var = 2/3 * 9 + 0.4^2


def test_resize_of_points_is_an_error():
    with pytest.raises(DataError, match="--resize applies to images"):
        get_source("toy1d").load(resize=8)
