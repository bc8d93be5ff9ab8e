"""The attributes of a user's images, from a CSV: ``folder:PATH,attributes=FILE.csv``.

The first row names the columns. The column ``file`` holds each image's path relative to the
folder (``img001.png`` in a flat folder, ``1-faces/img001.png`` with class subfolders,
``test/1-faces/img001.png`` with ``train/``/``test/``); every other column is one attribute. A
value is a category (``dark``, ``light``) or a number (CelebA's ``-1``/``1``); each column's
distinct values become levels 0, 1, ... in sorted order (numeric order when every value is a
number), and their names travel with the data set. An empty cell means unknown (level -1).

Every image in a subfolder that the CSV mentions needs a row; a subfolder that the CSV does not
mention at all (the non-faces ``0-other/`` of a detection set, or a ``train/`` part without
attributes) gets unknown attributes, like the non-faces of the procedural ``faces-detection``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from genlab.errors import DataError

FILE_COLUMN = "file"
SHOWN = 3  # file names quoted in an error message


@dataclass(frozen=True)
class AttributeTable:
    """The parsed CSV: attribute names, each attribute's level names, and each file's level indices."""

    path: Path
    names: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]
    rows: dict[str, np.ndarray]  # normalized relative path -> (F,) int64 level indices, -1 unknown


def _normalized(path: str) -> str:
    """``./1-faces\\a.png`` -> ``1-faces/a.png``: the form paths are compared in."""
    return str(PurePosixPath(path.strip().replace("\\", "/")))


def _sorted_levels(values: set[str]) -> tuple[str, ...]:
    try:
        return tuple(sorted(values, key=lambda v: (float(v), v)))
    except ValueError:
        return tuple(sorted(values))


def _first(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN])
    return shown + (", ..." if len(names) > SHOWN else "")


def read_attributes(path: Path) -> AttributeTable:
    """Parse an attributes CSV; a DataError says what is wrong with it and how to fix it."""
    if not path.is_file():
        raise DataError(
            f"no attributes CSV at {path}; give its path after 'attributes=' (absolute, or relative to the folder)"
        )
    with path.open(newline="", encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))
    lines = [line for line in lines if any(cell.strip() for cell in line)]
    if not lines:
        raise DataError(f"{path} is empty; its first row names the columns: file,ATTRIBUTE,...")
    header = [cell.strip() for cell in lines[0]]
    if FILE_COLUMN not in header:
        raise DataError(
            f"{path} has no '{FILE_COLUMN}' column (its columns are {', '.join(header)}); the first row must name "
            f"the columns, with '{FILE_COLUMN}' holding each image's path relative to the folder"
        )
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise DataError(f"{path} names the column {duplicated[0]!r} twice; give every column its own name")
    if len(header) < 2:
        raise DataError(
            f"{path} has a '{FILE_COLUMN}' column but no attribute columns; add one column per attribute"
        )
    file_at = header.index(FILE_COLUMN)
    names = tuple(name for name in header if name != FILE_COLUMN)
    cells: dict[str, list[str]] = {}
    for number, line in enumerate(lines[1:], start=2):
        if len(line) != len(header):
            raise DataError(
                f"{path}, row {number}: {len(line)} cells but the header has {len(header)} columns"
            )
        if not line[file_at].strip():
            raise DataError(f"{path}, row {number}: the '{FILE_COLUMN}' cell is empty")
        file = _normalized(line[file_at])
        if file in cells:
            raise DataError(f"{path} has two rows for {file}; keep one row per image")
        cells[file] = [cell.strip() for i, cell in enumerate(line) if i != file_at]
    if not cells:
        raise DataError(f"{path} has a header but no rows; add one row per image")
    levels = tuple(_sorted_levels({row[j] for row in cells.values() if row[j]}) for j in range(len(names)))
    index = [{name: i for i, name in enumerate(column)} for column in levels]
    rows = {
        file: np.array([index[j][v] if v else -1 for j, v in enumerate(row)], dtype=np.int64)
        for file, row in cells.items()
    }
    return AttributeTable(path, names, levels, rows)


def attribute_factors(table: AttributeTable, files: list[str], folder: Path) -> np.ndarray:
    """The level indices (N, F) of the images ``files`` (paths relative to ``folder``).

    Raises a DataError when a row names no image of the folder, or an image of a subfolder the CSV
    mentions has no row; images of subfolders the CSV does not mention get -1 (unknown).
    """
    files = [_normalized(f) for f in files]
    present = set(files)
    strays = [f for f in table.rows if f not in present]
    if strays:
        by_name = {PurePosixPath(f).name: f for f in files}
        hint = (
            f" (did you mean {by_name[PurePosixPath(strays[0]).name]}?)"
            if PurePosixPath(strays[0]).name in by_name
            else ""
        )
        raise DataError(
            f"{len(strays)} rows of {table.path.name} name files that are not images in {folder}: {_first(strays)}{hint}; "
            "write each path relative to the folder, or remove those rows"
        )
    mentioned = {str(PurePosixPath(f).parent) for f in table.rows}
    missing = [f for f in files if f not in table.rows and str(PurePosixPath(f).parent) in mentioned]
    if missing:
        raise DataError(
            f"{len(missing)} images in {folder} have no row in {table.path.name}: {_first(missing)}; "
            "add a row for each (an empty cell means unknown), or move them out of the folder"
        )
    unknown = np.full(len(table.names), -1, dtype=np.int64)
    return (
        np.stack([table.rows.get(f, unknown) for f in files])
        if files
        else np.empty((0, len(table.names)), np.int64)
    )
