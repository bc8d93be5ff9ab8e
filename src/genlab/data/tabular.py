"""A user's table of numbers: ``csv:PATH`` (a header row, optional ``label`` column) and ODDS ``mat:PATH``.

Both hold vectors (N, D) for outlier detection. Labels, when present, mark outliers with 1 and
inliers with 0; they are kept for evaluation only (a detector never trains on them).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from genlab.data.dataset import Dataset, from_array
from genlab.data.source import SourceInfo
from genlab.errors import DataError

LABEL_COLUMN = "label"


def _number(text: str) -> float | None:
    """The cell as a float; None when it is not a number. An empty cell is a missing value (NaN)."""
    text = text.strip()
    if not text:
        return math.nan
    try:
        return float(text)
    except ValueError:
        return None


def read_csv(path: Path) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """Features (N, D) float64, labels (N,) int64 or None, and the feature column names.

    The first row names the columns unless every cell of it is a number (then the columns are
    named ``x0``, ``x1``, ...). A column called ``label`` holds the labels.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = [row for row in csv.reader(f) if row and any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise DataError(f"cannot read {path} as CSV ({e})") from e
    if not rows:
        raise DataError(f"{path} is empty")
    has_header = any(_number(cell) is None for cell in rows[0])
    header = [c.strip() for c in rows[0]] if has_header else [f"x{i}" for i in range(len(rows[0]))]
    body = rows[1:] if has_header else rows
    first_line = 2 if has_header else 1
    if not body:
        raise DataError(f"{path} has a header but no rows of data")
    width = len(header)
    label_index = header.index(LABEL_COLUMN) if LABEL_COLUMN in header else None
    values = np.empty((len(body), width), dtype=np.float64)
    for i, row in enumerate(body):
        if len(row) != width:
            raise DataError(f"{path} line {first_line + i} has {len(row)} cells but the header has {width}")
        for j, cell in enumerate(row):
            number = _number(cell)
            if number is None:
                raise DataError(
                    f"{path}: column '{header[j]}' holds the text {cell.strip()!r} on line {first_line + i}; "
                    "outlier detection needs numbers: encode or drop that column"
                )
            values[i, j] = number
    names = [h for j, h in enumerate(header) if j != label_index]
    labels = None
    if label_index is not None:
        raw = values[:, label_index]
        if not np.all(np.isin(raw, (0.0, 1.0))):
            raise DataError(f"{path}: the '{LABEL_COLUMN}' column must hold 0 (inlier) or 1 (outlier) in every row")
        labels = raw.astype(np.int64)
        values = np.delete(values, label_index, axis=1)
    if values.shape[1] == 0:
        raise DataError(f"{path} has no feature columns besides '{LABEL_COLUMN}'")
    return values, labels, names


def read_mat(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """Features ``X`` (N, D) and labels ``y`` (N,) of an ODDS-style MATLAB file."""
    from scipy.io import loadmat

    try:
        contents = loadmat(str(path))
    except NotImplementedError as e:  # MATLAB v7.3 files are HDF5
        raise DataError(f"{path} is a MATLAB v7.3 (HDF5) file, which scipy cannot read; save it with -v7") from e
    except (OSError, ValueError, TypeError) as e:
        raise DataError(f"cannot read {path} as a MATLAB .mat file ({e})") from e
    if "X" not in contents:
        found = ", ".join(sorted(k for k in contents if not k.startswith("__"))) or "nothing"
        raise DataError(f"{path} has no variable 'X' (it has: {found}); ODDS files hold X and y")
    x = np.asarray(contents["X"])
    if x.ndim != 2 or x.dtype.kind not in "biuf":
        raise DataError(f"{path}: X must be a numeric matrix (N, D), got {x.dtype} {x.shape}")
    labels = None
    if "y" in contents:
        y = np.asarray(contents["y"]).ravel()
        if len(y) != len(x) or not np.all(np.isin(y, (0, 1))):
            raise DataError(f"{path}: y must hold one 0 (inlier) or 1 (outlier) per row of X")
        labels = y.astype(np.int64)
    return x.astype(np.float64), labels


def _check_path(path: Path, prefix: str) -> None:
    if not path.exists():
        raise DataError(f"no file at {path}; check the path after '{prefix}:'")
    if not path.is_file():
        raise DataError(f"{path} is a folder, not a {prefix} file")


class CsvFile:
    """Rows of numbers from a CSV file; a ``label`` column (0/1) is kept as labels."""

    def __init__(self, path: str) -> None:
        self.path = Path(path).expanduser()
        self.name = f"csv:{path}"

    def info(self) -> SourceInfo:
        return SourceInfo(self.name, "vectors", "D", None, None, "your CSV file", self.path.is_file())

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset | None]:
        if resize is not None:
            raise DataError("--resize applies to images, but a CSV file holds vectors")
        _check_path(self.path, "csv")
        x, y, _ = read_csv(self.path)
        return from_array(x, y, origin=str(self.path), classes=None), None


class MatFile:
    """An ODDS benchmark file (``X``: features (N, D), ``y``: 1 for outliers) read with scipy."""

    def __init__(self, path: str) -> None:
        self.path = Path(path).expanduser()
        self.name = f"mat:{path}"

    def info(self) -> SourceInfo:
        return SourceInfo(self.name, "vectors", "D", None, None, "your ODDS .mat file", self.path.is_file())

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset | None]:
        if resize is not None:
            raise DataError("--resize applies to images, but a .mat file holds vectors")
        _check_path(self.path, "mat")
        x, y = read_mat(self.path)
        return from_array(x, y, origin=str(self.path)), None
