import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
import torch

from genlab.api import resume_run, train_run
from genlab.data import DataSpec
from genlab.errors import TrainingDiverged
from genlab.io import read_safetensors, read_safetensors_metadata
from genlab.models import MODELS, VAE, ModelSpec, VAEConfig
from genlab.run import Run
from genlab.train import TrainConfig
from genlab.train.logger import read_metrics
from genlab.train.trainer import epoch_order

SMALL = {"latent_dim": 4, "hidden": (64, 32)}


def weights(run_path: Path) -> dict[str, torch.Tensor]:
    return read_safetensors(Path(run_path) / "model.safetensors")


def assert_same_weights(a: Path, b: Path) -> None:
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    for name in wa:
        assert torch.equal(wa[name], wb[name]), f"{name} differs"


def metric_rows(run_path: Path) -> list[dict[str, str]]:
    return [{k: v for k, v in row.items() if k != "examples_per_s"} for row in read_metrics(Path(run_path) / "metrics.csv")]


def test_elbo_improves_on_digits(vae_run):
    val = [row for row in read_metrics(vae_run / "metrics.csv") if row["split"] == "val"]
    first, last = float(val[0]["loss"]), float(val[-1]["loss"])
    assert len(val) == 15
    assert last < first - 3.0, f"negative ELBO went from {first:.2f} to {last:.2f}"
    assert float(val[-1]["kl"]) > 1.0  # the latent code is in use, not collapsed


def test_resume_after_max_steps_matches_uninterrupted(tmp_path):
    data, config = DataSpec("digits", binarize=True), TrainConfig(epochs=3, batch_size=64, log_every=5)
    train_run("vae", data, config, str(tmp_path / "a"), SMALL)
    stopped = TrainConfig(epochs=3, batch_size=64, log_every=5, max_steps=30)  # stops inside epoch 2
    _, first = train_run("vae", data, stopped, str(tmp_path / "b"), SMALL)
    assert first.progress.step == 30 and first.progress.batch > 0
    _, second = resume_run(str(tmp_path / "b"), max_steps=10_000)
    assert second.status == "completed" and second.progress.epoch == 3
    assert_same_weights(tmp_path / "a", tmp_path / "b")
    assert metric_rows(tmp_path / "a") == metric_rows(tmp_path / "b")


def test_resume_matches_for_conv_models_on_color_images(tmp_path):
    # color images exercise the channels-last path and the optimizer state of conv weights
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "c.npz", x=rng.integers(0, 256, (300, 16, 16, 3), dtype=np.uint8))
    data = DataSpec(f"npz:{tmp_path / 'c.npz'}")
    options = {"net": "conv", "latent_dim": 4, "hidden": (32,), "channels": (8, 16)}
    train_run("vae", data, TrainConfig(epochs=2, batch_size=32), str(tmp_path / "a"), options)
    train_run("vae", data, TrainConfig(epochs=2, batch_size=32, max_steps=11), str(tmp_path / "b"), options)
    resume_run(str(tmp_path / "b"), max_steps=10_000)
    assert_same_weights(tmp_path / "a", tmp_path / "b")


@pytest.mark.parametrize("model, options", [("vae", SMALL), ("gan", {"latent_dim": 4, "hidden": (16,)})])
def test_max_time_stops_with_a_checkpoint_and_resume_finishes_the_same_run(tmp_path, model, options):
    # the single-optimizer path (vae) and the multi-optimizer path (gan) check the budget differently
    data = DataSpec("digits")
    train_run(model, data, TrainConfig(epochs=1, batch_size=256), str(tmp_path / "a"), options)
    budget = TrainConfig(epochs=1, batch_size=256, max_time=1e-9)  # over before the first step ends
    run, first = train_run(model, data, budget, str(tmp_path / "b"), options)
    assert first.status == "completed" and first.summary["stopped_by_max_time"]
    assert first.progress.step == 1 and run.state_path.is_file()
    _, second = resume_run(str(tmp_path / "b"), max_time=1e9)
    assert not second.summary["stopped_by_max_time"] and second.progress.epoch == 1
    assert_same_weights(tmp_path / "a", tmp_path / "b")


def test_resume_can_extend_epochs(tmp_path):
    data = DataSpec("digits")
    train_run("vae", data, TrainConfig(epochs=2, batch_size=64), str(tmp_path / "a"), SMALL)
    train_run("vae", data, TrainConfig(epochs=1, batch_size=64), str(tmp_path / "b"), SMALL)
    resume_run(str(tmp_path / "b"), epochs=2)
    assert_same_weights(tmp_path / "a", tmp_path / "b")
    assert Run(tmp_path / "b").load_config().train.epochs == 2


def _genlab(*args: str) -> list[str]:
    return [sys.executable, "-m", "genlab", *args]


TRAIN_ARGS = ["train", "vae", "--data", "digits", "--epochs", "25", "--batch-size", "16", "--latent-dim", "4", "-q"]


def _start_and_wait_for_step(out: Path, step: int = 100) -> subprocess.Popen:
    """Start TRAIN_ARGS and return once metrics.csv has a train row at ``step``.

    Step 100 is the first row of epoch 2 (91 steps an epoch) after the epoch-1 checkpoint: stopped
    there, the run is mid-epoch with work done since its last checkpoint.
    """
    args = _genlab(*TRAIN_ARGS[:2], *TRAIN_ARGS[2:-1], "--out", str(out))
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    metrics = out / "metrics.csv"
    while not any(int(row["step"]) >= step for row in read_metrics(metrics)):
        assert process.poll() is None, process.communicate()[1]
        assert time.time() < deadline, f"no metrics row at step {step} appeared"
        time.sleep(0.01)
    return process


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ref") / "run"
    result = subprocess.run(_genlab(*TRAIN_ARGS[:-1], "--out", str(out)), capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr
    return out


def test_killed_run_resumes_to_identical_weights(tmp_path, uninterrupted):
    out = tmp_path / "killed"
    process = _start_and_wait_for_step(out)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    summary = Run(out).read_json(Run(out).summary_path)
    assert summary is None  # it really died before finishing
    result = subprocess.run(_genlab("train", "vae", "--out", str(out), "--resume"), capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr
    assert_same_weights(uninterrupted, out)
    assert metric_rows(uninterrupted) == metric_rows(out)


def test_ctrl_c_saves_a_checkpoint_mid_epoch_and_resumes_exactly(tmp_path, uninterrupted):
    out = tmp_path / "interrupted"
    process = _start_and_wait_for_step(out)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "--resume" in err
    summary = Run(out).read_json(Run(out).summary_path)
    assert summary["status"] == "interrupted"
    # the checkpoint holds the step the run stopped at, not the last epoch's end
    saved = json.loads(read_safetensors_metadata(Run(out).state_path)["progress"])
    assert saved["step"] == summary["steps"] and saved["batch"] > 0
    result = subprocess.run(_genlab("train", "vae", "--out", str(out), "--resume"), capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr
    assert_same_weights(uninterrupted, out)


class _NaNAfter(VAE):
    """A VAE whose loss turns NaN at its 40th training step (epoch 2: digits has 1,455 training examples, 23 steps of 64)."""

    calls = 0

    def forward(self, x, y=None):
        terms = super().forward(x, y)
        if self.training:
            type(self).calls += 1
            if type(self).calls >= 40:
                terms["loss"] = terms["loss"] * float("nan")
        return terms


def test_nan_guard_stops_with_a_clear_message_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setitem(MODELS, "nan-vae", ModelSpec("nan-vae", _NaNAfter, VAEConfig, "test model"))
    _NaNAfter.calls = 0
    with pytest.raises(TrainingDiverged) as error:
        train_run("nan-vae", DataSpec("digits"), TrainConfig(epochs=5, batch_size=64), str(tmp_path / "r"), SMALL)
    message = str(error.value)
    assert "non-finite at step 40" in message and "step 23" in message and "--resume" in message
    run = Run(tmp_path / "r")
    kept = weights(run.path)
    assert all(torch.isfinite(v).all() for v in kept.values())
    model = run.load_model()  # the kept checkpoint loads and works
    assert torch.isfinite(model.reconstruct(torch.rand(2, 1, 8, 8))).all()


class _Recording(VAE):
    """A VAE that remembers the loss terms of each training step."""

    steps: ClassVar[list[dict[str, float]]] = []

    def forward(self, x, y=None):
        terms = super().forward(x, y)
        if self.training:
            type(self).steps.append({k: float(v.detach()) for k, v in terms.items()})
        return terms


def test_train_rows_are_the_means_of_their_steps(tmp_path, monkeypatch):
    # the sums are kept on the device between rows; each row must still average exactly its own steps
    monkeypatch.setitem(MODELS, "recording-vae", ModelSpec("recording-vae", _Recording, VAEConfig, "test model"))
    _Recording.steps = []
    config = TrainConfig(epochs=2, batch_size=64, log_every=7)  # a row every 7 steps and at the end of each 23-step epoch
    train_run("recording-vae", DataSpec("digits"), config, str(tmp_path / "r"), SMALL)
    rows = [row for row in read_metrics(tmp_path / "r" / "metrics.csv") if row["split"] == "train"]
    assert [int(row["step"]) for row in rows] == [7, 14, 21, 23, 28, 35, 42, 46]
    previous = 0
    for row in rows:
        steps = _Recording.steps[previous : int(row["step"])]
        previous = int(row["step"])
        for name in ("loss", "recon", "kl"):
            assert float(row[name]) == pytest.approx(np.mean([s[name] for s in steps]), rel=1e-5)


def test_existing_run_is_never_overwritten(tmp_path, cli):
    out = tmp_path / "r"
    args = ["train", "vae", "--data", "digits", "--max-steps", "3", "--latent-dim", "2", "--out", out]
    assert cli(*args).code == 0
    before = (out / "model.safetensors").read_bytes()
    result = cli(*args)
    assert result.code == 2 and "already holds a run" in result.err and "--resume" in result.err
    assert (out / "model.safetensors").read_bytes() == before
    assert cli(*args, "--overwrite").code == 0


def test_overwrite_refuses_folders_that_are_not_runs(tmp_path, cli):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    result = cli("train", "vae", "--data", "digits", "--max-steps", "1", "--out", tmp_path / "mine", "--overwrite")
    assert result.code == 2 and "not a genlab run" in result.err
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"


def test_each_process_gets_its_own_equal_share_of_the_epoch():
    whole = epoch_order(11, seed=3, epoch=1, rank=0, world=1)
    assert sorted(whole.tolist()) == list(range(11))
    shares = [epoch_order(11, seed=3, epoch=1, rank=rank, world=2).tolist() for rank in (0, 1)]
    assert len(shares[0]) == len(shares[1]) == 5  # equal sizes keep the processes' steps in lockstep
    assert not set(shares[0]) & set(shares[1])
    assert set(shares[0] + shares[1]) <= set(range(11))
    assert epoch_order(11, seed=3, epoch=2, rank=0, world=1).tolist() != whole.tolist()  # reshuffled per epoch


DDP_COMMON = ["train", "vae", "--data", "digits", "--epochs", "2", "--latent-dim", "4", "--accelerator", "cpu",
              "--strategy", "ddp"]  # fmt: skip
DDP_ARGS = [*DDP_COMMON, "--devices", "2"]


@pytest.fixture(scope="module")
def ddp_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ddp") / "ddp"
    result = subprocess.run(_genlab(*DDP_ARGS, "--out", str(out), "--json"), capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, result.stderr
    return out


def test_ddp_two_cpu_processes_hold_identical_weights(ddp_run):
    summary = Run(ddp_run).read_json(Run(ddp_run).summary_path)
    assert summary["world_size"] == 2
    assert len(summary["replica_checksums"]) == 2
    assert summary["replica_checksums"][0] == summary["replica_checksums"][1]
    # 2 epochs of steps over half of the 1,455 training examples each (the shares: the test above)
    assert summary["steps"] == 2 * ((1455 // 2 + 127) // 128)
    assert Run(ddp_run).load_model() is not None


def test_ddp_run_killed_and_auto_resumed_ends_identical_on_both_ranks(tmp_path, ddp_run):
    out = tmp_path / "ddp"
    command = _genlab(*DDP_ARGS, "--out", str(out), "--checkpoint-every-steps", "4", "--auto-resume")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 300
    while not (out / "trainer_state.safetensors").exists():  # step 4 of the 6 of epoch 1
        assert process.poll() is None and time.time() < deadline, process.communicate()[1]
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)  # both processes at once, as a node failure would
    process.wait(timeout=30)
    assert Run(out).read_json(Run(out).summary_path) is None
    again = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    assert again.returncode == 0, again.stderr
    summary = Run(out).read_json(Run(out).summary_path)
    assert summary["replica_checksums"][0] == summary["replica_checksums"][1]
    assert_same_weights(ddp_run, out)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _torchrun_nodes(out: Path, port: int, *extra: str) -> list[subprocess.Popen]:
    """Two torchrun "nodes" on this machine (one process each, gloo), as a 2-node SLURM job starts them."""
    torchrun = Path(sys.executable).with_name("torchrun")
    args = [*DDP_COMMON, "--devices", "1", "--num-nodes", "2"]
    return [
        subprocess.Popen(
            [str(torchrun), "--nnodes", "2", "--nproc-per-node", "1", "--node-rank", str(rank), "--master-addr",
             "127.0.0.1", "--master-port", str(port), "-m", "genlab", *args, "--out", str(out), *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )
        for rank in (0, 1)
    ]  # fmt: skip


@pytest.mark.slow
def test_two_node_torchrun_killed_and_resumed_matches_the_two_process_run(tmp_path, ddp_run):
    out = tmp_path / "nodes"
    nodes = _torchrun_nodes(out, _free_port(), "--checkpoint-every-steps", "4", "--auto-resume")
    deadline = time.time() + 300
    while not (out / "trainer_state.safetensors").exists():
        assert all(n.poll() is None for n in nodes) and time.time() < deadline, [n.communicate()[1] for n in nodes]
        time.sleep(0.01)
    for node in nodes:
        os.killpg(node.pid, signal.SIGKILL)
        node.wait(timeout=30)
    nodes = _torchrun_nodes(out, _free_port(), "--checkpoint-every-steps", "4", "--auto-resume")
    for node in nodes:
        _, err = node.communicate(timeout=600)
        assert node.returncode == 0, err
    summary = Run(out).read_json(Run(out).summary_path)
    assert summary["world_size"] == 2 and summary["replica_checksums"][0] == summary["replica_checksums"][1]
    assert_same_weights(ddp_run, out)
