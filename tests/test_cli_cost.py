"""Commands cost in proportion to their work: help and listings answer without importing torch."""

from __future__ import annotations

import subprocess
import sys

import pytest

HELP = [
    ["--help"], ["train", "--help"], ["train", "vae", "--help"], ["train", "progan", "--help"], ["evaluate", "--help"],
    ["sample", "--help"], ["traverse", "--help"], ["interpolate", "--help"], ["report", "--help"], ["detect", "--help"],
    ["detect", "fit", "--help"], ["bias", "discover", "--help"], ["datasets", "--help"],
]  # fmt: skip


def _heavy_modules_after(args: list[str]) -> str:
    """Run ``genlab ARGS`` in a fresh interpreter; which of torch, Fabric and scikit-learn it imported."""
    code = (
        "import sys\n"
        f"sys.argv = ['genlab', *{args!r}]\n"
        "from genlab.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('torch', 'lightning_fabric', 'sklearn') if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("args", HELP, ids=" ".join)
def test_help_imports_no_torch(args):
    assert _heavy_modules_after(args) == "[]"


def test_the_check_sees_torch_when_a_command_imports_it():
    # the same check on a command that needs torch, so the test above cannot pass for a wrong reason
    assert "torch" in _heavy_modules_after(["sample", "/nonexistent-run", "--out", "x.png"])
