"""Names a package exports but imports only when first used (PEP 562), and objects named by where
they live (``"module:name"``), so importing a package or a registry stays cheap: listing genlab's
models or data sets on the command line needs no torch."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def lazy_attributes(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``name`` from the module ``where[name]`` on first access."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        setattr(sys.modules[package], name, value)  # later accesses find it without this hook
        return value

    return __getattr__


def imported(where: str) -> Any:
    """The object at ``where``, ``"module:name"`` (``name`` may be dotted: ``"module:Class.method"``), imported now."""
    module, _, name = where.partition(":")
    value: Any = importlib.import_module(module)
    for part in name.split("."):
        value = getattr(value, part)
    return value
