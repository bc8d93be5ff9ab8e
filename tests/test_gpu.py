"""The CUDA path: training, mixed precision, exact resume, sampling, evaluation and detection on a GPU.

Skipped where no CUDA GPU is present (CI has none); run them with ``pytest tests/test_gpu.py`` on a
machine that has one. The rest of the suite also trains on the GPU there (``--accelerator auto``).
"""

import json

import numpy as np
import pytest
import torch

from conftest import run_genlab
from genlab.api import resume_run, sample_run, train_run
from genlab.data import DataSpec
from genlab.detect import VAEOD
from genlab.evaluate.detection import auroc
from genlab.io import read_safetensors
from genlab.run import Run
from genlab.train import TrainConfig
from genlab.train.logger import read_metrics

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

SMALL = {"latent_dim": 4, "hidden": (64, 32)}
CONV = {"net": "conv", "latent_dim": 4, "hidden": (32,), "channels": (8, 16)}


def assert_same_weights(a, b) -> None:
    wa, wb = read_safetensors(a / "model.safetensors"), read_safetensors(b / "model.safetensors")
    assert wa.keys() == wb.keys()
    for name in wa:
        assert torch.equal(wa[name], wb[name]), f"{name} differs"


def val_losses(run_path) -> list[float]:
    return [float(row["loss"]) for row in read_metrics(run_path / "metrics.csv") if row["split"] == "val"]


def test_a_vae_trains_on_the_gpu_and_its_run_loads_on_the_cpu(tmp_path):
    out = tmp_path / "run"
    _, result = train_run(
        "vae",
        DataSpec("digits", binarize=True),
        TrainConfig(epochs=4, batch_size=64, accelerator="cuda"),
        str(out),
        SMALL,
    )
    assert result.summary["device"].startswith("cuda")
    losses = val_losses(out)
    assert losses[-1] < losses[0] - 3.0, losses
    model = Run(out).load_model()
    assert all(p.device.type == "cpu" for p in model.parameters())
    assert next(iter(model.state_dict().values())).dtype == torch.float32


@pytest.mark.parametrize("precision", ["bf16-mixed", "16-mixed"])
def test_mixed_precision_trains_a_conv_vae_and_stores_float32_weights(tmp_path, precision):
    out = tmp_path / "run"
    config = TrainConfig(epochs=4, batch_size=64, accelerator="cuda", precision=precision)
    _, result = train_run("vae", DataSpec("digits", binarize=True), config, str(out), CONV)
    assert result.summary["precision"] == precision
    losses = val_losses(out)
    assert np.isfinite(losses).all() and losses[-1] < losses[0] - 3.0, losses
    assert all(w.dtype == torch.float32 for w in Run(out).load_model().state_dict().values())


@pytest.mark.parametrize("options", [SMALL, CONV], ids=["mlp", "conv"])
def test_resume_on_the_gpu_matches_the_uninterrupted_run(tmp_path, options):
    data = DataSpec("digits", binarize=True)
    train_run(
        "vae", data, TrainConfig(epochs=3, batch_size=64, accelerator="cuda"), str(tmp_path / "a"), options
    )
    train_run(
        "vae",
        data,
        TrainConfig(epochs=3, batch_size=64, accelerator="cuda", max_steps=30),
        str(tmp_path / "b"),
        options,
    )
    resume_run(str(tmp_path / "b"), max_steps=10_000)
    assert_same_weights(tmp_path / "a", tmp_path / "b")


def test_a_dcgan_trains_and_samples_on_the_gpu(tmp_path):
    out = tmp_path / "gan"
    options = {"latent_dim": 8, "channels": (16,), "conditional": True}
    _, result = train_run(
        "dcgan",
        DataSpec("digits"),
        TrainConfig(epochs=2, batch_size=64, accelerator="cuda"),
        str(out),
        options,
    )
    assert result.summary["device"].startswith("cuda")
    images = sample_run(str(out), n=8, device="cuda", label=7)
    assert images.shape == (8, 1, 8, 8) and torch.isfinite(images).all()
    assert images.min() >= 0 and images.max() <= 1


def test_the_cli_trains_and_evaluates_on_the_gpu(tmp_path):
    out = tmp_path / "run"
    trained = run_genlab("train", "vae", "--data", "digits", "--binarize", "--latent-dim", "4", "--epochs", "2",
                         "--accelerator", "cuda", "--out", out)  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    on_gpu = run_genlab("evaluate", out, "--json", "--iwae-k", "50", "--device", "cuda")
    on_cpu = run_genlab("evaluate", out, "--json", "--iwae-k", "50", "--device", "cpu")
    assert on_gpu.returncode == 0 and on_cpu.returncode == 0, on_gpu.stderr + on_cpu.stderr
    gpu, cpu = json.loads(on_gpu.stdout), json.loads(on_cpu.stdout)
    # different random draws on the two devices: the estimates agree to their Monte Carlo error
    assert gpu["nll_iwae"] <= -gpu["elbo"] + 1e-3
    assert abs(gpu["nll_iwae"] - cpu["nll_iwae"]) < 0.05 * abs(cpu["nll_iwae"])


def test_the_outlier_detector_fits_and_scores_on_the_gpu():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(2, 8))
    inliers = rng.normal(size=(400, 2)) @ w + 0.05 * rng.normal(size=(400, 8))
    outliers = rng.normal(size=(20, 8)) * inliers.std(0)
    x, y = np.vstack([inliers, outliers]), np.r_[np.zeros(400), np.ones(20)]
    detector = VAEOD(epochs=40, batch_size=32, random_state=0, device="cuda").fit(x)
    assert auroc(y, detector.decision_function(x)) > 0.9
