"""The pictures of a run's latent code load only the test images they show, and show the same ones."""

import json
import shutil

import pytest
import torch

from genlab.api import train_run
from genlab.data import DataSpec
from genlab.data.shapes import ShapesFactors
from genlab.latent import KL_EXAMPLES, interpolate, interpolate_run, load_images, traverse, traverse_run
from genlab.train import TrainConfig

N_TEST = 1200  # more than the KL_EXAMPLES a traversal averages over


@pytest.fixture(scope="module")
def shapes_runs(one_thread_module, tmp_path_factory):
    """A VAE trained for one step on 16x16 sprites (gray levels after resizing), and a copy whose
    config says --binarize, so that its view of an image is a random draw."""
    root = tmp_path_factory.mktemp("runs")
    run, _ = train_run(
        "vae", DataSpec(f"shapes:n=64,test={N_TEST}", resize=16), TrainConfig(epochs=1, max_steps=1), str(root / "plain"),
        {"latent_dim": 2, "hidden": (16,)},
    )  # fmt: skip
    binarized = root / "binarized"
    shutil.copytree(run.path, binarized)
    config = json.loads((binarized / "config.json").read_text())
    config["data"]["binarize"] = True
    (binarized / "config.json").write_text(json.dumps(config))
    return {"plain": run.path, "binarized": binarized}


@pytest.fixture
def rendered(monkeypatch) -> list[int]:
    """How many sprites each call of ShapesFactors.render draws."""
    counts: list[int] = []
    original = ShapesFactors.render

    def counting(self, factors):
        counts.append(len(factors))
        return original(self, factors)

    monkeypatch.setattr(ShapesFactors, "render", counting)
    return counts


def _base_beyond_the_kl_examples() -> int:
    """A seed whose traversal starts from a test image after the first KL_EXAMPLES."""
    draw = lambda seed: int(torch.randint(N_TEST, (), generator=torch.Generator().manual_seed(seed)))
    return next(seed for seed in range(100) if draw(seed) >= KL_EXAMPLES)


def test_traverse_renders_the_kl_examples_and_the_base_only(shapes_runs, rendered):
    seed = _base_beyond_the_kl_examples()
    shown = traverse_run(str(shapes_runs["plain"]), seed=seed, device="cpu")
    assert sum(rendered) == KL_EXAMPLES + 1  # not the 1,200 test images
    model, x = load_images(str(shapes_runs["plain"]), device="cpu")  # the whole split, as before
    assert shown.base_index >= KL_EXAMPLES
    expected = traverse(model, x, base_index=shown.base_index)
    assert torch.equal(shown.images, expected.images) and shown.kl == expected.kl and shown.dims == expected.dims


def test_interpolate_renders_its_two_images_only(shapes_runs, rendered):
    a, path, b = interpolate_run(str(shapes_runs["plain"]), a=1150, b=3, steps=4, device="cpu")
    assert sum(rendered) == 2
    model, x = load_images(str(shapes_runs["plain"]), device="cpu")
    assert torch.equal(a, x[1150]) and torch.equal(b, x[3])
    assert torch.equal(path, interpolate(model, x[1150], x[3], steps=4))


def test_a_noisy_view_gives_an_image_the_draw_it_gets_in_the_whole_split(shapes_runs):
    index = torch.tensor([1100, 3])
    _, some = load_images(str(shapes_runs["binarized"]), seed=5, device="cpu", index=index)
    _, every = load_images(str(shapes_runs["binarized"]), seed=5, device="cpu")
    _, plain = load_images(str(shapes_runs["plain"]), device="cpu", index=index)
    assert not torch.equal(some, plain)  # the view is a random draw of the gray sprites ...
    assert torch.equal(some, every[index])  # ... and the same draw as when the whole split is loaded
