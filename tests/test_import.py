"""What importing genlab does to torch: flush-to-zero of denormal floats, set when torch is imported."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = "import genlab, torch; print((torch.tensor([1e-40]) * 1.0).item())"


@pytest.mark.parametrize(("setting", "flushed"), [(None, True), ("0", False)])
def test_denormals_flush_to_zero_once_torch_is_imported_after_genlab(setting, flushed):
    env = {k: v for k, v in os.environ.items() if k != "GENLAB_FLUSH_DENORMAL"}
    if setting is not None:
        env["GENLAB_FLUSH_DENORMAL"] = setting
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True).stdout
    assert (float(out) == 0.0) is flushed
