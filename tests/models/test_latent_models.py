"""IWAE and the controlled-capacity beta-VAE: their bounds, their schedule, and exact resume."""

import json
import os
import signal

import pytest
import torch

from genlab.api import resume_run, train_run
from genlab.data import DataSpec
from genlab.errors import ConfigError
from genlab.io import read_safetensors
from genlab.models import IWAE, MODELS, AnnealedVAE, AnnealedVAEConfig, IWAEConfig, ModelSpec
from genlab.train import TrainConfig
from linear_gaussian import LinearGaussian

SMALL = {"latent_dim": 4, "hidden": (64, 32)}


@torch.no_grad()
def test_iwae_bound_is_tighter_than_the_elbo_of_the_same_weights():
    # a linear-Gaussian model whose encoder misses the true posterior by a known KL (about 2.2 nats)
    model = LinearGaussian.make()
    x = model.sample(2000)
    nll = -float(model.log_px(x).mean())
    gap = float(model.posterior_gap(x, 0.6, 2.5).mean())
    torch.manual_seed(1)
    elbo_loss = float(model.vae(0.6, 2.5)(x)["loss"])  # the negative ELBO
    k1 = float(model.vae(0.6, 2.5, IWAE, IWAEConfig, k=1)(x)["loss"])
    k50 = float(model.vae(0.6, 2.5, IWAE, IWAEConfig, k=50)(x)["loss"])
    assert elbo_loss == pytest.approx(nll + gap, abs=0.3)
    assert k1 == pytest.approx(nll + gap, abs=0.3)  # k = 1 is the ELBO
    assert nll - 0.02 < k50 < nll + 0.2 * gap  # 50 samples close most of the gap, never more


def test_iwae_options_are_checked():
    with pytest.raises(ConfigError, match="--k"):
        IWAE(IWAEConfig(input_shape=(1, 8, 8), k=0))
    with pytest.raises(ConfigError, match="beta"):
        IWAE(IWAEConfig(input_shape=(1, 8, 8), beta=4.0))


def test_iwae_trains_and_evaluates(cli, tmp_path, one_thread):
    out = tmp_path / "iwae"
    result = cli("train", "iwae", "--data", "digits", "--binarize", "--k", "3", "--latent-dim", "4", "--hidden", "32",
                 "--max-steps", "20", "--out", out, "--json")  # fmt: skip
    assert result.code == 0, result.err
    assert json.loads((out / "config.json").read_text())["model_config"]["k"] == 3
    payload = json.loads(cli("evaluate", out, "--json", "--iwae-k", "5", "--n", "50").out)
    assert (
        payload["model"] == "iwae"
        and payload["likelihood_valid"]
        and payload["nll_iwae"] < payload["nll_elbo"]
    )


def annealed(**options):
    return AnnealedVAE(AnnealedVAEConfig(input_shape=(1, 8, 8), **(SMALL | options)))


def test_capacity_grows_linearly_then_holds():
    model = annealed(capacity=10.0, capacity_steps=4, gamma=100.0)
    seen = []
    for _ in range(6):
        terms = model(torch.rand(8, 1, 8, 8))
        seen.append(float(terms["capacity"]))
        assert torch.allclose(terms["loss"], terms["recon"] + 100.0 * (terms["kl"] - terms["capacity"]).abs())
        terms["loss"].backward()
    assert seen == [0.0, 2.5, 5.0, 7.5, 10.0, 10.0]


def test_only_backpropagated_training_steps_count():
    model = annealed(capacity_steps=10)
    model(torch.rand(4, 1, 8, 8))  # forward without backward: an abandoned step
    model.eval()
    model(torch.rand(4, 1, 8, 8))["loss"].backward()  # validation
    model.train()
    with torch.no_grad():
        model(torch.rand(4, 1, 8, 8))
    assert int(model.steps_done) == 0
    model(torch.rand(4, 1, 8, 8))["loss"].backward()
    assert int(model.steps_done) == 1
    assert "steps_done" in model.state_dict()


class _StopOnce(AnnealedVAE):
    """Sends itself Ctrl-C in the middle of its 15th training forward pass, once."""

    calls = 0
    fired = False

    def forward(self, x, y=None):
        terms = super().forward(x, y)
        if self.training:
            type(self).calls += 1
            if type(self).calls == 15 and not type(self).fired:
                type(self).fired = True
                os.kill(os.getpid(), signal.SIGINT)  # the trainer abandons this step after the forward pass
        return terms


def test_resume_after_an_abandoned_step_anneals_exactly(tmp_path, monkeypatch, one_thread):
    monkeypatch.setitem(
        MODELS, "annealed-stop", ModelSpec("annealed-stop", _StopOnce, AnnealedVAEConfig, "test model")
    )
    options = SMALL | {"capacity": 5.0, "capacity_steps": 20, "gamma": 20.0}
    data, config = (
        DataSpec("digits", binarize=True, limit=640),
        TrainConfig(epochs=2, batch_size=64, log_every=5),
    )
    train_run("annealed-vae", data, config, str(tmp_path / "a"), options)
    _, first = train_run("annealed-stop", data, config, str(tmp_path / "b"), options)
    assert first.status == "interrupted" and first.progress.step == 14
    _, second = resume_run(str(tmp_path / "b"))
    assert second.status == "completed"
    a, b = (
        read_safetensors(tmp_path / "a" / "model.safetensors"),
        read_safetensors(tmp_path / "b" / "model.safetensors"),
    )
    assert int(a["steps_done"]) == second.progress.step == 20
    for name in a:
        assert torch.equal(a[name], b[name]), name


def test_annealed_options_are_checked():
    for bad, match in (({"gamma": -1.0}, "--gamma"), ({"capacity": -1.0}, "--capacity"),
                       ({"capacity_steps": 0}, "--capacity-steps"), ({"beta": 4.0}, "--gamma, not --beta")):  # fmt: skip
        with pytest.raises(ConfigError, match=match):
            annealed(**bad)
