"""The one registry of data sets: built-in names and prefixes (``folder:PATH``, ``npz:PATH``, ``csv:PATH``, ``mat:PATH``, ``faces:OPTIONS``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from genlab.data.digits import Digits
from genlab.data.faces import Faces, FacesDetection
from genlab.data.fashion_mnist import FashionMNIST
from genlab.data.folder import ImageFolder
from genlab.data.npz import NpzFile
from genlab.data.paired import (
    AlignedFolder,
    Edges,
    FaceFlips,
    FaceParts,
    Gray,
    UnalignedFolder,
    class_subset_prefix,
    derived_prefix,
)
from genlab.data.shapes import Shapes
from genlab.data.source import Source, SourceInfo
from genlab.data.tabular import CsvFile, MatFile
from genlab.data.toy import TOYS
from genlab.errors import DataError

log = logging.getLogger(__name__)

DEFAULT_DATASET = "fashion-mnist"
FALLBACK_DATASET = "digits"

BUILTINS: dict[str, Source] = {}
USER_PREFIXES: dict[str, Callable[[str], Source]] = {}
PREFIX_USAGE: dict[str, str] = {}


def register_builtin(source: Source) -> None:
    """Make a built-in data set available under ``source.name``."""
    BUILTINS[source.name] = source


def register_prefix(prefix: str, factory: Callable[[str], Source], usage: str | None = None) -> None:
    """Make ``PREFIX:REST`` load data with ``factory(REST)``: a user's path, or a procedural data
    set's options; ``usage`` shows the form (``PREFIX:PATH`` unless given)."""
    USER_PREFIXES[prefix] = factory
    PREFIX_USAGE[prefix] = usage or f"{prefix}:PATH"


register_builtin(FashionMNIST())
register_builtin(Digits())
register_builtin(Shapes())
register_builtin(Faces())
register_builtin(FacesDetection())
for _toy in TOYS:
    register_builtin(_toy)
register_prefix("folder", ImageFolder)
register_prefix("npz", NpzFile)
register_prefix("shapes", Shapes.from_options, "shapes:OPTIONS")
register_prefix("faces", Faces.from_options, "faces:OPTIONS")
register_prefix("faces-detection", FacesDetection.from_options, "faces-detection:OPTIONS")
register_prefix("csv", CsvFile)
register_prefix("mat", MatFile)
register_builtin(FaceParts())
register_prefix("faces-parts", FaceParts.from_options, "faces-parts:OPTIONS")
register_prefix("faces-flip", FaceFlips.from_options, "faces-flip:flip=FACTOR,FROM,TO")
register_prefix("edges", derived_prefix(Edges), "edges:SET")
register_prefix("gray", derived_prefix(Gray), "gray:SET")
register_prefix("aligned", AlignedFolder)
register_prefix("unaligned", UnalignedFolder)
register_prefix("fashion-mnist", class_subset_prefix(BUILTINS["fashion-mnist"]), "fashion-mnist:class=N")
register_prefix("digits", class_subset_prefix(BUILTINS["digits"]), "digits:class=N")

# File endings that name their prefix, for commands that accept a bare path (``genlab detect``).
SUFFIX_PREFIXES = {".csv": "csv", ".mat": "mat", ".npz": "npz"}


def valid_names() -> str:
    prefixes = ", ".join(PREFIX_USAGE[p] for p in USER_PREFIXES)
    return f"{', '.join(BUILTINS)}, or {prefixes}"


def get_source(name: str) -> Source:
    """The data source called ``name``; an unknown name raises a DataError listing the choices."""
    prefix, sep, rest = name.partition(":")
    if sep and prefix in USER_PREFIXES:
        if not rest:
            raise DataError(f"'{name}' says nothing after the colon; write {PREFIX_USAGE[prefix]}")
        return USER_PREFIXES[prefix](rest)
    if name in BUILTINS:
        return BUILTINS[name]
    raise DataError(f"unknown data set '{name}'; choose one of {valid_names()} (see `genlab datasets`)")


def source_name(text: str) -> str:
    """A registry name for ``text``: a name or ``PREFIX:PATH`` as it is; a bare path by its ending.

    ``data.csv`` becomes ``csv:data.csv``, ``odds/wine.mat`` becomes ``mat:odds/wine.mat`` and a
    folder becomes ``folder:PATH``; anything else is returned unchanged (and fails with the usual
    list of choices if it names nothing).
    """
    prefix, sep, _ = text.partition(":")
    if (sep and prefix in USER_PREFIXES) or text in BUILTINS:
        return text
    path = Path(text).expanduser()
    suffix = path.suffix.lower()
    if suffix in SUFFIX_PREFIXES:
        return f"{SUFFIX_PREFIXES[suffix]}:{text}"
    if path.is_dir():
        return f"folder:{text}"
    return text


def list_datasets() -> list[SourceInfo]:
    """A description of every built-in data set, present or not."""
    return [source.info() for source in BUILTINS.values()]


def default_dataset() -> str:
    """The data set used when none is named: Fashion-MNIST, or digits when it is not installed."""
    info = BUILTINS[DEFAULT_DATASET].info()
    if info.present:
        return DEFAULT_DATASET
    log.warning("fashion-mnist is not installed, so using '%s' instead; %s", FALLBACK_DATASET, info.how_to_get)
    return FALLBACK_DATASET
