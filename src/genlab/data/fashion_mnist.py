"""Fashion-MNIST from Debian's ``dataset-fashion-mnist`` package (IDX files)."""

from __future__ import annotations

import gzip
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from genlab.data.source import SourceInfo
from genlab.errors import DataError

if TYPE_CHECKING:
    from genlab.data.dataset import Dataset

DEFAULT_DIR = Path("/usr/share/datasets/fashion-mnist")
CLASSES = (
    "t-shirt/top", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
)  # fmt: skip
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
HOW_TO_GET = (
    "install it with `sudo apt-get install dataset-fashion-mnist` (or `make data`), or point "
    "GENLAB_FASHION_MNIST_DIR at a folder holding the four IDX files"
)
_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (optionally gzipped) into an array of its declared type and shape."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as e:
        raise DataError(f"cannot read {path}: {e}") from e
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise DataError(f"{path} is not an IDX file (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise DataError(f"{path} is truncated or corrupt: {len(raw) - header} bytes of data, expected {expected}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


def data_dir() -> Path:
    return Path(os.environ.get("GENLAB_FASHION_MNIST_DIR", DEFAULT_DIR))


def _find(directory: Path, stem: str) -> Path | None:
    for candidate in (directory / f"{stem}.gz", directory / stem):
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=2)
def _load_split(directory: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    images_stem, labels_stem = FILES[split]
    images_path, labels_path = _find(directory, images_stem), _find(directory, labels_stem)
    if images_path is None or labels_path is None:
        raise DataError(f"fashion-mnist is not installed (no IDX files in {directory}); {HOW_TO_GET}")
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise DataError(f"{directory}: images {images.shape} and labels {labels.shape} do not match")
    return images, labels


class FashionMNIST:
    """The official 60,000 / 10,000 split of 28x28 grayscale clothing images in 10 classes."""

    name = "fashion-mnist"

    def info(self) -> SourceInfo:
        directory = data_dir()
        present = all(_find(directory, stem) is not None for pair in FILES.values() for stem in pair)
        return SourceInfo(
            self.name, "images", "1x28x28", 60_000, 10_000,
            f"Debian dataset-fashion-mnist ({directory})", present, "" if present else HOW_TO_GET,
        )  # fmt: skip

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset | None]:
        from genlab.data.dataset import from_array

        directory = data_dir()
        splits = []
        for split in ("train", "test"):
            images, labels = _load_split(directory, split)
            data = from_array(images, labels, origin=f"fashion-mnist {split}", classes=CLASSES)
            if resize is not None:
                data = data.resized(resize)
            splits.append(data)
        return splits[0], splits[1]
