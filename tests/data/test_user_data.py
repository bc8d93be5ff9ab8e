import numpy as np
import pytest
import torch
from PIL import Image

from genlab.data import DataSpec, load_splits
from genlab.errors import DataError


def save(path, size=(12, 12), color=False, value=128):
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "RGB" if color else "L"
    fill = (value, 0, 255 - value) if color else value
    Image.new(mode, size, fill).save(path)


def test_folder_with_class_subfolders(tmp_path):
    for cls in ("cat", "dog"):
        for i in range(6):
            save(tmp_path / cls / f"{i}.png", value=10 * i)
    splits = load_splits(DataSpec(f"folder:{tmp_path}", val_fraction=0.2))
    everything = torch.cat([splits.train.y, splits.val.y, splits.test.y])
    assert sorted(everything.tolist()) == [0] * 6 + [1] * 6
    assert splits.train.x.shape[1:] == (1, 12, 12)
    assert splits.train.bits == 8


def test_folder_train_test_layout_and_color(tmp_path):
    for split in ("train", "test"):
        for i in range(4):
            save(tmp_path / split / f"{i}.png", color=(i == 0))
    splits = load_splits(DataSpec(f"folder:{tmp_path}"))
    assert len(splits.test) == 4 and splits.train.x.shape[1] == 3


def test_folder_mixed_sizes_need_resize(tmp_path):
    save(tmp_path / "a.png", size=(12, 12))
    save(tmp_path / "b.png", size=(16, 10))
    with pytest.raises(DataError, match="different sizes.*--resize"):
        load_splits(DataSpec(f"folder:{tmp_path}"))
    for i in range(3):
        save(tmp_path / f"c{i}.png", size=(20, 20))
    splits = load_splits(DataSpec(f"folder:{tmp_path}", resize=8))
    assert splits.train.x.shape[1:] == (1, 8, 8)


def test_folder_errors(tmp_path):
    with pytest.raises(DataError, match="no folder at"):
        load_splits(DataSpec(f"folder:{tmp_path / 'missing'}"))
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("hi")
    with pytest.raises(DataError, match="holds no images"):
        load_splits(DataSpec(f"folder:{tmp_path / 'empty'}"))
    bad = tmp_path / "bad"
    save(bad / "ok.png")
    (bad / "broken.png").write_bytes(b"not really a png")
    with pytest.raises(DataError, match=r"cannot read image .*broken\.png"):
        load_splits(DataSpec(f"folder:{bad}"))


def test_npz_keys_and_test_split(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "d.npz"
    np.savez(path, x=rng.integers(0, 256, (40, 8, 8), dtype=np.uint8), y=rng.integers(0, 3, 40),
             x_test=rng.integers(0, 256, (10, 8, 8), dtype=np.uint8))  # fmt: skip
    splits = load_splits(DataSpec(f"npz:{path}"))
    assert len(splits.test) == 10 and len(splits.train) + len(splits.val) == 40
    assert splits.train.y is not None and splits.test.y is None


def test_npz_errors(tmp_path):
    np.savez(tmp_path / "k.npz", images=np.zeros((3, 4, 4), np.uint8))
    with pytest.raises(DataError, match="no array 'x' .*images"):
        load_splits(DataSpec(f"npz:{tmp_path / 'k.npz'}"))
    (tmp_path / "c.npz").write_bytes(b"garbage")
    with pytest.raises(DataError, match="not a NumPy .npz archive"):
        load_splits(DataSpec(f"npz:{tmp_path / 'c.npz'}"))
    with pytest.raises(DataError, match="no file at"):
        load_splits(DataSpec(f"npz:{tmp_path / 'none.npz'}"))
