"""Translation data: A|B folders split exactly, unpaired folders and domains, derived pairs, counterfactual faces."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from genlab.data.dataset import Dataset
from genlab.data.faces import FACTOR_NAMES, FaceFactors
from genlab.data.paired import unpaired
from genlab.data.registry import get_source
from genlab.data.splits import DataSpec, load_splits
from genlab.errors import DataError


def _save(path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def _random_rgb(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_an_aligned_folder_splits_each_image_into_its_exact_halves(tmp_path):
    rng = np.random.default_rng(0)
    halves = {}
    for part, n in (("train", 5), ("test", 2)):
        for i in range(n):
            a, b = _random_rgb(rng, 8, 6), _random_rgb(rng, 8, 6)
            _save(tmp_path / part / f"{i}.png", np.concatenate([a, b], axis=1))  # A|B, 12 wide
            halves[part, i] = a, b
    train, test = get_source(f"aligned:{tmp_path}").load()
    assert train.x.shape == (5, 3, 8, 6) and train.extras["target"].shape == (5, 3, 8, 6)
    for i in range(5):  # files in name order
        a, b = halves["train", i]
        assert torch.equal((train.x[i] * 255).round().byte(), torch.from_numpy(a).permute(2, 0, 1))
        assert torch.equal((train.extras["target"][i] * 255).round().byte(), torch.from_numpy(b).permute(2, 0, 1))
    assert len(test) == 2


def test_an_odd_width_names_the_file(tmp_path):
    _save(tmp_path / "train" / "odd.png", _random_rgb(np.random.default_rng(0), 8, 13))
    with pytest.raises(DataError, match=r"odd.png is 13 pixels wide, an odd number"):
        get_source(f"aligned:{tmp_path}").load()


def test_images_of_different_sizes_ask_for_resize(tmp_path):
    rng = np.random.default_rng(0)
    _save(tmp_path / "train" / "a.png", _random_rgb(rng, 8, 16))
    _save(tmp_path / "train" / "b.png", _random_rgb(rng, 10, 20))
    with pytest.raises(DataError, match="different sizes.*--resize"):
        get_source(f"aligned:{tmp_path}").load()
    train, _ = get_source(f"aligned:{tmp_path}").load(resize=8)
    assert train.x.shape == (2, 3, 8, 8)


def test_an_unpaired_folder_is_not_read_as_pairs(tmp_path):
    _save(tmp_path / "trainA" / "a.png", _random_rgb(np.random.default_rng(0), 8, 8))
    with pytest.raises(DataError, match="unpaired layout.*unaligned:"):
        get_source(f"aligned:{tmp_path}").load()


def test_an_empty_domain_says_so(tmp_path):
    _save(tmp_path / "trainA" / "a.png", _random_rgb(np.random.default_rng(0), 8, 8))
    (tmp_path / "trainB").mkdir()
    with pytest.raises(DataError, match="trainB holds no images"):
        get_source(f"unaligned:{tmp_path}").load()
    some = Dataset(torch.zeros(3, 1, 8, 8))
    with pytest.raises(DataError, match=r"a domain is empty \(3 images of A, 0 of B\)"):  # e.g. a filter that kept nothing
        unpaired(some, some.subset(slice(0, 0)), seed=0)


def test_an_unaligned_folder_pairs_every_image_of_the_larger_domain(tmp_path):
    rng = np.random.default_rng(0)
    for i in range(5):
        _save(tmp_path / "trainA" / f"{i}.png", _random_rgb(rng, 8, 8))
    for i in range(3):
        _save(tmp_path / "trainB" / f"{i}.png", rng.integers(0, 256, (8, 8), dtype=np.uint8))  # gray B
    train, test = get_source(f"unaligned:{tmp_path}").load()
    assert test is None and train.x.shape == (5, 3, 8, 8) and train.extras["b"].shape == (5, 1, 8, 8)
    distinct_b = {tuple(image.flatten().tolist()) for image in train.extras["b"]}
    assert len(distinct_b) == 3  # every B image is used, none invented


def test_unpaired_domains_from_two_names_keep_only_their_own_faces():
    spec = DataSpec("faces:glasses=0;n=40;test=48", name_b="faces:glasses=1;n=30;test=48")
    splits = load_splits(spec)
    glasses = FACTOR_NAMES.index("glasses")
    assert len(splits.train) == 36 and splits.train.extras["b"].shape == (36, 3, 64, 64)  # 40 less the validation share
    assert (splits.train.factors[:, glasses] == 0).all()
    assert (splits.test.factors[:, glasses] == 0).all() and len(splits.test) == 24  # the balanced test's half without


def test_classes_of_a_labeled_set_make_a_domain():
    train, _ = get_source("fashion-mnist:class=Sneaker,9").load()
    assert set(train.y.unique().tolist()) == {7, 9}
    with pytest.raises(DataError, match="no class 'zebra'"):
        get_source("fashion-mnist:class=zebra").load()


def test_gray_pairs_hold_the_luminance_of_the_color_image():
    source = get_source("gray:faces:n=4;test=12")
    pairs = source.load_at("train", torch.arange(4), 16)
    color = pairs.extras["target"]
    assert pairs.x.shape == (4, 1, 16, 16) and color.shape == (4, 3, 16, 16)
    expected = (0.299 * color[:, 0] + 0.587 * color[:, 1] + 0.114 * color[:, 2]).unsqueeze(1)
    assert (pairs.x - expected).abs().max() <= 0.5 / 255 + 1e-6
    with pytest.raises(DataError, match="colorization needs color images"):
        get_source("gray:digits").load()


def test_edges_mark_the_outline_of_a_square():
    image = torch.zeros(1, 1, 32, 32)
    image[..., 8:24, 8:24] = 1.0
    edges = get_source("edges:digits").derive(image)[0, 0]
    assert edges[8:24, 8:24].sum() > 0 and edges[12:20, 12:20].sum() == 0 and edges[:4].sum() == 0


def test_face_flips_pair_each_face_with_its_exact_counterfactual():
    source = get_source("faces-flip:flip=glasses,0,1,n=6,test=12")
    pairs = source.load_at("train", torch.arange(6), 32)
    factors = pairs.factors.numpy()
    glasses = FACTOR_NAMES.index("glasses")
    assert (factors[:, glasses] == 0).all()
    flipped = factors.copy()
    flipped[:, glasses] = 1
    renderer = FaceFactors(size=32)
    assert torch.equal(pairs.x, renderer.render(factors)) and torch.equal(pairs.extras["target"], renderer.render(flipped))
    with pytest.raises(DataError, match="flip=glasses,0,1"):
        get_source("faces-flip:n=6")
    with pytest.raises(DataError, match="levels 0 to 1"):
        get_source("faces-flip:flip=glasses,0,2")


@pytest.mark.parametrize("name", ["faces-parts:n=20,test=12", "edges:shapes:n=20,test=5", "faces-flip:flip=smile,0,10,n=20,test=12"])
def test_pairs_of_a_procedural_set_render_by_index_exactly_as_a_whole_load(name):
    source = get_source(name)
    train, _ = source.load(16)
    index = torch.tensor([4, 0, 7])
    part = source.load_at("train", index, 16)
    assert torch.equal(part.x, train.x[index]) and torch.equal(part.extras["target"], train.extras["target"][index])
