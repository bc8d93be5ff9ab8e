"""CycleGAN-VC2: gated convolutions, the 2-1-2D generator and 2-D PatchGAN shapes, its losses,
standardization, and training and resuming on the shared trainer."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from genlab.data.dataset import Dataset
from genlab.data.splits import DataSpec, Splits
from genlab.errors import ConfigError
from genlab.io import read_safetensors
from genlab.models import build_model
from genlab.models.voice import VoiceConfig
from genlab.nets.voice import GatedConv, Generator2D1D2D, PatchDiscriminator2D
from genlab.run import Run
from genlab.seeding import seeded_rng
from genlab.train import TrainConfig, Trainer

DIM = 8


def test_a_gated_convolution_multiplies_by_the_sigmoid_of_its_gate():
    gated = GatedConv(1, 2, 3, 1, norm=False)
    x = torch.randn(4, 2, 10)
    both = gated.conv(x)
    torch.testing.assert_close(gated(x), both[:, :3] * torch.sigmoid(both[:, 3:]))
    torch.testing.assert_close(gated(x), F.glu(both, dim=1))


@pytest.mark.parametrize("frames", [128, 37, 8, 1])
def test_the_generator_keeps_the_shape_of_any_number_of_frames(frames):
    g = Generator2D1D2D(24, width=8, blocks=2)
    assert g(torch.randn(2, 1, 24, frames)).shape == (2, 1, 24, frames)


def test_the_generator_has_the_papers_widths():
    g = Generator2D1D2D(36, width=128, blocks=6)
    assert g.inlet.conv.out_channels == 256  # 128 gated
    assert g.to_1d[0].in_channels == 256 * 9 and g.to_1d[0].out_channels == 256
    assert g.outlet.in_channels == 64 and len(g.blocks) == 6
    with pytest.raises(ValueError, match="divisible by 4"):
        Generator2D1D2D(30)


def test_the_discriminator_gives_one_logit_per_patch():
    d = PatchDiscriminator2D(width=4)
    assert d(torch.randn(3, 1, 24, 128)).shape == (3, 1, 3, 16)


def _config(**options) -> VoiceConfig:
    stats = {"mean_a": (1.0,) * DIM, "std_a": (2.0,) * DIM, "mean_b": (-1.0,) * DIM, "std_b": (0.5,) * DIM}
    return VoiceConfig(input_shape=(1, DIM, 16), target_shape=(1, DIM, 16), width=4, width_d=4, blocks=1, **stats | options)


def test_cycle_and_identity_losses_are_zero_for_identity_generators():
    model = build_model("voice", _config())
    model.generators.a_to_b, model.generators.b_to_a = nn.Identity(), nn.Identity()
    a, b = torch.randn(2, 1, DIM, 16), torch.randn(2, 1, DIM, 16)
    terms = model(a, b)
    assert float(terms["cycle"]) == 0.0 and float(terms["identity"]) == 0.0
    assert float(terms["g_loss"].detach()) == pytest.approx(float((terms["g_gan"] + terms["g_gan2"]).detach()))
    assert "g_gan2" not in build_model("voice", _config(two_step=False))(a, b)


def test_conversion_maps_one_speakers_statistics_onto_the_others():
    model = build_model("voice", _config())
    model.generators.a_to_b = nn.Identity()
    a = 1.0 + 2.0 * torch.randn(1, 1, DIM, 500)  # speaker A: mean 1, std 2
    converted = model.convert(a, "AtoB")
    torch.testing.assert_close(converted, (a - 1.0) / 2.0 * 0.5 - 1.0)
    with pytest.raises(ConfigError, match="AtoB or BtoA"):
        model.convert(a, "sideways")


def test_the_identity_loss_stops_after_its_steps():
    model = build_model("voice", _config(identity_steps=3))
    assert [model.identity_weight(step) for step in (0, 2, 3, 10)] == [5.0, 5.0, 0.0, 0.0]


def test_the_statistics_come_from_the_data_per_coefficient():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(6, 1, DIM, 16, generator=g) * torch.arange(1, DIM + 1).view(1, 1, DIM, 1)
    data = Dataset(x, extras={"b": torch.randn(6, 1, DIM, 16, generator=g) + 3})
    fields = VoiceConfig.from_data(data)
    assert fields["std_a"] == pytest.approx(x.transpose(0, 2).reshape(DIM, -1).double().std(1).tolist())
    assert fields["mean_b"] == pytest.approx([3.0] * DIM, abs=0.3)
    with pytest.raises(ConfigError, match="two speakers"):
        VoiceConfig.from_data(Dataset(x))


def _segments() -> Splits:
    g = torch.Generator().manual_seed(1)
    data = Dataset(1 + 2 * torch.randn(16, 1, DIM, 16, generator=g), extras={"b": torch.randn(16, 1, DIM, 16, generator=g) - 1})
    return Splits(data.subset(slice(8, None)), data.subset(slice(0, 4)), data.subset(slice(4, 8)))


def test_training_moves_both_players_and_resumes_exactly(tmp_path):
    runs = {}
    for name, budgets in (("whole", [None]), ("resumed", [1e-9, None])):
        run = Run(tmp_path / name)
        run.path.mkdir()
        for i, budget in enumerate(budgets):
            with seeded_rng(0):
                model = build_model("voice", _config(identity_steps=3))
                before = {k: v.clone() for k, v in model.state_dict().items()}
            Trainer(TrainConfig(epochs=2, batch_size=4, max_time=budget)).fit(model, _segments(), run, DataSpec("array"), resume=i > 0)
        runs[name] = read_safetensors(run.weights_path)
    after = runs["whole"]
    for part in ("generators.", "discriminators."):
        assert any(not torch.equal(after[k], before[k]) for k in after if k.startswith(part)), part
    for key in after:
        assert torch.equal(after[key], runs["resumed"][key]), key
