"""Progressive growing: the schedule, the fade-in equalities, the building blocks."""

import pytest
import torch
import torch.nn.functional as F

from genlab.errors import ConfigError
from genlab.models import MODELS, build_model
from genlab.models.gan.progan import growth_schedule
from genlab.models.training import StepContext
from genlab.nets.progressive import (
    EqualizedConv2d,
    MinibatchStdDev,
    PixelNorm,
    ProgressiveFeatures,
    ProgressiveGenerator,
)

WIDTHS = (16, 12, 8, 4)  # 4, 8, 16, 32


def test_schedule_holds_fades_and_stabilizes():
    p = 10
    assert growth_schedule(0, p, 3) == (0, 1.0) and growth_schedule(9, p, 3) == (0, 1.0)
    assert growth_schedule(10, p, 3) == (1, 0.0)  # 8x8 appears with alpha 0
    assert growth_schedule(15, p, 3) == (1, 0.5)
    assert growth_schedule(20, p, 3) == (1, 1.0) and growth_schedule(29, p, 3) == (1, 1.0)
    assert growth_schedule(30, p, 3) == (2, 0.0)
    assert growth_schedule(50, p, 3) == (3, 0.0) and growth_schedule(60, p, 3) == (3, 1.0)
    assert growth_schedule(10_000, p, 3) == (3, 1.0)
    assert growth_schedule(10_000, p, 0) == (0, 1.0)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_generator_fade_in_at_alpha_0_is_the_old_path_and_at_1_the_new(depth):
    torch.manual_seed(0)
    g = ProgressiveGenerator(8, WIDTHS, 3)
    z = torch.randn(5, 8)
    old = g(z, depth - 1, 1.0)
    assert torch.allclose(g(z, depth, 0.0), F.interpolate(old, scale_factor=2, mode="nearest"), atol=1e-6)
    # the new path by hand: the blocks up to depth, then the new stage's to_rgb
    h = g.start_conv(g.start(z).view(5, -1, 4, 4))
    for block in g.blocks[:depth]:
        h = block(F.interpolate(h, scale_factor=2, mode="nearest"))
    assert torch.allclose(g(z, depth, 1.0), g.to_rgb[depth](h), atol=1e-6)
    assert g(z, depth, 0.3).shape == (5, 3, 4 * 2**depth, 4 * 2**depth)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_discriminator_fade_in_at_alpha_0_is_the_old_path_and_at_1_the_new(depth):
    torch.manual_seed(0)
    d = ProgressiveFeatures(WIDTHS, 3)
    size = 4 * 2**depth
    x = torch.randn(6, 3, size, size)
    assert torch.allclose(d(x, depth, 0.0), d(F.avg_pool2d(x, 2), depth - 1, 1.0), atol=1e-5)
    h = F.avg_pool2d(d.blocks[depth - 1](d.from_rgb[depth](x)), 2)
    for k in range(depth - 1, 0, -1):
        h = F.avg_pool2d(d.blocks[k - 1](h), 2)
    assert torch.allclose(d(x, depth, 1.0), d.final(h), atol=1e-5)


def test_pixel_norm_minibatch_stddev_and_equalized_lr():
    x = torch.randn(4, 6, 3, 3) * 5
    assert torch.allclose(PixelNorm()(x).pow(2).mean(1), torch.ones(4, 3, 3), atol=1e-4)
    out = MinibatchStdDev()(x)
    assert out.shape == (4, 7, 3, 3)
    assert torch.allclose(out[:, 6], x.var(0, unbiased=False).add(1e-8).sqrt().mean().expand(4, 3, 3))
    conv = EqualizedConv2d(6, 2, 3)
    assert conv.scale == pytest.approx((2 / (6 * 9)) ** 0.5)  # He's constant applied at run time
    assert abs(float(conv.weight.detach().std()) - 1) < 0.3  # stored weights are N(0, 1)


def test_progan_grows_with_the_step_and_samples_at_full_size():
    torch.manual_seed(0)
    model = build_model("progan", MODELS["progan"].config_cls(input_shape=(1, 16, 16), widths=(8, 8, 4), phase_steps=2, latent_dim=4))
    nets = {"generator": model.generator, "discriminator": model.discriminator}
    seen = []
    for step in range(12):
        terms = model.training_step({"x": torch.rand(4, 1, 16, 16)}, StepContext(step, nets, lambda name, loss: None))
        seen.append((float(terms["resolution"]), float(terms["alpha"])))
        assert "gp" in terms
    assert seen[0] == (4.0, 1.0) and seen[2] == (8.0, 0.0) and seen[3] == (8.0, 0.5) and seen[-1] == (16.0, 1.0)
    images = model.sample(3)
    assert images.shape == (3, 1, 16, 16) and images.min() >= 0 and images.max() <= 1
    twin = build_model("progan", model.config)
    twin.load_state_dict(model.state_dict())
    assert twin.resolution == 16  # the growth comes back with the weights


def test_progan_needs_power_of_two_square_images():
    with pytest.raises(ConfigError, match="--resize 32"):
        build_model("progan", MODELS["progan"].config_cls(input_shape=(1, 28, 28)))
    with pytest.raises(ConfigError, match="--widths needs 4"):
        build_model("progan", MODELS["progan"].config_cls(input_shape=(1, 32, 32), widths=(8, 8)))
