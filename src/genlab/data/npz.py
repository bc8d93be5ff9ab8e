"""A user's NumPy archive: ``npz:PATH`` with key ``x`` and optional ``y``, ``x_test``, ``y_test``."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from genlab.data.dataset import Dataset, from_array
from genlab.data.source import SourceInfo
from genlab.errors import DataError


class NpzFile:
    """Arrays from an ``.npz`` file: images (uint8 or floats in [0, 1]) or vectors (N, D)."""

    def __init__(self, path: str) -> None:
        self.path = Path(path).expanduser()
        self.name = f"npz:{path}"

    def info(self) -> SourceInfo:
        return SourceInfo(self.name, "arrays", "?", None, None, "your .npz file", self.path.is_file())

    def _read(self) -> dict[str, np.ndarray]:
        if not self.path.exists():
            raise DataError(f"no file at {self.path}; check the path after 'npz:'")
        if not zipfile.is_zipfile(self.path):  # np.load would read a .npy array, or guess at pickles
            raise DataError(f"{self.path} is not a NumPy .npz archive; save the examples with np.savez(path, x=examples)")
        try:
            with np.load(self.path, allow_pickle=False) as archive:
                return {key: archive[key] for key in archive.files}
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
            raise DataError(f"cannot read {self.path} as a NumPy .npz archive ({e})") from e

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset | None]:
        arrays = self._read()
        if "x" not in arrays:
            found = ", ".join(sorted(arrays)) or "nothing"
            raise DataError(
                f"{self.path} has no array 'x' (it has: {found}); save the examples as "
                "np.savez(path, x=examples, y=labels)"
            )
        for key in ("x", "x_test"):
            if key in arrays and arrays[key].ndim == 0:
                raise DataError(
                    f"{self.path}: '{key}' is a single number; it needs one row per example, "
                    "shaped (N, features) or (N, H, W[, C]) / (N, C, H, W)"
                )
        train = from_array(arrays["x"], arrays.get("y"), origin=f"{self.path} [x]")
        test = None
        if "x_test" in arrays:
            test = from_array(arrays["x_test"], arrays.get("y_test"), origin=f"{self.path} [x_test]")
            if test.example_shape != train.example_shape:
                raise DataError(f"{self.path}: x is {train.example_shape} per example but x_test is {test.example_shape}")
        if resize is not None:
            train = train.resized(resize)
            test = None if test is None else test.resized(resize)
        return train, test
