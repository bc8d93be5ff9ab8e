"""The command line: --json output, --help examples, and one clear line for each bad input."""

import json

import numpy as np
import pytest
from PIL import Image

from conftest import run_genlab

VAE_KEYS = {"dataset", "split", "n_examples", "elbo", "recon", "kl", "nll_iwae", "iwae_k", "bits_per_dim"}


def test_evaluate_json_keys_vae(cli, vae_run):
    result = cli("evaluate", vae_run, "--json", "--iwae-k", "10")
    assert result.code == 0, result.err
    payload = json.loads(result.out)  # exactly one JSON object on stdout
    assert VAE_KEYS <= payload.keys()
    assert payload["split"] == "test" and payload["iwae_k"] == 10 and payload["dataset"] == "digits"


def test_evaluate_json_keys_ae(cli, ae_run):
    result = cli("evaluate", ae_run, "--json", "--split", "val")
    payload = json.loads(result.out)
    assert {"dataset", "split", "n_examples", "mse", "psnr"} <= payload.keys()
    assert payload["psnr"] > 5


def test_datasets_json(cli):
    payload = json.loads(cli("datasets", "--json").out)
    names = {d["name"] for d in payload["datasets"]}
    assert {"fashion-mnist", "digits"} <= names
    assert all({"shape", "n_train", "source", "present"} <= d.keys() for d in payload["datasets"])


def test_sample_reconstruct_report(cli, vae_run, tmp_path):
    assert cli("sample", vae_run, "--n", "12", "--ncol", "4", "--out", tmp_path / "s.png").code == 0
    # 3 rows of 4 digits (8x8) with 2-pixel borders, enlarged 8 times: (4 * 10 + 2) * 8 by (3 * 10 + 2) * 8
    assert Image.open(tmp_path / "s.png").size == (336, 256)
    assert cli("reconstruct", vae_run, "--n", "8", "--out", tmp_path / "r.png").code == 0
    result = cli("report", vae_run, "--out", tmp_path / "report.html")
    assert result.code == 0 and result.out.strip().endswith("report.html")


def test_same_seed_same_samples(cli, vae_run, tmp_path):
    for name, seed in (("a", "3"), ("b", "3"), ("c", "4")):
        cli("sample", vae_run, "--n", "8", "--seed", seed, "--out", tmp_path / f"{name}.png")
    a, b, c = (np.asarray(Image.open(tmp_path / f"{name}.png")) for name in "abc")
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize("command", ["datasets", "train vae", "train ae", "evaluate", "sample", "reconstruct", "report"])
def test_help_has_examples(cli, command):
    result = cli(*command.split(), "--help")
    assert result.code == 0 and "Examples" in result.out and "$ genlab" in result.out


def _bad(cli, *args):
    result = cli(*args)
    assert result.code == 2, (result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.err
    assert "Traceback" not in result.err
    return lines[0]


def test_bad_inputs_give_one_clear_line(cli, tmp_path):
    train = ["train", "vae", "--max-steps", "1", "--out", tmp_path / "run"]
    assert "no folder at" in _bad(cli, *train, "--data", f"folder:{tmp_path / 'nowhere'}")
    (tmp_path / "empty").mkdir()
    assert "holds no images" in _bad(cli, *train, "--data", f"folder:{tmp_path / 'empty'}")
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    Image.new("L", (8, 8)).save(corrupt / "fine.png")
    (corrupt / "bad.jpg").write_bytes(b"\xff\xd8\xff garbage")
    assert "bad.jpg" in _bad(cli, *train, "--data", f"folder:{corrupt}")
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    Image.new("L", (8, 8)).save(mixed / "a.png")
    Image.new("L", (9, 8)).save(mixed / "b.png")
    assert "--resize" in _bad(cli, *train, "--data", f"folder:{mixed}")
    np.savez(tmp_path / "wrong.npz", images=np.zeros((4, 8, 8), np.uint8))
    assert "no array 'x'" in _bad(cli, *train, "--data", f"npz:{tmp_path / 'wrong.npz'}")
    assert "choose one of" in _bad(cli, *train, "--data", "imagenet")
    assert "--latent-dim must be at least 1" in _bad(cli, *train, "--data", "digits", "--latent-dim", "0")
    assert not (tmp_path / "run").exists()  # nothing was created for any of them


def test_bad_run_folders(cli, vae_run, tmp_path):
    assert "no run folder" in _bad(cli, "evaluate", tmp_path / "nothing")
    (tmp_path / "plain").mkdir()
    assert "not a genlab run" in _bad(cli, "sample", tmp_path / "plain", "--out", tmp_path / "x.png")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text((vae_run / "config.json").read_text())
    assert "no model.safetensors" in _bad(cli, "evaluate", broken)
    (broken / "model.safetensors").write_bytes(b"\x00" * 100)
    assert "corrupt" in _bad(cli, "evaluate", broken)
    (broken / "config.json").write_text("{not json")
    assert "corrupt" in _bad(cli, "evaluate", broken)


def test_sampling_an_autoencoder_explains_why_not(cli, ae_run, tmp_path):
    assert "no prior" in _bad(cli, "sample", ae_run, "--out", tmp_path / "x.png")


def test_real_process_exit_code_and_no_traceback(tmp_path):
    result = run_genlab("evaluate", tmp_path / "missing", "--json")
    assert result.returncode == 2
    assert result.stdout == "" and result.stderr.startswith("error: no run folder")
    assert "Traceback" not in result.stderr
