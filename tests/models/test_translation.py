"""pix2pix and CycleGAN: network shapes and receptive fields, losses, the image pool, the learning
rate schedule, and exact resume of a two-player model with a pool."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from genlab.data.dataset import Dataset
from genlab.data.splits import DataSpec, Splits
from genlab.io import read_safetensors, read_safetensors_metadata
from genlab.models import build_model
from genlab.models.training import linear_decay
from genlab.models.translation import CycleGANConfig, Pix2PixConfig
from genlab.models.translation.pool import ImagePool
from genlab.nets.translation import (
    PatchDiscriminator,
    ResnetGenerator,
    UNet,
    patch_layers_for,
    patch_receptive_field,
)
from genlab.run import Run
from genlab.seeding import seeded_rng
from genlab.train import TrainConfig, Trainer


@pytest.mark.parametrize("size, depth", [(8, 3), (16, 4), (32, 5), (24, 3), (20, 5)])
def test_unet_keeps_any_image_size(size, depth):
    net = UNet(3, 1, depth, ngf=4)
    for shape in ((size, size), (size, size + 6)):
        assert net(torch.randn(2, 3, *shape)).shape == (2, 1, *shape)


def test_unet_has_the_papers_widths_and_dropout_at_256():
    net = UNet(3, 3, 8, ngf=64)
    downs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    assert [m.out_channels for m in downs] == [64, 128, 256, 512, 512, 512, 512, 512]
    assert sum(isinstance(m, nn.Dropout) for m in net.modules()) == 3  # the three innermost full-width decoder blocks
    assert sum(isinstance(m, nn.Dropout) for m in UNet(3, 3, 5).modules()) == 0  # none at 32x32, as in the paper's code


def test_resnet_generator_keeps_odd_sizes():
    net = ResnetGenerator(1, 3, ngf=4, blocks=2)
    assert net(torch.randn(1, 1, 31, 18)).shape == (1, 3, 31, 18)


@pytest.mark.parametrize("layers, side", [(1, 16), (2, 34), (3, 70)])
def test_patchgan_receptive_field_by_hand_and_by_gradient(layers, side):
    assert patch_receptive_field(layers) == side
    net = PatchDiscriminator(1, 2, layers, norm="batch").eval()  # batch norm in eval mode: no mixing across the image
    x = torch.randn(1, 1, 160, 160, requires_grad=True)
    out = net(x)
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(1)).flatten()
    assert int(rows.max() - rows.min() + 1) == side  # the input pixels that one patch logit depends on


def test_patchgan_output_at_256_is_the_papers_30x30():
    assert PatchDiscriminator(6, 4, 3)(torch.randn(1, 6, 256, 256)).shape == (1, 1, 30, 30)
    assert [patch_layers_for(s) for s in (32, 64, 256)] == [1, 1, 3]


def _cyclegan(**options) -> nn.Module:
    config = CycleGANConfig(input_shape=(3, 8, 8), target_shape=(3, 8, 8), ngf=4, ndf=4, blocks=1, **options)
    return build_model("cyclegan", config)


def test_cycle_and_identity_losses_are_zero_for_identity_generators():
    model = _cyclegan()
    model.generators.a_to_b, model.generators.b_to_a = nn.Identity(), nn.Identity()
    a, b = torch.rand(4, 3, 8, 8), torch.rand(4, 3, 8, 8)
    terms = model(a, b)
    assert float(terms["cycle"]) == 0.0 and float(terms["identity"]) == 0.0
    assert float(terms["g_loss"]) == pytest.approx(float(terms["g_gan"]))


def test_the_pool_keeps_the_first_fakes_then_swaps_half_for_old_ones():
    torch.manual_seed(0)
    pool = ImagePool(3, (1, 1, 1))
    first = torch.arange(3.0).view(3, 1, 1, 1)
    assert torch.equal(pool(first), first)  # filling: shown as they are, all kept
    assert torch.equal(pool.images, first) and int(pool.count) == 3
    swapped = 0
    for i in range(1000):
        new = torch.full((1, 1, 1, 1), 10.0 + i)
        kept_before = set(pool.images.flatten().tolist())
        shown = float(pool(new))
        if shown != 10.0 + i:  # an old one was shown: the new one took its place
            swapped += 1
            assert shown in kept_before and 10.0 + i in pool.images.flatten().tolist()
        else:
            assert set(pool.images.flatten().tolist()) == kept_before  # shown as it is, the pool unchanged
    assert 450 < swapped < 550  # half the time
    assert torch.equal(ImagePool(0, (1,))(first), first)  # no pool: fakes as they are


def test_linear_decay_by_hand():
    factor = linear_decay(0.5)  # the paper's 100 constant + 100 decaying epochs, here steps
    assert [factor(s, 200) for s in (0, 99)] == [1.0, 1.0]
    assert factor(100, 200) == pytest.approx(1 - 1 / 101) and factor(199, 200) == pytest.approx(1 / 101)
    assert linear_decay(1.0)(150, 200) == 1.0


def test_the_learning_rate_follows_the_schedule_in_training(tmp_path):
    config = Pix2PixConfig(input_shape=(1, 8, 8), target_shape=(1, 8, 8), ngf=2, ndf=2, lr_g=1e-3, decay_start=0.5)
    data = _paired(24)
    run = Run(tmp_path)
    Trainer(TrainConfig(epochs=2, batch_size=4)).fit(build_model("pix2pix", config), Splits(data, data, data), run,
                                                     DataSpec("array"))  # 12 steps  # fmt: skip
    # the checkpoint's optimizer holds the rate of the last step, 11 of 12
    groups = json.loads(read_safetensors_metadata(run.state_path)["optimizers"])["generator"]["param_groups"]
    assert groups[0]["lr"] == pytest.approx(1e-3 * linear_decay(0.5)(11, 12)) and groups[0]["lr"] < 1e-3 / 5


def _paired(n: int) -> Dataset:
    x = torch.rand(n, 1, 8, 8, generator=torch.Generator().manual_seed(n))
    return Dataset(x, extras={"target": 1 - x})


def test_a_cyclegan_with_its_pool_resumes_exactly(tmp_path):
    g = torch.Generator().manual_seed(1)
    data = Dataset(torch.rand(40, 3, 8, 8, generator=g), extras={"b": torch.rand(40, 3, 8, 8, generator=g)})
    splits = Splits(data.subset(slice(8, None)), data.subset(slice(0, 8)), data.subset(slice(0, 8)))
    runs = {}
    # the interrupted run stops after its first steps (--max-time), which keeps its length and so its schedule
    for name, budgets in (("whole", [None]), ("resumed", [1e-9, 1e-9, None])):
        run = Run(tmp_path / name)
        run.path.mkdir()
        for i, budget in enumerate(budgets):
            with seeded_rng(0):
                model = _cyclegan(pool_size=6)
            Trainer(TrainConfig(epochs=2, batch_size=4, max_time=budget)).fit(model, splits, run, DataSpec("array"), resume=i > 0)
        runs[name] = read_safetensors(run.weights_path)
    assert runs["whole"].keys() == runs["resumed"].keys() and "pool_a.images" in runs["whole"]
    for key in runs["whole"]:
        assert torch.equal(runs["whole"][key], runs["resumed"][key]), key
