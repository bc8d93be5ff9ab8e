"""Feature extractors: the cached data-set classifier, the autoencoder fallback, a local Inception file."""

import logging
import pickle

import numpy as np
import pytest
import torch

from genlab.data import DataSpec, load_splits
from genlab.data.dataset import Dataset
from genlab.errors import ConfigError
from genlab.evaluate.features import FeatureTraining, feature_extractor
from genlab.evaluate.inception import InceptionV3Features, load_inception
from genlab.evaluate.quality import sample_quality

FAST = FeatureTraining(epochs=1, batch_size=64)

pytestmark = pytest.mark.usefixtures("one_thread")  # tiny models: see conftest.one_thread


@pytest.fixture(scope="module")
def digits():
    splits = load_splits(DataSpec("digits", val_fraction=0.0))
    return splits.train, splits.test


def test_cache_miss_then_hit_keyed_by_the_data(digits, tmp_path):
    train, test = digits
    first = feature_extractor(train, test, training=FAST, cache=tmp_path)
    assert first.info["cached"] is False and first.name.startswith("classifier:")
    assert len(list(tmp_path.glob("*.safetensors"))) == 1

    again = feature_extractor(train, test, training=FAST, cache=tmp_path)
    assert again.info["cached"] is True
    np.testing.assert_array_equal(first(test.x), again(test.x))

    x = train.x.clone()
    x[0, 0, 0, 0] = 1.0 - x[0, 0, 0, 0]  # one pixel changes the key
    changed = feature_extractor(Dataset(x, train.y), test, training=FAST, cache=tmp_path)
    assert changed.info["cached"] is False and changed.info["data_hash"] != first.info["data_hash"]
    relabeled = feature_extractor(Dataset(train.x, train.y.roll(1)), test, training=FAST, cache=tmp_path)
    assert relabeled.info["cached"] is False
    assert len(list(tmp_path.glob("*.safetensors"))) == 3


def test_cache_folder_from_the_environment_and_corrupt_entries_retrain(digits, tmp_path, monkeypatch, caplog):
    train, test = digits
    monkeypatch.setenv("GENLAB_CACHE", str(tmp_path))
    first = feature_extractor(train, test, training=FAST)
    [path] = (tmp_path / "features").glob("*.safetensors")
    assert first.info["path"] == str(path)
    path.write_bytes(b"not a safetensors file")
    with caplog.at_level(logging.WARNING):
        again = feature_extractor(train, test, training=FAST)
    assert again.info["cached"] is False and "unusable" in caplog.text
    np.testing.assert_allclose(first(test.x), again(test.x), rtol=1e-5, atol=1e-6)  # seeded: the same network


def test_classifier_learns_and_leaves_the_global_rng_alone(digits, tmp_path):
    train, test = digits
    state = torch.get_rng_state()
    extractor = feature_extractor(train, test, training=FeatureTraining(epochs=4, batch_size=32), cache=tmp_path)
    assert torch.equal(state, torch.get_rng_state())
    assert extractor.info["test_accuracy"] > 0.8  # 10 classes: chance is 0.1
    assert extractor(test.x).shape == (len(test), 128)


def test_unlabeled_data_falls_back_to_an_autoencoder(digits, tmp_path):
    train, _ = digits
    unlabeled = Dataset(train.x)
    extractor = feature_extractor(unlabeled, kind="auto", dataset_name="mine", training=FAST, cache=tmp_path)
    assert extractor.name == "autoencoder:mine" and extractor(train.x[:10]).shape == (10, 64)
    with pytest.raises(ConfigError, match="no labels"):
        feature_extractor(unlabeled, kind="classifier", cache=tmp_path)
    with pytest.raises(ConfigError, match="unknown feature extractor"):
        feature_extractor(train, kind="vgg", cache=tmp_path)


def test_classifier_features_separate_real_from_noise(digits, tmp_path):
    train, test = digits
    extractor = feature_extractor(train, test, training=FeatureTraining(epochs=3, batch_size=32), cache=tmp_path)
    real, other_real = test.x[:90], test.x[90:180]
    noise = torch.rand(90, *test.x.shape[1:], generator=torch.Generator().manual_seed(0))
    close = sample_quality(real, other_real, extractor, kid_subsets=10, kid_subset_size=50)
    far = sample_quality(real, noise, extractor, kid_subsets=10, kid_subset_size=50)
    assert far["fd"] > 5 * close["fd"] and far["kid"] > close["kid"]


# --- a local Inception file ---


@pytest.fixture(scope="module")
def inception_file(tmp_path_factory):
    """A randomly initialized FID Inception-v3 saved as a half-precision state_dict (about 45 MB)."""
    torch.manual_seed(0)
    model = InceptionV3Features().eval()
    path = tmp_path_factory.mktemp("weights") / "pt_inception-random.pth"
    torch.save({k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}, path)
    return path, model


def test_inception_file_gives_the_saved_networks_features(inception_file):
    path, model = inception_file
    extractor = load_inception(path, resize=75)
    assert extractor.name == "inception-v3-fid"
    images = torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    features = extractor(images)
    assert features.shape == (3, 2048)
    model.half().float().resize = 75  # the saved weights were rounded to half precision
    with torch.no_grad():
        np.testing.assert_allclose(features, model(images).double().numpy(), rtol=1e-4, atol=1e-5)


def test_inception_file_through_sample_quality(inception_file):
    path, _ = inception_file
    extractor = load_inception(path, resize=75)  # the smallest input Inception takes; 299 in real use
    g = torch.Generator().manual_seed(2)
    result = sample_quality(torch.rand(5, 3, 16, 16, generator=g), torch.rand(5, 3, 16, 16, generator=g), extractor, k=2, kid_subsets=2)
    assert result["feature_extractor"] == "inception-v3-fid" and result["feature_dim"] == 2048
    assert np.isfinite(result["fd"]) and (result["n_real"], result["n_generated"]) == (5, 5)


def test_torchvision_inception_state_dict_is_named_as_such(inception_file, tmp_path):
    path, _ = inception_file
    state = torch.load(path, weights_only=True)
    state["fc.weight"] = torch.zeros(1000, 2048, dtype=torch.half)
    other = tmp_path / "inception_v3_google.pth"
    torch.save(state, other)
    assert load_inception(other).name == "inception-v3-torchvision"


class _Payload:
    def __reduce__(self):
        return (print, ("arbitrary code ran",))


def test_inception_file_errors_are_clear(tmp_path, capsys):
    with pytest.raises(ConfigError, match="no Inception weights file"):
        load_inception(tmp_path / "missing.pth")
    corrupt = tmp_path / "corrupt.pth"
    corrupt.write_bytes(b"\x00garbage" * 100)
    with pytest.raises(ConfigError, match="not a readable weights file"):
        load_inception(corrupt)
    evil = tmp_path / "evil.pth"
    with evil.open("wb") as f:
        pickle.dump({"x": _Payload()}, f)
    with pytest.raises(ConfigError, match="not a readable weights file"):
        load_inception(evil)
    assert "arbitrary code ran" not in capsys.readouterr().out
    wrong = tmp_path / "wrong.pth"
    torch.save({"conv.weight": torch.zeros(3)}, wrong)
    with pytest.raises(ConfigError, match="tensors are missing"):
        load_inception(wrong)
    scripted = tmp_path / "inception-2015-12-05.pt"
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), str(scripted))
    with pytest.raises(ConfigError, match="TorchScript"):
        load_inception(scripted)
    bad_safetensors = tmp_path / "inception.safetensors"
    bad_safetensors.write_bytes(b"{}")
    with pytest.raises(ConfigError, match="safetensors"):
        load_inception(bad_safetensors)


class _Bars:
    """A tiny factor source: a horizontal bar at row f0 (8 values) with brightness f1 (2 values)."""

    factor_names = ("row", "bright")
    factor_sizes = (8, 2)

    def sample_factors(self, n, rng):
        return np.stack([rng.integers(0, s, n) for s in self.factor_sizes], axis=1)

    def render(self, factors):
        x = torch.zeros(len(factors), 1, 8, 8)
        for i, (row, bright) in enumerate(factors):
            x[i, 0, row] = 0.5 + 0.5 * bright
        return x


def test_data_with_factors_trains_a_classifier_of_every_factor(tmp_path, monkeypatch):
    from genlab.data import registry
    from genlab.evaluate.features import factor_labeled

    class Source:
        factors = _Bars()

    monkeypatch.setattr(registry, "get_source", lambda name: Source() if name == "bars" else None)
    data = factor_labeled("bars", 600)
    assert data.x.shape == (600, 1, 8, 8) and data.y.shape == (600, 2)
    train, test = data.subset(slice(100, None)), data.subset(slice(0, 100))
    extractor = feature_extractor(train, test, dataset_name="bars-factors", training=FeatureTraining(epochs=4, batch_size=32), cache=tmp_path)
    assert extractor.name == "classifier:bars-factors" and extractor(test.x).shape == (100, 128)
    assert extractor.info["test_accuracy"] > 0.9  # both factors are easy to read off
    assert factor_labeled("nothing-here", 10) is None
