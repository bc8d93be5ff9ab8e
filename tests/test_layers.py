"""The layers of docs/development.md are checked by import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.is_file(), reason="import-linter is not installed (pip install -e '.[dev]')")


def _lint(src: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT), "--no-logo", "--no-cache", str(ROOT / "pyproject.toml")],
        capture_output=True, text=True, env=env, cwd=src, check=False, timeout=120,
    )  # fmt: skip


def test_the_package_keeps_its_layers():
    result = _lint(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    "module, up_import",
    [
        ("models/config.py", "from genlab.train.trainer import Trainer"),  # a model importing the trainer
        ("viz/grid.py", "from genlab.run import Run"),  # pictures reading run folders
        ("evaluate/likelihood.py", "from genlab.report import write_report"),  # metrics writing HTML
        ("bias/discover.py", "from genlab.detect.scores import SCORES"),  # one application importing another
    ],
)
def test_an_import_up_a_layer_breaks_the_build(tmp_path, module, up_import):
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "genlab", src / "genlab", ignore=shutil.ignore_patterns("__pycache__"))
    target = src / "genlab" / module
    target.write_text(target.read_text() + f"\n{up_import}  # noqa\n")
    result = _lint(src)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and f"genlab.{module.removesuffix('.py').replace('/', '.')}" in result.stdout
