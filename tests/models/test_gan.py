"""The GAN model: players for vectors and images, conditioning, EMA, spectral norm, the step."""

import pytest
import torch
from safetensors.torch import load_file, save_file

from genlab.errors import ConfigError
from genlab.models import MODELS, DCGANConfig, build_model
from genlab.models.training import StepContext
from genlab.train.ema import ema_decay, ema_update


def make(name="gan", shape=(2,), **options):
    return build_model(name, MODELS[name].config_cls(input_shape=shape, **options))


@pytest.mark.parametrize("shape", [(1, 28, 28), (3, 32, 32), (1, 64, 64), (1, 8, 8)])
@pytest.mark.parametrize("net", ["mlp", "conv"])
def test_players_make_and_judge_images_in_data_range(shape, net):
    torch.manual_seed(0)
    model = make("dcgan", shape, net=net, channels=(8, 16, 32), hidden=(32,), latent_dim=5).eval()
    images = model.sample(3, torch.Generator().manual_seed(0))
    assert images.shape == (3, *shape)
    assert images.min() >= 0 and images.max() <= 1
    assert model.discriminator(model.to_model(images)).shape == (3,)
    terms = model(torch.rand(4, *shape))
    assert {"d_loss", "g_loss", "d_real", "d_fake"} <= terms.keys()


def test_vector_gan_samples_are_unbounded_vectors():
    model = make("gan", (2,), hidden=(16,))
    x = model.sample(5, torch.Generator().manual_seed(1))
    assert x.shape == (5, 2)
    assert torch.equal(x, model.sample(5, torch.Generator().manual_seed(1)))  # seeded


def test_weights_round_trip_through_safetensors_with_ema_and_spectral_norm(tmp_path):
    torch.manual_seed(0)
    model = make("dcgan", (1, 28, 28), channels=(8, 16), ema=0.9, spectral_norm=True, conditional=True, num_classes=10)
    save_file(model.state_dict(), tmp_path / "w.safetensors")
    config = DCGANConfig.from_dict(model.config.to_dict())
    assert config == model.config
    twin = build_model("dcgan", config)
    twin.load_state_dict(load_file(tmp_path / "w.safetensors"))
    z, labels = torch.randn(2, config.latent_dim), torch.tensor([3, 7])
    assert torch.equal(model.eval().generate(z, labels), twin.eval().generate(z, labels))


def test_conditional_labels_are_checked():
    model = make("gan", (4,), conditional=True, num_classes=3, hidden=(8,))
    with pytest.raises(ConfigError, match="conditional: pass a class label from 0 to 2"):
        model.check_labels(None)
    with pytest.raises(ConfigError, match="label 3 is out of range"):
        model.check_labels(torch.tensor([3]))
    with pytest.raises(ConfigError, match="label -1 is out of range"):
        model.check_labels(torch.tensor([-1]))
    assert model.sample(6).shape == (6, 4)  # without labels: drawn uniformly (for sample metrics)
    plain = make("gan", (4,), hidden=(8,))
    with pytest.raises(ConfigError, match="unconditional"):
        plain.generate(torch.randn(1, plain.config.latent_dim), torch.tensor([0]))


def test_conditioning_changes_the_output():
    torch.manual_seed(0)
    model = make("gan", (4,), conditional=True, num_classes=3, hidden=(8,)).eval()
    z = torch.randn(1, model.config.latent_dim)
    a, b = model.generate(z, torch.tensor([0])), model.generate(z, torch.tensor([1]))
    assert not torch.allclose(a, b)
    x = torch.randn(1, 4)
    assert model.discriminator(x, torch.tensor([0])) != model.discriminator(x, torch.tensor([2]))


def test_invalid_gan_configs_are_rejected():
    with pytest.raises(ConfigError, match="loss must be one of"):
        make(loss="minmax")
    with pytest.raises(ConfigError, match="--conditional needs labeled data"):
        make(conditional=True)
    with pytest.raises(ConfigError, match="--net conv needs images"):
        make(net="conv")
    with pytest.raises(ConfigError, match="--ema"):
        make(ema=1.0)
    with pytest.raises(ConfigError, match="--d-steps"):
        make(d_steps=0)


def test_spectral_norm_keeps_the_discriminator_layers_at_unit_norm():
    torch.manual_seed(0)
    model = make("gan", (2,), spectral_norm=True, hidden=(32, 32))
    for _ in range(30):  # power iterations run in training mode
        model.discriminator(torch.randn(8, 2))
    linear = model.discriminator.head
    assert float(torch.linalg.matrix_norm(linear.weight.detach(), ord=2)) == pytest.approx(1.0, abs=0.02)


def test_ema_update_moves_toward_the_source():
    a, b = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    before = a.weight.detach().clone()
    ema_update(a, b, decay=0.75)
    assert torch.allclose(a.weight, 0.75 * before + 0.25 * b.weight)


def test_ema_decay_ramps_up_to_the_configured_decay():
    assert ema_decay(0.999, 0) == pytest.approx(0.1)  # the first update mostly copies the generator
    assert ema_decay(0.999, 90) == pytest.approx(0.91)
    assert ema_decay(0.999, 8991) == pytest.approx(0.999)  # reached after 9 / (1 - decay) updates
    assert ema_decay(0.999, 10**6) == 0.999
    assert ema_decay(0.5, 0) == pytest.approx(0.1) and ema_decay(0.5, 10) == 0.5


class _Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, name, loss):
        assert torch.isfinite(loss)
        self.calls.append(name)


@pytest.mark.parametrize("loss", ["saturating", "non-saturating", "lsgan", "hinge", "wgan-gp"])
def test_training_step_updates_the_discriminator_each_step_and_the_generator_every_d_steps(loss):
    torch.manual_seed(0)
    model = make("gan", (2,), hidden=(8,), loss=loss, d_steps=3, r1=1.0)
    nets = {"generator": model.generator, "discriminator": model.discriminator}
    record = _Recorder()
    names = None
    for step in range(6):
        terms = model.training_step({"x": torch.randn(16, 2)}, StepContext(step, nets, record))
        names = names or set(terms)
        assert set(terms) == names  # the same logged terms every step
    assert record.calls.count("discriminator") == 6 and record.calls.count("generator") == 2
    assert {"d_loss", "g_loss", "d_real", "d_fake", "r1"} <= names
    assert ("gp" in names) == (loss == "wgan-gp")
