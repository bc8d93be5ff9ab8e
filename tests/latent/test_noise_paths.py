"""`genlab interpolate` on GAN runs: paths and walks through the noise of seeds, decoded by the
(EMA) generator, conditional labels, progressive GANs, determinism and the run report."""

import pytest
import torch
from PIL import Image

from genlab.api import train_run
from genlab.data import DataSpec
from genlab.latent import decode_noise, noise_path, seed_noise, slerp
from genlab.models import GAN, MODELS, DCGANConfig, build_model
from genlab.train import TrainConfig

SIDE, SCALE, PAD = 8, 8, 2  # digits are 8x8, shown 8 times enlarged with 2-pixel gaps


def strip_size(columns: int, rows: int = 1) -> tuple[int, int]:
    """The size of a grid of digits as genlab.viz.grid draws it (padding before enlarging)."""
    return ((columns * (SIDE + PAD) + PAD) * SCALE, (rows * (SIDE + PAD) + PAD) * SCALE)


@pytest.fixture(scope="module")
def gan_runs(one_thread_module, tmp_path_factory):
    """Tiny DCGANs on digits (2 steps each): unconditional, conditional; and a VAE and a toy GAN."""
    root = tmp_path_factory.mktemp("runs")
    quick = TrainConfig(epochs=1, batch_size=32, max_steps=2)
    digits = DataSpec("digits", limit=64)
    players = {"latent_dim": 8, "channels": (4,)}
    runs = {
        "dcgan": train_run("dcgan", digits, quick, str(root / "dcgan"), players)[0].path,
        "cgan": train_run("dcgan", digits, quick, str(root / "cgan"), {**players, "conditional": True})[0].path,
        "vae": train_run("vae", digits, quick, str(root / "vae"), {"latent_dim": 2, "hidden": (16,)})[0].path,
        "toy": train_run("gan", DataSpec("toy2d", limit=64), quick, str(root / "toy"), {"latent_dim": 2, "hidden": (8,)})[0].path,
    }
    return runs


def _bad(cli, *args) -> str:
    result = cli(*args)
    assert result.code == 2, (result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.err
    return lines[0]


def test_gan_path_png_and_gif_have_the_expected_size_and_are_deterministic(cli, gan_runs, tmp_path):
    run = gan_runs["dcgan"]
    for name in ("p1.png", "p2.png"):
        assert cli("interpolate", run, "--out", tmp_path / name, "--steps", "6", "--slerp").code == 0
    assert Image.open(tmp_path / "p1.png").size == strip_size(6)
    assert (tmp_path / "p1.png").read_bytes() == (tmp_path / "p2.png").read_bytes()
    assert cli("interpolate", run, "--out", tmp_path / "p3.png", "--steps", "6", "--slerp", "--b", "7").code == 0
    assert (tmp_path / "p3.png").read_bytes() != (tmp_path / "p1.png").read_bytes()
    assert cli("interpolate", run, "--out", tmp_path / "p.gif", "--steps", "5").code == 0
    assert Image.open(tmp_path / "p.gif").n_frames == 2 * 5 - 2  # there and back


def test_walk_is_a_closed_loop_one_row_per_leg(cli, gan_runs, tmp_path):
    run = gan_runs["dcgan"]
    assert cli("interpolate", run, "--out", tmp_path / "w.png", "--walk", "3", "--steps", "4", "--slerp").code == 0
    assert Image.open(tmp_path / "w.png").size == strip_size(4, rows=3)
    assert cli("interpolate", run, "--out", tmp_path / "w.gif", "--walk", "3", "--steps", "4").code == 0
    assert Image.open(tmp_path / "w.gif").n_frames == 3 * 4  # once round, no bounce: it cycles
    assert "drop --a and --b" in _bad(cli, "interpolate", run, "--out", tmp_path / "x.png", "--walk", "3", "--a", "2")
    assert "at least 2 points" in _bad(cli, "interpolate", run, "--out", tmp_path / "x.png", "--walk", "1")


def test_the_path_is_the_generator_on_the_interpolated_noise_of_the_seeds(gan_runs):
    from genlab.run import Run

    model = Run(gan_runs["dcgan"]).load_model()
    z = seed_noise(model, [0, 5])
    assert torch.equal(z[0], model.noise(1, torch.Generator().manual_seed(0))[0])
    path = noise_path(model, 0, 5, steps=4, spherical=True)
    assert path.shape == (4, 1, SIDE, SIDE) and 0 <= float(path.min()) and float(path.max()) <= 1
    assert torch.allclose(path, model.generate(slerp(z[0], z[1], 4)).clamp(0, 1))
    assert not torch.allclose(path, noise_path(model, 0, 5, steps=4, spherical=False))


def test_conditional_gan_keeps_the_label_and_checks_it(cli, gan_runs, tmp_path):
    run = gan_runs["cgan"]
    assert "pass a class label from 0 to 9 (--label N)" in _bad(cli, "interpolate", run, "--out", tmp_path / "c.png")
    assert "label 10 is out of range" in _bad(cli, "interpolate", run, "--out", tmp_path / "c.png", "--label", "10")
    assert "label -1 is out of range" in _bad(cli, "interpolate", run, "--out", tmp_path / "c.png", "--label", "-1")
    for label in ("3", "4"):
        assert cli("interpolate", run, "--out", tmp_path / f"c{label}.png", "--label", label, "--slerp").code == 0
    assert (tmp_path / "c3.png").read_bytes() != (tmp_path / "c4.png").read_bytes()
    unconditional = gan_runs["dcgan"]
    assert "unconditional" in _bad(cli, "interpolate", unconditional, "--out", tmp_path / "u.png", "--label", "3")


def test_options_that_do_not_fit_the_run_are_refused(cli, gan_runs, tmp_path):
    assert "--walk applies to GAN runs" in _bad(cli, "interpolate", gan_runs["vae"], "--out", tmp_path / "v.png", "--walk", "3")
    assert "--label applies to GAN runs" in _bad(cli, "interpolate", gan_runs["vae"], "--out", tmp_path / "v.png", "--label", "3")
    assert "points, not images" in _bad(cli, "interpolate", gan_runs["toy"], "--out", tmp_path / "t.png")
    assert cli("interpolate", gan_runs["vae"], "--out", tmp_path / "v.png", "--a", "2", "--b", "3").code == 0


def test_the_ema_generator_draws_the_path():
    torch.manual_seed(0)
    model = GAN(DCGANConfig(input_shape=(1, SIDE, SIDE), latent_dim=4, channels=(4,), ema=0.9)).eval()
    with torch.no_grad():
        for p in model.generator.parameters():
            p.add_(torch.randn_like(p))  # the raw generator drifts from its average
    z = seed_noise(model, [0])
    ema = decode_noise(model, z)
    assert torch.allclose(ema, model.generate(z, ema=True).clamp(0, 1))
    assert not torch.allclose(ema, model.generate(z, ema=False).clamp(0, 1))


def test_progressive_gan_draws_at_the_resolution_it_reached():
    spec = MODELS["progan"]
    config = spec.config_cls(input_shape=(1, SIDE, SIDE), latent_dim=4, widths=(8, 8), phase_steps=10)
    model = build_model("progan", config).eval()
    blocky = noise_path(model, 0, 1, steps=3)  # step 0: the players are still at 4x4
    assert blocky.shape == (3, 1, SIDE, SIDE)
    assert torch.equal(blocky, blocky[..., ::2, ::2].repeat_interleave(2, -1).repeat_interleave(2, -2))
    model.grown_step.fill_(1000)  # grown to 8x8
    sharp = noise_path(model, 0, 1, steps=3)
    assert sharp.shape == (3, 1, SIDE, SIDE)
    assert not torch.equal(sharp, sharp[..., ::2, ::2].repeat_interleave(2, -1).repeat_interleave(2, -2))


def test_report_of_an_image_gan_shows_its_noise_paths(gan_runs):
    html = (gan_runs["dcgan"] / "report.html").read_text()
    assert "<h2>Noise space</h2>" in html and "straight line (top), arc (bottom)" in html
    assert "(class 0)" in (gan_runs["cgan"] / "report.html").read_text()
    assert "Noise space" not in (gan_runs["toy"] / "report.html").read_text()
    assert "Noise space" not in (gan_runs["vae"] / "report.html").read_text()
