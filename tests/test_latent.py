"""Traversals and interpolation: code paths, KL ordering, inactive dimensions, pictures and the CLI."""

import json
import math
import shutil

import numpy as np
import pytest
import torch
from PIL import Image

from factor_toys import Blobs
from genlab.api import train_run
from genlab.data import DataSpec
from genlab.data.registry import BUILTINS
from genlab.errors import ConfigError
from genlab.latent import INACTIVE_KL, interpolate_codes, kl_per_dimension, lerp, parse_dims, slerp, traverse
from genlab.train import TrainConfig


@pytest.fixture(scope="module")
def blobs_run(one_thread_module, tmp_path_factory):
    """A 2-d VAE trained for about two seconds on 12x12 Gaussian blobs that move in x and y."""
    BUILTINS["test-blobs"] = Blobs()
    try:
        out = tmp_path_factory.mktemp("runs") / "blobs"
        run, _ = train_run(
            "vae", DataSpec("test-blobs", val_fraction=0.0), TrainConfig(epochs=20, batch_size=32, lr=3e-3), str(out),
            {"latent_dim": 2, "hidden": (64,)},
        )  # fmt: skip
        yield run.path
    finally:
        BUILTINS.pop("test-blobs", None)


@pytest.fixture(scope="module")
def tiny_runs(one_thread_module, tmp_path_factory):
    """An autoencoder on blobs and a VAE on digits (no known factors), a few steps each."""
    BUILTINS["test-blobs"] = Blobs()
    try:
        root = tmp_path_factory.mktemp("runs")
        quick = TrainConfig(epochs=1, batch_size=64, max_steps=3)
        ae, _ = train_run(
            "ae", DataSpec("test-blobs"), quick, str(root / "ae"), {"latent_dim": 2, "hidden": (16,)}
        )
        vae, _ = train_run(
            "vae", DataSpec("digits"), quick, str(root / "digits"), {"latent_dim": 2, "hidden": (16,)}
        )
        yield {"ae": ae.path, "digits": vae.path}
    finally:
        BUILTINS.pop("test-blobs", None)


@pytest.fixture
def blobs_registered():
    BUILTINS["test-blobs"] = Blobs()
    yield
    BUILTINS.pop("test-blobs", None)


def test_lerp_and_slerp_paths():
    a, b = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 3.0])
    straight, arc = lerp(a, b, 5), slerp(a, b, 5)
    assert torch.equal(straight[0], a) and torch.equal(straight[-1], b)
    assert torch.allclose(straight[2], torch.tensor([1.5, 1.5]))
    assert torch.allclose(arc[0], a, atol=1e-6) and torch.allclose(arc[-1], b, atol=1e-6)
    assert torch.allclose(arc.norm(dim=1), torch.full((5,), 3.0))  # the arc keeps the radius
    assert torch.allclose(arc[2], torch.full((2,), 3 / math.sqrt(2)))
    assert torch.allclose(slerp(a, 2 * a, 3), lerp(a, 2 * a, 3))  # same direction: a line
    with pytest.raises(ConfigError, match="--steps"):
        interpolate_codes(a, b, 1)


def test_kl_per_dimension_by_hand():
    mu = torch.tensor([[1.0, 0.0], [-1.0, 0.0]])
    logvar = torch.zeros(2, 2)
    assert torch.allclose(kl_per_dimension(mu, logvar), torch.tensor([0.5, 0.0]))


def test_dimension_indices_are_checked():
    assert parse_dims("all", 4) is None and parse_dims("3, 0", 4) == [3, 0]
    with pytest.raises(ConfigError, match="dimension 4 is out of range: the model has 4"):
        parse_dims("1,4", 4)
    with pytest.raises(ConfigError, match="comma-separated"):
        parse_dims("x", 4)


class _Planted(torch.nn.Module):
    """Dimension 1 carries x's brightness (KL > 0); dimension 0 is the prior for every x (KL = 0)."""

    def posterior(self, x):
        mean = x.flatten(1).mean(1, keepdim=True) * 4 - 2
        return torch.cat([torch.zeros_like(mean), mean], 1), torch.zeros(len(x), 2)

    def decode(self, z):
        return torch.sigmoid(z[:, 1]).view(-1, 1, 1, 1).expand(-1, 1, 4, 4)

    def to_data(self, output):
        return output


def test_traversal_sorts_by_kl_and_marks_inactive_dimensions():
    x = torch.rand(50, 1, 4, 4)
    t = traverse(_Planted(), x, steps=5, low=-2, high=2)
    assert t.dims == [1, 0] and t.active == [True, False] and t.kl[1] < INACTIVE_KL < t.kl[0]
    assert t.images.shape == (2, 5, 1, 4, 4) and t.values == [-2.0, -1.0, 0.0, 1.0, 2.0]
    assert torch.all(t.images[0, 1:].mean((1, 2, 3)) > t.images[0, :-1].mean((1, 2, 3)))  # brighter along z1
    assert torch.all(t.images[1] == t.images[1, :1])  # the decoder ignores z0
    figure = t.figure()
    assert figure.height > 2 * 4 and figure.width > t.images.shape[1] * 4
    assert len(t.frames()) == 2 * 5 - 2  # there and back


def test_traversal_of_a_trained_model_moves_the_blob_monotonically(blobs_run):
    from genlab.latent import traverse_run

    t = traverse_run(str(blobs_run), steps=7, low=-2, high=2)
    assert sorted(t.dims) == [0, 1] and t.kl == sorted(t.kl, reverse=True) and all(t.active)
    grid = torch.arange(12.0)
    for row in t.images[:, :, 0]:  # (steps, H, W)
        mass = row.sum((1, 2))
        centers = [(row.sum(1) * grid).sum(1) / mass, (row.sum(2) * grid).sum(1) / mass]  # x, y
        moved = max(centers, key=lambda c: float((c[-1] - c[0]).abs()))
        steps = np.sign(np.diff(moved.numpy()))
        assert abs(float(moved[-1] - moved[0])) > 2.0, moved  # pixels
        assert np.all(steps == steps[0]), moved  # monotonic


def test_traverse_and_interpolate_commands(cli, blobs_run, tmp_path):
    assert (
        cli("traverse", blobs_run, "--out", tmp_path / "t.png", "--range", "-2", "2", "--steps", "5").code
        == 0
    )
    assert Image.open(tmp_path / "t.png").size[0] > 5 * 12
    assert cli("traverse", blobs_run, "--out", tmp_path / "t.gif", "--dims", "1").code == 0
    assert Image.open(tmp_path / "t.gif").n_frames == 2 * 9 - 2
    assert (
        cli("interpolate", blobs_run, "--out", tmp_path / "i.png", "--a", "0", "--b", "35", "--slerp").code
        == 0
    )
    assert Image.open(tmp_path / "i.png").size[0] > 12 * 12  # a, 10 steps, b
    assert cli("interpolate", blobs_run, "--out", tmp_path / "i.gif", "--steps", "6").code == 0
    assert Image.open(tmp_path / "i.gif").n_frames == 2 * 6 - 2


def _bad(cli, *args):
    result = cli(*args)
    assert result.code == 2, (result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.err
    return lines[0]


def test_bad_latent_inputs_give_one_clear_line(cli, blobs_run, tiny_runs, tmp_path, blobs_registered):
    ae_run = tiny_runs["ae"]
    assert "dimension 2 is out of range" in _bad(
        cli, "traverse", blobs_run, "--out", tmp_path / "t.png", "--dims", "0,2"
    )
    assert "--a 36 is out of range" in _bad(
        cli, "interpolate", blobs_run, "--out", tmp_path / "i.png", "--a", "36"
    )
    assert ".png or .gif" in _bad(cli, "traverse", blobs_run, "--out", tmp_path / "t.jpg")
    assert "LOW < HIGH" in _bad(cli, "traverse", blobs_run, "--out", tmp_path / "t.png", "--range", "2", "-2")
    assert "VAE-family" in _bad(cli, "traverse", ae_run, "--out", tmp_path / "t.png")


def test_report_shows_the_latent_code_of_vae_runs_only(blobs_run, tiny_runs, tmp_path, blobs_registered):
    ae_run = tiny_runs["ae"]
    from genlab.report import write_report

    html = write_report(blobs_run, tmp_path / "r.html").read_text()
    assert (
        "<h2>Latent code</h2>" in html
        and "image/gif" in html
        and "2 of 2 latent dimensions are active" in html
    )
    assert "Latent code" not in write_report(ae_run, tmp_path / "ae.html").read_text()


def test_evaluate_disentanglement_of_a_run_with_factors(cli, blobs_run, blobs_registered):
    result = cli(
        "evaluate", blobs_run, "--json", "--iwae-k", "2", "--disentanglement", "--disentanglement-n", "300"
    )
    assert result.code == 0, result.err
    scores = json.loads(result.out)["disentanglement"]
    assert set(scores) == {"mig", "dci", "sap", "beta_vae", "factor_vae"}
    assert scores["mig"]["num_train"] == 300 and scores["factor_vae"]["num_eval"] == 150
    assert scores["beta_vae"]["batch_size"] == 64 and scores["dci"]["num_test"] == 150
    for value in (
        scores["mig"]["mig"],
        scores["dci"]["disentanglement"],
        scores["factor_vae"]["eval_accuracy"],
    ):
        assert 0.0 <= value <= 1.0
    assert scores["dci"]["informativeness_test"] > 0.9  # the blob's position is in the code


def test_evaluate_scores_disentanglement_as_the_uncached_metrics_do(blobs_run, blobs_registered, tmp_path):
    """A deterministic view is coded through the cache, a binarized one draws fresh noise for every
    image drawn (as before the cache): either way the scores are those of the plain metrics."""
    from genlab.data.factors import factor_source
    from genlab.evaluate import evaluate_run
    from genlab.evaluate.disentanglement import compute_all, model_representation
    from genlab.run import Run
    from genlab.seeding import derive_seed

    binarized = tmp_path / "binarized"
    shutil.copytree(blobs_run, binarized)
    config = json.loads((binarized / "config.json").read_text())
    config["data"]["binarize"] = True  # the blobs are gray, so the binarized view is a random draw
    (binarized / "config.json").write_text(json.dumps(config))
    for path in (blobs_run, binarized):
        run = Run(path)
        spec = run.load_config().data
        result = evaluate_run(str(path), n=8, iwae_k=1, save=False, device="cpu", disentanglement=True, disentanglement_n=50)
        represent = model_representation(run.load_model(), spec, "cpu", derive_seed(0, "factor-noise"))
        expected = compute_all(factor_source(spec.name), represent, derive_seed(0, "factors"), 50)
        assert result["disentanglement"] == expected


def test_disentanglement_needs_a_data_set_with_factors(cli, tiny_runs):
    line = _bad(cli, "evaluate", tiny_runs["digits"], "--disentanglement")
    assert "'digits' has no known factors" in line


@pytest.mark.parametrize("command", ["traverse", "interpolate", "train iwae", "train annealed-vae"])
def test_help_has_examples(cli, command):
    result = cli(*command.split(), "--help")
    assert result.code == 0 and "Examples" in result.out and "$ genlab" in result.out
