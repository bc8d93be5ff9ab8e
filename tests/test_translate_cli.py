"""pix2pix and CycleGAN from the command line: train, translate every input at its size, evaluate, and bad input."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PIL import Image
from tests.test_cli import _bad, _snapshot

from genlab.data.splits import DataSpec
from genlab.train.config import TrainConfig
from genlab.workflows import train_run

TINY = ["--ngf", "4", "--ndf", "4", "--batch-size", "4", "--max-steps", "3"]


def _save(path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


@pytest.fixture(scope="module")
def aligned(tmp_path_factory):
    """An A|B folder of 16x16 pairs: the target is the input upside down."""
    root = tmp_path_factory.mktemp("aligned")
    rng = np.random.default_rng(0)
    for part, n in (("train", 12), ("test", 4)):
        for i in range(n):
            a = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
            _save(root / part / f"{i:02d}.png", np.concatenate([a, a[::-1]], axis=1))
    return root


@pytest.fixture(scope="module")
def pix2pix_run(aligned, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "p2p"
    config = TrainConfig(batch_size=4, max_steps=3)
    run, _ = train_run("pix2pix", DataSpec(f"aligned:{aligned}"), config, str(out), {"ngf": 4, "ndf": 4})
    return run.path


def test_translate_writes_every_input_at_its_own_size(cli, pix2pix_run, tmp_path):
    rng = np.random.default_rng(1)
    inputs = tmp_path / "in"
    sizes = [(16, 16)] * 60 + [(24, 40), (33, 17)]  # more than 50, and not square or even a power of two
    for i, (h, w) in enumerate(sizes):
        _save(inputs / f"img{i:03d}.png", rng.integers(0, 256, (h, w, 3), dtype=np.uint8))
    result = cli("translate", pix2pix_run, "--input", inputs, "--out", tmp_path / "out", "--batch-size", "8")
    assert result.code == 0, result.err
    written = sorted((tmp_path / "out").glob("*.png"))
    assert len(written) == len(sizes)
    assert Image.open(tmp_path / "out" / "img061.png").size == (17, 33)
    assert Image.open(tmp_path / "out" / "img060.png").size == (40, 24)


def test_translation_is_deterministic_in_evaluation_mode(cli, pix2pix_run, tmp_path):
    _save(tmp_path / "one.png", np.random.default_rng(2).integers(0, 256, (16, 16, 3), dtype=np.uint8))
    for out in ("a", "b"):  # dropout is off when translating: the same input, the same output
        assert cli("translate", pix2pix_run, "--input", tmp_path / "one.png", "--out", tmp_path / out).code == 0
    assert (tmp_path / "a" / "one.png").read_bytes() == (tmp_path / "b" / "one.png").read_bytes()


def test_evaluate_translation_scores_against_doing_nothing(cli, pix2pix_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(pix2pix_run, run)
    result = cli("evaluate", run, "--translation", "--json")
    assert result.code == 0, result.err
    scores = json.loads(result.out)
    assert scores["n_examples"] == 4 and scores["direction"] == "AtoB"
    assert set(scores["translation"]) >= {"l1", "psnr", "ssim"} and "doing_nothing" in scores
    assert (run / "translation_test.json").is_file()


def test_bad_translation_inputs_give_one_clear_line(cli, pix2pix_run, aligned, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(pix2pix_run, run)
    before = _snapshot(run)
    (tmp_path / "notes.png").write_text("not an image")
    assert "notes.png" in _bad(cli, "translate", run, "--input", tmp_path / "notes.png", "--out", tmp_path / "o")
    assert "direction" in _bad(cli, "translate", run, "--input", aligned / "test", "--out", tmp_path / "o", "--direction", "BtoA")
    assert _snapshot(run) == before

    unaligned = tmp_path / "h2z"
    for part in ("trainA", "trainB"):
        for i in range(4):
            _save(unaligned / part / f"{i}.png", np.full((16, 16, 3), i, dtype=np.uint8))
    train = ["train", "pix2pix", *TINY, "--out", tmp_path / "new"]
    assert "unaligned:" in _bad(cli, *train, "--data", f"aligned:{unaligned}")
    assert "pairs" in _bad(cli, *train, "--data", f"unaligned:{unaligned}")
    assert "pairs" in _bad(cli, *train, "--data", "digits", "--data-b", "fashion-mnist", "--resize", "16")

    gray = tmp_path / "gray2color"
    for i in range(4):
        _save(gray / "trainA" / f"{i}.png", np.full((16, 16), i, dtype=np.uint8))
        _save(gray / "trainB" / f"{i}.png", np.full((16, 16, 3), i, dtype=np.uint8))
    cyclegan = ["train", "cyclegan", *TINY, "--blocks", "1", "--out", tmp_path / "cg"]
    assert "identity" in _bad(cli, *cyclegan, "--data", f"unaligned:{gray}")
    assert "two domains" in _bad(cli, *cyclegan, "--data", f"aligned:{aligned}")
    for file in (gray / "trainB").iterdir():
        file.unlink()
    assert "holds no images" in _bad(cli, *cyclegan, "--data", f"unaligned:{gray}")


def test_a_model_that_does_not_translate_is_refused_by_name(cli, ae_run, tmp_path):
    (tmp_path / "one.png").write_bytes(b"")
    line = _bad(cli, "translate", ae_run, "--input", tmp_path / "one.png", "--out", tmp_path / "o")
    assert "'ae' model" in line and str(ae_run) in line and "does not translate" in line
    assert "'ae' model" in _bad(cli, "evaluate", ae_run, "--translation")
