"""The command line: --json output, --help examples, and one clear line for each bad input."""

import json
import shutil

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


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_bad_output_paths_leave_the_run_alone(cli, vae_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(vae_run, run)
    before = _snapshot(run)
    assert ".png or .csv" in _bad(cli, "sample", run, "--out", run / "model.safetensors")
    assert ".png" in _bad(cli, "reconstruct", run, "--out", run / "trainer_state.safetensors")
    assert ".html" in _bad(cli, "report", run, "--out", run / "config.json")
    (tmp_path / "images.png").mkdir()
    assert "is a folder" in _bad(cli, "sample", run, "--n", "4", "--out", tmp_path / "images.png")
    (tmp_path / "afile").write_text("mine")
    assert "a file is in the way" in _bad(cli, "sample", run, "--n", "4", "--out", tmp_path / "afile" / "x.png")
    assert _snapshot(run) == before
    assert not list(tmp_path.glob(".*.tmp"))  # no half-written temp files left behind


def test_bad_resumes_leave_the_run_alone(cli, vae_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(vae_run, run)
    before = _snapshot(run)
    assert "already trained 15 of 15 epochs" in _bad(cli, "train", "vae", "--out", run, "--resume")
    assert _snapshot(run) == before  # the summary of the finished run is not rewritten
    (run / "trainer_state.safetensors").unlink()
    (run / "trainer_state.previous.safetensors").unlink()  # with it, --resume would go on from there
    before = _snapshot(run)
    message = _bad(cli, "train", "vae", "--out", run, "--resume", "--epochs", "20")
    assert "no trainer_state.safetensors" in message and "still serves evaluate" in message
    assert _snapshot(run) == before  # config.json keeps its 15 epochs


def test_report_needs_weights(cli, vae_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(vae_run, run)
    (run / "model.safetensors").unlink()
    before = _snapshot(run)
    assert "no model.safetensors" in _bad(cli, "report", run)
    assert _snapshot(run) == before


def test_more_bad_options(cli, vae_run, tmp_path):
    train = ["train", "vae", "--max-steps", "1", "--out", tmp_path / "run"]
    assert "--epochs must be at least 1" in _bad(cli, *train, "--data", "digits", "--epochs", "0")
    assert "--data is empty" in _bad(cli, *train, "--data", " ")
    np.save(tmp_path / "plain.npy", np.zeros((4, 3)))
    assert "not a NumPy .npz archive" in _bad(cli, *train, "--data", f"npz:{tmp_path / 'plain.npy'}")
    np.savez(tmp_path / "scalar.npz", x=np.float32(1))
    assert "single number" in _bad(cli, *train, "--data", f"npz:{tmp_path / 'scalar.npz'}")
    assert not (tmp_path / "run").exists()
    assert "--batch-size must be at least 1" in _bad(cli, "evaluate", vae_run, "--batch-size", "0")


def test_bias_discover_overwrite_keeps_the_old_folder_when_it_fails(cli, vae_run, tmp_path):
    out = tmp_path / "bias"
    out.mkdir()
    (out / "discovery.json").write_text("{}")
    assert "no folder at" in _bad(cli, "bias", "discover", "--model", vae_run, "--data", f"folder:{tmp_path / 'nope'}",
                                  "--out", out, "--overwrite")  # fmt: skip
    assert (out / "discovery.json").read_text() == "{}"
    inside = tmp_path / "holder"
    shutil.copytree(vae_run, inside / "vae")
    assert "which --overwrite would delete" in _bad(cli, "bias", "discover", "--model", inside / "vae", "--out", inside, "--overwrite")
    assert (inside / "vae" / "model.safetensors").is_file()
