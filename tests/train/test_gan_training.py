"""GANs in the shared trainer: exact resume with two optimizers, the NaN guard, convergence on the
1-D toy, conditional sampling from a run, DDP with two processes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from genlab.api import resume_run, sample_run, train_run
from genlab.data import DataSpec
from genlab.errors import ConfigError, TrainingDiverged
from genlab.evaluate import evaluate_run
from genlab.io import read_safetensors, read_safetensors_metadata
from genlab.models import GAN, MODELS, GANConfig, ModelSpec
from genlab.run import Run
from genlab.train import TrainConfig
from genlab.train.logger import read_metrics

TOY = {"latent_dim": 4, "hidden": (32, 32)}

pytestmark = pytest.mark.usefixtures("one_thread")  # tiny models: see conftest.one_thread


def weights(path: Path) -> dict[str, torch.Tensor]:
    return read_safetensors(Path(path) / "model.safetensors")


def assert_same_weights(a: Path, b: Path) -> None:
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    for name in wa:
        assert torch.equal(wa[name], wb[name]), f"{name} differs"


def rows(path: Path) -> list[dict[str, str]]:
    return [{k: v for k, v in r.items() if k != "examples_per_s"} for r in read_metrics(Path(path) / "metrics.csv")]


def test_gan_resume_matches_the_uninterrupted_run_with_both_optimizers_and_ema(tmp_path):
    data = DataSpec("toy2d", limit=1000)
    options = {**TOY, "loss": "wgan-gp", "d_steps": 2, "ema": 0.9, "lr_g": 5e-4, "lr_d": 1e-3}
    config = TrainConfig(epochs=3, batch_size=64, log_every=4)
    train_run("gan", data, config, str(tmp_path / "a"), options)
    _, first = train_run("gan", data, TrainConfig(epochs=3, batch_size=64, log_every=4, max_steps=20), str(tmp_path / "b"), options)
    assert first.progress.step == 20 and first.progress.batch > 0  # stopped inside epoch 2
    _, second = resume_run(str(tmp_path / "b"), max_steps=10_000)
    assert second.status == "completed"
    assert_same_weights(tmp_path / "a", tmp_path / "b")
    assert rows(tmp_path / "a") == rows(tmp_path / "b")
    meta = json.loads(read_safetensors_metadata(tmp_path / "a" / "trainer_state.safetensors")["optimizers"])
    assert set(meta) == {"generator", "discriminator"}
    assert [g["lr"] for g in meta["generator"]["param_groups"]] == [5e-4]
    assert [g["lr"] for g in meta["discriminator"]["param_groups"]] == [1e-3]
    w = weights(tmp_path / "a")
    ema = {k for k in w if k.startswith("generator_ema.")}
    assert ema and any(not torch.equal(w[k], w[k.replace("generator_ema.", "generator.")]) for k in ema)


def test_conditional_dcgan_resumes_exactly_on_images(tmp_path):
    # images exercise channels-last, batch norm buffers and the conv players
    data = DataSpec("digits", limit=256)
    options = {"latent_dim": 4, "channels": (8,), "conditional": True, "spectral_norm": True}
    train_run("dcgan", data, TrainConfig(epochs=2, batch_size=32), str(tmp_path / "a"), options)
    train_run("dcgan", data, TrainConfig(epochs=2, batch_size=32, max_steps=11), str(tmp_path / "b"), options)
    resume_run(str(tmp_path / "b"), max_steps=10_000)
    assert_same_weights(tmp_path / "a", tmp_path / "b")
    run = Run(tmp_path / "a")
    assert run.load_config().model_config.num_classes == 10
    assert (run.path / "latent_walk.gif").is_file() and (run.path / "training.gif").is_file()
    images = sample_run(str(run.path), n=4, label=3)
    assert images.shape == (4, 1, 8, 8)


def test_conditional_sampling_errors(tmp_path, cli):
    options = {"latent_dim": 2, "channels": (4,), "conditional": True}
    train_run("dcgan", DataSpec("digits", limit=64), TrainConfig(epochs=1, batch_size=32), str(tmp_path / "c"), options)
    with pytest.raises(ConfigError, match="pass a class label from 0 to 9"):
        sample_run(str(tmp_path / "c"), n=2)
    result = cli("sample", tmp_path / "c", "--label", "10", "--out", tmp_path / "x.png")
    assert result.code == 2 and "label 10 is out of range" in result.err
    assert cli("sample", tmp_path / "c", "--label", "9", "--out", tmp_path / "x.png").code == 0


def test_label_on_a_model_without_labels_is_an_error(vae_run):
    with pytest.raises(ConfigError, match="--label does not apply"):
        sample_run(str(vae_run), n=2, label=1)


class _NaNGAN(GAN):
    """A GAN whose discriminator loss turns NaN at its 30th training step."""

    calls = 0

    def discriminator_terms(self, d, real, fake, y):
        loss, terms = super().discriminator_terms(d, real, fake, y)
        type(self).calls += 1
        return (loss * float("nan") if type(self).calls >= 30 else loss), terms


def test_nan_guard_stops_a_gan_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setitem(MODELS, "nan-gan", ModelSpec("nan-gan", _NaNGAN, GANConfig, "test model"))
    _NaNGAN.calls = 0
    with pytest.raises(TrainingDiverged) as error:  # 900 training points: 15 steps of 64 per epoch
        train_run("nan-gan", DataSpec("toy1d", limit=900), TrainConfig(epochs=5, batch_size=64), str(tmp_path / "r"), TOY)
    assert "non-finite at step 30" in str(error.value) and "discriminator=nan" in str(error.value)
    assert "step 15" in str(error.value)
    assert all(torch.isfinite(v).all() for v in weights(tmp_path / "r").values())


def test_the_1d_toy_converges_and_evaluate_prints_the_toy_metrics(tmp_path):
    options = {"latent_dim": 4, "hidden": (64, 64)}
    run, _ = train_run("gan", DataSpec("toy1d"), TrainConfig(epochs=10, batch_size=128, lr=2e-3, snapshot_every=5), str(tmp_path / "g"), options)
    result = evaluate_run(str(run.path))
    assert {"wasserstein1", "ks", "mmd", "modes_covered"} <= result.keys()
    # An untrained generator sits near 0, about 2 from these data (W1 ~ 2); one that drops a mode
    # is about 1 away. Trained for 10 epochs, seeds 0-7 all covered the three modes at W1 0.20-0.64.
    assert result["modes_covered"] == 3, result
    assert result["wasserstein1"] < 0.8, result
    assert (run.path / "training.gif").is_file()


def test_ddp_two_processes_train_a_gan_with_identical_replicas(tmp_path):
    out = tmp_path / "ddp"
    result = subprocess.run(
        [sys.executable, "-m", "genlab", "train", "gan", "--data", "toy1d", "--limit", "2000", "--epochs", "1",
         "--latent-dim", "4", "--hidden", "16,16", "--loss", "wgan-gp", "--ema", "0.9", "--accelerator", "cpu",
         "--devices", "2", "--strategy", "ddp", "--out", str(out)],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = Run(out).read_json(Run(out).summary_path)
    assert summary["world_size"] == 2
    assert summary["replica_checksums"][0] == summary["replica_checksums"][1]
    assert summary["steps"] == (1000 + 127) // 128
