"""What every data source provides: a description and a way to load its examples."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from genlab.data.dataset import Dataset


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
        """Describe the data set without loading it."""
        ...

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset | None]:
        """Return (train, official test or None), images resized to ``resize`` x ``resize``."""
        ...
