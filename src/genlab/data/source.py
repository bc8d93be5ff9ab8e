"""What every data source provides: a description and a way to load its examples.

A description costs no torch (``genlab datasets`` lists every source without it); loading does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from genlab.errors import DataError

if TYPE_CHECKING:
    import torch

    from genlab.data.dataset import Dataset

PARTS = ("train", "test")  # the parts a source loads: its training pool and its official test split


@dataclass(frozen=True)
class SourceInfo:
    """A row of ``genlab datasets``."""

    name: str
    kind: str  # "images" or "vectors"
    shape: str  # one example, e.g. "1x28x28"
    n_train: int | None
    n_test: int | None
    source: str
    present: bool
    how_to_get: str = ""


class Source(Protocol):
    """A named data set that loads its own train and (when it has one) official test split."""

    name: str

    def info(self) -> SourceInfo:
        """Describe the data set without loading it, and without torch (``genlab datasets`` lists them all)."""
        ...

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset | None]:
        """Return (train, official test or None), images resized to ``resize`` x ``resize``."""
        ...


@runtime_checkable
class IndexedSource(Source, Protocol):
    """A source that loads any of its examples without the others, so that a few cost a few.

    The procedural data sets render each example from its position, so a run with ``--limit`` or a
    command that shows a few test images renders only those. ``load`` gives the same examples as
    ``load_at`` over every position.
    """

    def sizes(self) -> tuple[int, int]:
        """How many examples the training pool and the official test split hold."""
        ...

    def load_at(self, part: str, index: torch.Tensor, resize: int | None = None) -> Dataset:
        """The examples at positions ``index`` (int64, any order) of ``part`` (``"train"``: the
        training pool, or ``"test"``), exactly as ``load(resize)`` holds them there."""
        ...


def part_number(part: str) -> int:
    """0 for the training pool, 1 for the test split; a DataError for anything else."""
    if part not in PARTS:
        raise DataError(f"a data source has the parts {' and '.join(PARTS)}, not '{part}'")
    return PARTS.index(part)


def load_every(source: IndexedSource, resize: int | None = None) -> tuple[Dataset, Dataset]:
    """``source.load(resize)`` of an indexed source: every example of its training pool and test split."""
    import torch

    n_train, n_test = source.sizes()
    return source.load_at("train", torch.arange(n_train), resize), source.load_at("test", torch.arange(n_test), resize)
