"""The one registry of data sets: built-in names and prefixes (``folder:PATH``, ``npz:PATH``, ``csv:PATH``, ``mat:PATH``, ``faces:OPTIONS``).

The registry imports no torch. An entry may name its source, or its factory, by where it lives
(``"module:name"``), imported when the data set is first asked for; and every built-in describes
itself without torch, so ``genlab datasets`` lists them all without it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from genlab.data.source import Source, SourceInfo
from genlab.errors import DataError
from genlab.lazy import imported

log = logging.getLogger(__name__)

DEFAULT_DATASET = "fashion-mnist"
FALLBACK_DATASET = "digits"

# a source, or where it lives: "module:NAME", a source or a class made without arguments
BUILTINS: dict[str, Source | str] = {}
# a factory of PREFIX:REST's source from REST, or where it lives: "module:NAME" ("module:Class.method")
USER_PREFIXES: dict[str, Callable[[str], Source] | str] = {}
PREFIX_USAGE: dict[str, str] = {}


def register_builtin(source: Source | str, name: str | None = None) -> None:
    """Make a built-in data set available under ``source.name``; or ``source`` says where it lives,
    ``"module:NAME"`` (a source, or a class made without arguments, imported when first asked
    for), and ``name`` gives its name."""
    if isinstance(source, str):
        if name is None:
            raise TypeError(f"register_builtin('{source}') needs the data set's name")
        BUILTINS[name] = source
    else:
        BUILTINS[name or source.name] = source


def register_prefix(prefix: str, factory: Callable[[str], Source] | str, usage: str | None = None) -> None:
    """Make ``PREFIX:REST`` load data with ``factory(REST)``: a user's path, or a procedural data
    set's options; ``factory`` may say where it lives (``"module:Class.from_options"``, imported
    when first used); ``usage`` shows the form (``PREFIX:PATH`` unless given)."""
    USER_PREFIXES[prefix] = factory
    PREFIX_USAGE[prefix] = usage or f"{prefix}:PATH"


def _classes_of(name: str) -> Callable[[str], Source]:
    """The factory of ``NAME:class=N``: some classes of the labeled built-in data set ``NAME``."""
    return lambda text: imported("genlab.data.paired:ClassSubset")(get_source(name), text)


register_builtin("genlab.data.fashion_mnist:FashionMNIST", "fashion-mnist")
register_builtin("genlab.data.digits:Digits", "digits")
register_builtin("genlab.data.shapes:Shapes", "shapes")
register_builtin("genlab.data.faces:Faces", "faces")
register_builtin("genlab.data.faces:FacesDetection", "faces-detection")
register_builtin("genlab.data.toy:TOY1D", "toy1d")
register_builtin("genlab.data.toy:TOY2D", "toy2d")
register_builtin("genlab.data.toy:SWISSROLL", "swissroll")
register_prefix("folder", "genlab.data.folder:ImageFolder")
register_prefix("npz", "genlab.data.npz:NpzFile")
register_prefix("shapes", "genlab.data.shapes:Shapes.from_options", "shapes:OPTIONS")
register_prefix("faces", "genlab.data.faces:Faces.from_options", "faces:OPTIONS")
register_prefix("faces-detection", "genlab.data.faces:FacesDetection.from_options", "faces-detection:OPTIONS")
register_prefix("csv", "genlab.data.tabular:CsvFile")
register_prefix("mat", "genlab.data.tabular:MatFile")
register_builtin("genlab.data.faces:FaceParts", "faces-parts")
register_prefix("faces-parts", "genlab.data.faces:FaceParts.from_options", "faces-parts:OPTIONS")
register_prefix("faces-flip", "genlab.data.faces:FaceFlips.from_options", "faces-flip:flip=FACTOR,FROM,TO")
register_prefix("edges", "genlab.data.paired:Edges.from_set", "edges:SET")
register_prefix("gray", "genlab.data.paired:Gray.from_set", "gray:SET")
register_prefix("aligned", "genlab.data.paired:AlignedFolder")
register_prefix("unaligned", "genlab.data.paired:UnalignedFolder")
register_prefix("speech", "genlab.data.speech:Speech", "speech:voice=VOICE or speech:PATH")
register_prefix("fashion-mnist", _classes_of("fashion-mnist"), "fashion-mnist:class=N")
register_prefix("digits", _classes_of("digits"), "digits:class=N")

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
        factory = USER_PREFIXES[prefix]
        if isinstance(factory, str):
            factory = USER_PREFIXES[prefix] = imported(factory)
        return factory(rest)
    if name in BUILTINS:
        source = BUILTINS[name]
        if isinstance(source, str):
            made = imported(source)
            source = BUILTINS[name] = made() if isinstance(made, type) else made
        return source
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
    """A description of every built-in data set, present or not (without torch)."""
    return [get_source(name).info() for name in BUILTINS]


def default_dataset() -> str:
    """The data set used when none is named: Fashion-MNIST, or digits when it is not installed."""
    info = get_source(DEFAULT_DATASET).info()
    if info.present:
        return DEFAULT_DATASET
    log.warning("fashion-mnist is not installed, so using '%s' instead; %s", FALLBACK_DATASET, info.how_to_get)
    return FALLBACK_DATASET
