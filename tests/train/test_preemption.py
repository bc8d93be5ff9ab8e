"""Training that survives what a cluster does to it: kills at any moment, preemption signals, step
checkpoints, damaged files, and one command (--auto-resume) for the first start and every restart."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from genlab.io import read_safetensors, read_safetensors_metadata
from genlab.run import Run
from genlab.train.trainer import REQUEUE_EXIT

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tests" / "fault_harness.py"
# 600 training examples of digits in batches of 64: 10 steps an epoch, 30 in all
TRAIN = ["train", "vae", "--data", "digits", "--limit", "600", "--binarize", "--epochs", "3", "--batch-size", "64",
         "--latent-dim", "4", "--hidden", "64,32", "--log-every", "5"]  # fmt: skip


def genlab(*args: str, quiet: bool = True) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "genlab", *(["-q"] if quiet else []), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)


def with_fault(fault: str, n: int, *args: str) -> subprocess.CompletedProcess:
    """``genlab ARGS`` killed by SIGKILL at the n-th occurrence of ``fault`` (see tests/fault_harness.py)."""
    command = [sys.executable, str(HARNESS), fault, str(n), "--", "-q", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)


def train(out: Path, *extra: str) -> list[str]:
    return [*TRAIN, "--out", str(out), *extra]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_weights(a: Path, b: Path) -> None:
    wa, wb = read_safetensors(a / "model.safetensors"), read_safetensors(b / "model.safetensors")
    assert wa.keys() == wb.keys()
    for name in wa:
        assert torch.equal(wa[name], wb[name]), f"{name} differs"


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The run uninterrupted (in a process of its own, as the runs it is compared with)."""
    out = tmp_path_factory.mktemp("preempt") / "reference"
    result = genlab(*train(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def finished(reference, tmp_path) -> Path:
    """A copy of the reference run, for tests that try to change it."""
    import shutil

    return Path(shutil.copytree(reference, tmp_path / "finished"))


def test_a_kill_before_the_first_checkpoint_then_auto_resume_starts_cleanly(tmp_path, reference):
    out = tmp_path / "run"
    killed = with_fault("update", 5, *train(out, "--auto-resume"))
    assert killed.returncode == -signal.SIGKILL
    assert (out / "config.json").is_file() and not (out / "trainer_state.safetensors").exists()
    again = genlab(*train(out, "--auto-resume"))
    assert again.returncode == 0, again.stderr
    assert_same_weights(reference, out)


@pytest.mark.parametrize("fault", ["publish", "half-write"])
def test_a_kill_while_a_checkpoint_is_written_leaves_the_last_one_loadable(tmp_path, reference, fault):
    out = tmp_path / "run"
    killed = with_fault(fault, 2, *train(out))  # while the checkpoint of epoch 2 is written
    assert killed.returncode == -signal.SIGKILL
    saved = json.loads(read_safetensors_metadata(out / "trainer_state.safetensors")["progress"])
    assert saved["epoch"] == 1  # the epoch-1 checkpoint, whole
    again = genlab(*train(out, "--auto-resume"))
    assert again.returncode == 0, again.stderr
    assert not list(out.glob(".*.tmp"))  # the dead writer's temp file is gone
    assert_same_weights(reference, out)


def test_a_kill_before_an_epochs_pictures_loses_none_of_them(tmp_path, reference):
    out = tmp_path / "run"
    killed = with_fault("snapshot", 2, *train(out))  # as epoch 2's pictures are drawn
    assert killed.returncode == -signal.SIGKILL
    again = genlab(*train(out, "--auto-resume"))
    assert again.returncode == 0, again.stderr
    lost = {name for name in snapshot(reference) if not name.startswith("tb/")} - set(snapshot(out))
    assert not lost  # every file of the undisturbed run, epoch 2's pictures too
    assert_same_weights(reference, out)


def test_step_checkpoints_bound_the_work_a_kill_costs(tmp_path, reference):
    out = tmp_path / "run"
    killed = with_fault("update", 8, *train(out, "--checkpoint-every-steps", "5"))  # step 8 of epoch 1
    assert killed.returncode == -signal.SIGKILL
    saved = json.loads(read_safetensors_metadata(out / "trainer_state.safetensors")["progress"])
    assert saved["step"] == 5 and saved["epoch"] == 0  # inside epoch 1, before its end
    again = genlab(*train(out, "--checkpoint-every-steps", "5", "--auto-resume"))
    assert again.returncode == 0, again.stderr
    assert_same_weights(reference, out)


def test_sigusr1_writes_a_checkpoint_and_exits_with_the_requeue_code(tmp_path, reference):
    out = tmp_path / "run"
    process = subprocess.Popen([sys.executable, "-m", "genlab", *train(out, "--epochs", "60")], stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (out / "trainer_state.safetensors").exists():  # the first epoch is done
        assert process.poll() is None and time.time() < deadline
        time.sleep(0.02)
    process.send_signal(signal.SIGUSR1)
    _, err = process.communicate(timeout=60)
    assert process.returncode == REQUEUE_EXIT, err
    summary = Run(out).read_json(Run(out).summary_path)
    saved = json.loads(read_safetensors_metadata(out / "trainer_state.safetensors")["progress"])
    assert summary["status"] == "preempted" and saved["step"] == summary["steps"]


def test_auto_resume_of_a_finished_run_exits_0_and_changes_nothing(finished, cli):
    before = snapshot(finished)
    result = cli(*train(finished, "--auto-resume"))
    assert result.code == 0, result.err
    assert "already complete" in result.err
    assert snapshot(finished) == before


def test_auto_resume_refuses_other_settings_and_names_them(finished, cli):
    before = snapshot(finished)
    result = cli(*[a if a != "4" else "6" for a in train(finished, "--auto-resume", "--lr", "0.01")])
    assert result.code == 2
    assert "latent_dim 4 in the run, 6 now" in result.err and "lr 0.001 in the run, 0.01 now" in result.err
    assert snapshot(finished) == before


def test_a_damaged_checkpoint_falls_back_to_the_previous_one(tmp_path, reference, cli):
    out = tmp_path / "run"
    stopped = cli(*train(out, "--max-steps", "25"))  # checkpoints at steps 10, 20 (epoch ends) and 25
    assert stopped.code == 0, stopped.err
    state = out / "trainer_state.safetensors"
    data = bytearray(state.read_bytes())
    data[-100] ^= 0xFF  # one flipped bit deep in the tensors: the header still reads
    state.write_bytes(bytes(data))
    again = genlab(*train(out, "--auto-resume"))
    assert again.returncode == 0, again.stderr
    assert "damaged" in again.stderr and "step 20" in again.stderr
    assert_same_weights(reference, out)


def test_a_checkpoint_that_cannot_be_written_stops_the_run_and_keeps_the_last_good_one(tmp_path, cli, monkeypatch):
    import errno

    import genlab.io

    out = tmp_path / "run"
    assert cli(*train(out, "--max-steps", "10")).code == 0  # the epoch-1 checkpoint
    before = (out / "trainer_state.safetensors").read_bytes()
    publish = genlab.io._publish

    def full_disk(tmp: Path, path: Path, previous: Path | None = None) -> None:
        if path.name.startswith("trainer_state"):
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))
        publish(tmp, path, previous)

    monkeypatch.setattr(genlab.io, "_publish", full_disk)
    result = cli(*train(out, "--auto-resume"))  # the epoch-2 checkpoint meets a full disk
    assert result.code == 2 and result.err.count("error:") == 1, result.err
    assert "No space left" in result.err and "last good checkpoint (step 10) is kept" in result.err
    assert (out / "trainer_state.safetensors").read_bytes() == before
    assert not list(out.glob(".*.tmp"))
