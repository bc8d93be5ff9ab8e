"""Every registered model: builds from its config, returns named loss terms, round-trips through
safetensors, and is deterministic for a fixed seed."""

import dataclasses

import pytest
import torch
from safetensors.torch import load_file, save_file

from genlab.errors import ConfigError
from genlab.models import MODELS, VAE, AutoencoderConfig, VAEConfig, build_model

SHAPES = [(1, 8, 8), (3, 32, 32), (1, 28, 28)]
# the encoder/decoder models (the classifiers and GANs have their own tests)
AUTOENCODERS = sorted(name for name, spec in MODELS.items() if issubclass(spec.config_cls, AutoencoderConfig))


def make(name: str, shape=(1, 8, 8), **options):
    spec = MODELS[name]
    config = spec.config_cls(input_shape=shape, **options)
    return build_model(name, config)


@pytest.mark.parametrize("name", AUTOENCODERS)
@pytest.mark.parametrize("net", ["mlp", "conv"])
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_returns_named_finite_terms(name, net, shape):
    torch.manual_seed(0)
    model = make(name, shape, net=net, latent_dim=3, hidden=(32,), channels=(8, 16))
    terms = model(torch.rand(4, *shape))
    assert "loss" in terms and terms["loss"].dim() == 0 and torch.isfinite(terms["loss"])
    assert terms["loss"].requires_grad
    assert model.reconstruct(torch.rand(2, *shape)).shape == (2, *shape)


@pytest.mark.parametrize("name", AUTOENCODERS)
def test_safetensors_round_trip_and_config_json(name, tmp_path):
    torch.manual_seed(0)
    model = make(name, latent_dim=2)
    save_file(model.state_dict(), tmp_path / "w.safetensors")
    config = type(model.config).from_dict(model.config.to_dict())
    assert config == model.config
    twin = build_model(name, config)
    twin.load_state_dict(load_file(tmp_path / "w.safetensors"))
    x = torch.rand(3, 1, 8, 8)
    assert torch.equal(model.reconstruct(x), twin.reconstruct(x))


@pytest.mark.parametrize("name", AUTOENCODERS)
def test_same_seed_same_model_and_loss(name):
    x = torch.rand(4, 1, 8, 8)
    results = []
    for _ in range(2):
        torch.manual_seed(7)
        model = make(name)
        results.append(float(model(x)["loss"].detach()))
    assert results[0] == results[1]


@pytest.mark.parametrize("name", AUTOENCODERS)
def test_invalid_configs_are_rejected(name):
    with pytest.raises(ConfigError, match="latent-dim"):
        make(name, latent_dim=0)
    with pytest.raises(ConfigError, match="conv"):
        make(name, shape=(10,), net="conv")
    with pytest.raises(ConfigError, match="net must be one of"):
        make(name, net="transformer")


def test_vae_loss_is_recon_plus_beta_kl():
    torch.manual_seed(0)
    x = torch.rand(6, 1, 8, 8)
    for beta in (1.0, 4.0):
        model = make("vae", beta=beta)
        torch.manual_seed(1)
        terms = model(x)
        assert torch.allclose(terms["loss"], terms["recon"] + beta * terms["kl"], rtol=1e-5)


def test_vae_reparameterization_uses_half_log_variance():
    mu, logvar = torch.zeros(100_000, 1), torch.full((100_000, 1), 1.3862943611198906)  # log 4
    torch.manual_seed(0)
    z = VAE.reparameterize(mu, logvar)
    assert abs(float(z.std()) - 2.0) < 0.02  # sigma = exp(0.5 * log 4) = 2


def test_vae_gradients_flow_through_the_sample():
    torch.manual_seed(0)
    model = make("vae")
    model(torch.rand(4, 1, 8, 8))["loss"].backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())


@pytest.mark.parametrize("likelihood", ["gaussian", "student-t"])
def test_continuous_vae_learns_its_scale(likelihood):
    torch.manual_seed(0)
    model = make("vae", likelihood=likelihood)
    x = torch.rand(16, 1, 8, 8)
    model(x)["loss"].backward()
    assert model.log_scale.grad is not None and float(model.log_scale.grad) != 0.0


def test_config_rejects_unknown_fields():
    with pytest.raises(ConfigError, match="unknown VAEConfig fields: colour"):
        VAEConfig.from_dict({**dataclasses.asdict(VAEConfig(input_shape=(2,))), "colour": 1})
