"""Every import and every dotted ``genlab.`` name the README and docs show still resolves."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FROM_IMPORT = re.compile(r"^\s*from (genlab[\w.]*) import \(?([\w, ]+?)(?: as \w+)?\)?$", re.MULTILINE)
DOTTED = re.compile(r"`(genlab(?:\.\w+)+)")


def _shown() -> list[tuple[str, str]]:
    """(doc, dotted name) for each name a doc imports from genlab or names in backticks."""
    found = set()
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for module, names in FROM_IMPORT.findall(text):
            found |= {(doc.name, f"{module}.{name.strip()}") for name in names.split(",") if name.strip()}
        found |= {(doc.name, name) for name in DOTTED.findall(text)}
    return sorted(found)


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            value = getattr(value, attribute)
        return value
    raise ModuleNotFoundError(dotted)


def test_the_docs_show_names():
    assert len(_shown()) > 40


@pytest.mark.parametrize("doc, dotted", _shown())
def test_a_name_shown_in_the_docs_resolves(doc, dotted):
    try:
        _resolve(dotted)
    except (ImportError, AttributeError) as e:
        pytest.fail(f"{doc} shows {dotted}, which does not resolve: {e}")
