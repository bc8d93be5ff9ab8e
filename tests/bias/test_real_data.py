"""The real-data path: folders of faces and non-faces with an attributes CSV, through bias discover,
DB-VAE training and evaluate --fairness on a separate balanced test folder."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from face_folders import balanced_test_folder, write_csv, write_faces, write_others
from genlab.api import train_run
from genlab.data import DataSpec, get_source
from genlab.run import Run
from genlab.train import TrainConfig


def test_bias_discover_reports_the_csv_groups_of_a_folder(cli, tmp_path):
    rng = np.random.default_rng(0)
    skins = ["dark" if rng.random() < 0.15 else "light" for _ in range(120)]
    glasses = [str(v) for v in rng.choice([-1, 1], size=120)]
    names = write_faces(tmp_path / "celeba", skins)
    write_csv(
        tmp_path / "attrs.csv", ["file", "skin", "Eyeglasses"], [list(r) for r in zip(names, skins, glasses)]
    )
    data = f"folder:{tmp_path / 'celeba'},attributes={tmp_path / 'attrs.csv'}"
    result = cli("bias", "discover", "--data", data, "--epochs", "15", "--out", tmp_path / "report", "--json")
    assert result.code == 0, result.err
    found = json.loads(result.out)
    assert set(found["groups"]) == {"skin=dark", "skin=light", "Eyeglasses=-1", "Eyeglasses=1"}
    # the counts are those of the CSV rows of the analysed (training) images
    from genlab.data import load_splits

    train = load_splits(DataSpec(data)).train
    n_dark = int((train.factor("skin") == 0).sum())
    assert found["groups"]["skin=dark"]["n"] == n_dark and found["n_examples"] == len(train)
    assert found["groups"]["skin=dark"]["share"] == pytest.approx(n_dark / len(train), abs=1e-4)
    for attribute, levels in (("skin", ("dark", "light")), ("Eyeglasses", ("-1", "1"))):
        groups = [found["groups"][f"{attribute}={level}"] for level in levels]
        assert sum(g["share"] for g in groups) == pytest.approx(1, abs=1e-3)
        assert sum(g["n"] * g["mean_weight"] for g in groups) / len(train) == pytest.approx(
            1, abs=1e-3
        )  # weights average 1
    assert (
        found["groups"]["skin=dark"]["mean_weight"] > 1 > found["groups"]["skin=light"]["mean_weight"]
    )  # found without labels
    assert "<td>skin</td><td class='num'>dark</td>" in (tmp_path / "report" / "report.html").read_text()


@pytest.fixture(scope="module")
def detection_run(tmp_path_factory):
    """A DB-VAE trained for two epochs on a folder of faces (1-faces/) and non-faces (0-other/)."""
    root = tmp_path_factory.mktemp("real")
    write_faces(root / "det" / "1-faces", ["dark" if i % 10 == 0 else "light" for i in range(60)])
    write_others(root / "det" / "0-other", 60)
    options = {"latent_dim": 4, "hidden": (32,), "channels": (8, 16)}
    run, _ = train_run(
        "dbvae",
        DataSpec(f"folder:{root / 'det'}"),
        TrainConfig(epochs=2, batch_size=16, lr=3e-3),
        str(root / "run"),
        options,
    )
    return root, run.path


def test_evaluate_fairness_on_a_separate_balanced_folder_matches_hand_counts(cli, detection_run, tmp_path):
    _, run = detection_run
    csv = balanced_test_folder(tmp_path / "ppb")
    data = f"folder:{tmp_path / 'ppb'},attributes={csv.name}"
    result = cli("evaluate", run, "--fairness", "--data", data, "--groups", "skin,gender", "--json")
    assert result.code == 0, result.err
    found = json.loads(result.out)
    assert found["split"] == "all" and found["n_examples"] == 24 and found["dataset"] == data
    fairness = found["fairness"]
    assert fairness["group_sizes"] == {
        f"skin={s}|gender={g}": 6 for s in ("dark", "light") for g in ("female", "male")
    }
    # by hand: the model's own predictions on the folder, grouped by the CSV
    images, _ = get_source(data).load()
    model = Run(run).load_model()
    with torch.no_grad():
        detected = (model.classify(images.x) > 0).numpy()
    for key, accuracy in fairness["groups"].items():
        skin, gender = (part.split("=")[1] for part in key.split("|"))
        members = (images.factor("skin") == ("dark", "light").index(skin)) & (
            images.factor("gender") == ("female", "male").index(gender)
        )
        assert accuracy == pytest.approx(100 * detected[members.numpy()].mean())
    assert found["accuracy"] == pytest.approx(detected.mean())  # no labels: every image counts as a face
    assert not (run / "eval_all.json").exists()  # another data set's scores stay out of the run folder
    # the run's own test split still evaluates as before
    own = cli("evaluate", run, "--json")
    assert own.code == 0 and json.loads(own.out)["split"] == "test" and (run / "eval_test.json").exists()


def test_evaluate_fairness_on_a_labeled_test_folder_scores_the_faces_only(cli, detection_run, tmp_path):
    _, run = detection_run
    faces = write_faces(tmp_path / "test" / "1-faces", ["dark", "light"] * 4)
    write_others(tmp_path / "test" / "0-other", 5)
    write_csv(
        tmp_path / "a.csv",
        ["file", "skin"],
        [[f"1-faces/{n}", ("dark", "light")[i % 2]] for i, n in enumerate(faces)],
    )
    result = cli(
        "evaluate",
        run,
        "--fairness",
        "--data",
        f"folder:{tmp_path / 'test'},attributes={tmp_path / 'a.csv'}",
        "--groups",
        "skin",
        "--json",
    )
    assert result.code == 0, result.err
    found = json.loads(result.out)
    assert found["n_examples"] == 13 and found["accuracy_negatives"] is not None
    assert found["fairness"]["group_sizes"] == {"skin=dark": 4, "skin=light": 4}


def test_fairness_errors_name_what_to_do(cli, detection_run, tmp_path):
    _, run = detection_run
    csv = balanced_test_folder(tmp_path / "ppb", n=8)
    data = f"folder:{tmp_path / 'ppb'},attributes={csv.name}"
    missing = cli("evaluate", run, "--fairness", "--data", data, "--groups", "skin,age")
    assert (
        missing.code == 2
        and "--groups asks for 'age', but the data's attributes are skin, gender" in missing.err
    )
    bare = cli("evaluate", run, "--fairness", "--data", f"folder:{tmp_path / 'ppb'}", "--groups", "skin")
    assert bare.code == 2 and "attributes=FILE.csv" in bare.err
    gray = tmp_path / "gray"
    gray.mkdir()
    from PIL import Image

    for i in range(3):
        Image.new("L", (16, 16), 40 * i).save(gray / f"{i}.png")
    wrong = cli("evaluate", run, "--data", f"folder:{gray}")
    assert (
        wrong.code == 2 and "takes examples shaped (3, 16, 16)" in wrong.err and "Traceback" not in wrong.err
    )
