import gzip

import numpy as np
import pytest
import torch

from genlab.data import DataSpec, get_source, list_datasets, load_splits
from genlab.data.dataset import from_array
from genlab.data.fashion_mnist import FashionMNIST, read_idx
from genlab.errors import DataError


def write_idx(path, array: np.ndarray, gz: bool = True) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    data = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if gz else data)


def test_idx_reader_round_trip(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    write_idx(tmp_path / "a.gz", images)
    write_idx(tmp_path / "b", images, gz=False)
    assert np.array_equal(read_idx(tmp_path / "a.gz"), images)
    assert np.array_equal(read_idx(tmp_path / "b"), images)


def test_idx_reader_rejects_truncated_and_foreign_files(tmp_path):
    images = np.zeros((5, 4, 4), dtype=np.uint8)
    write_idx(tmp_path / "t", images, gz=False)
    (tmp_path / "t").write_bytes((tmp_path / "t").read_bytes()[:-3])
    with pytest.raises(DataError, match="truncated"):
        read_idx(tmp_path / "t")
    (tmp_path / "png").write_bytes(b"\x89PNG\r\n\x1a\n....")
    with pytest.raises(DataError, match="not an IDX"):
        read_idx(tmp_path / "png")


def test_fashion_mnist_from_custom_dir(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    for split, n in (("train", 30), ("t10k", 10)):
        write_idx(tmp_path / f"{split}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28)))
        write_idx(tmp_path / f"{split}-labels-idx1-ubyte.gz", rng.integers(0, 10, n))
    monkeypatch.setenv("GENLAB_FASHION_MNIST_DIR", str(tmp_path))
    train, test = FashionMNIST().load()
    assert train.x.shape == (30, 1, 28, 28) and test.x.shape == (10, 1, 28, 28)
    assert train.bits == 8 and 0 <= train.x.min() and train.x.max() <= 1
    assert FashionMNIST().info().present


def test_missing_fashion_mnist_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("GENLAB_FASHION_MNIST_DIR", str(tmp_path))
    assert not FashionMNIST().info().present
    with pytest.raises(DataError, match="apt-get install dataset-fashion-mnist"):
        FashionMNIST().load()


@pytest.mark.skipif(not FashionMNIST().info().present, reason="Debian dataset-fashion-mnist is not installed")
def test_real_fashion_mnist_official_split():
    train, test = FashionMNIST().load()
    assert train.x.shape == (60_000, 1, 28, 28) and test.x.shape == (10_000, 1, 28, 28)
    assert torch.bincount(train.y).tolist() == [6000] * 10
    assert torch.bincount(test.y).tolist() == [1000] * 10


def test_digits_and_deterministic_splits():
    a = load_splits(DataSpec("digits", seed=3))
    b = load_splits(DataSpec("digits", seed=3))
    c = load_splits(DataSpec("digits", seed=4))
    assert a.train.x.shape[1:] == (1, 8, 8)
    assert len(a.train) + len(a.val) + len(a.test) == 1797
    assert torch.equal(a.train.x, b.train.x) and torch.equal(a.val.x, b.val.x)
    assert not torch.equal(a.train.x, c.train.x)
    # the test hold-out does not depend on the run's seed
    assert torch.equal(a.test.x, c.test.x)


def test_limit_takes_the_first_n_training_examples():
    full = load_splits(DataSpec("digits"))
    limited = load_splits(DataSpec("digits", limit=100))
    assert len(limited.train) == 100
    assert torch.equal(limited.train.x, full.train.x[:100])
    assert torch.equal(limited.val.x, full.val.x)


def test_resize():
    splits = load_splits(DataSpec("digits", resize=16))
    assert splits.train.x.shape[1:] == (1, 16, 16)


def test_unknown_name_lists_the_choices():
    with pytest.raises(DataError) as error:
        get_source("mnist")
    message = str(error.value)
    for choice in ("fashion-mnist", "digits", "faces-parts", "folder:PATH", "edges:SET", "unaligned:PATH", "fashion-mnist:class=N"):
        assert choice in message


def test_registry_lists_builtins():
    names = [info.name for info in list_datasets()]
    assert names[:2] == ["fashion-mnist", "digits"]


def test_a_source_registered_by_where_it_lives_loads_when_first_asked_for(monkeypatch):
    from genlab.data import registry
    from genlab.data.toy import TOY1D

    monkeypatch.setitem(registry.BUILTINS, "lazy-toy", "genlab.data.toy:TOY1D")
    monkeypatch.setitem(registry.USER_PREFIXES, "lazy-shapes", "genlab.data.shapes:Shapes.from_options")
    assert registry.BUILTINS["lazy-toy"] == "genlab.data.toy:TOY1D"  # nothing imported yet
    assert get_source("lazy-toy") is TOY1D and registry.BUILTINS["lazy-toy"] is TOY1D
    assert get_source("lazy-shapes:n=5,test=2").sizes() == (5, 2)
    with pytest.raises(TypeError, match="name"):
        registry.register_builtin("genlab.data.toy:TOY2D")


@pytest.mark.parametrize(
    "array, shape",
    [
        (np.zeros((4, 8, 8), np.uint8), (4, 1, 8, 8)),
        (np.zeros((4, 8, 8, 3), np.uint8), (4, 3, 8, 8)),
        (np.zeros((4, 3, 8, 8), np.uint8), (4, 3, 8, 8)),
        (np.zeros((4, 8, 8, 4), np.uint8), (4, 3, 8, 8)),
        (np.zeros((4, 7), np.float32), (4, 7)),
    ],
)
def test_from_array_layouts(array, shape):
    assert tuple(from_array(array, origin="t").x.shape) == shape


def test_from_array_rejects_bad_values():
    with pytest.raises(DataError, match="NaN"):
        from_array(np.array([[1.0, np.nan]]), origin="t")
    with pytest.raises(DataError, match=r"\[0, 1\]"):
        from_array(np.full((2, 4, 4), 3.0), origin="t")
    with pytest.raises(DataError, match="no examples"):
        from_array(np.zeros((0, 4)), origin="t")


def test_binarize_checks_data_range(tmp_path):
    np.savez(tmp_path / "v.npz", x=np.random.default_rng(0).normal(size=(50, 3)).astype(np.float32))
    with pytest.raises(DataError, match="binarize"):
        load_splits(DataSpec(f"npz:{tmp_path / 'v.npz'}", binarize=True))


def test_training_loads_its_data_once_report_included(tmp_path, monkeypatch, one_thread):
    """The report written after training (its latent pictures draw test images) reuses the
    trainer's copy of the data: a second copy would double the peak memory of a large data set."""
    from genlab.api import train_run
    from genlab.train import TrainConfig

    source = get_source("digits")
    loads = []
    original = type(source).load

    def counting_load(self, *args, **kwargs):
        loads.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(source), "load", counting_load)
    run, _ = train_run("vae", DataSpec("digits"), TrainConfig(epochs=1, max_steps=2), str(tmp_path / "run"),
                       {"latent_dim": 2, "hidden": (16,)})  # fmt: skip
    assert "Latent code" in run.report_path.read_text()  # the pictures that need test images are there
    assert len(loads) == 1
    load_splits(DataSpec("digits"))  # outside training, loading works as before
    assert len(loads) == 2
