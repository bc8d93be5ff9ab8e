"""`genlab detect`: fit and score through the command line, with clear errors for bad input."""

import json

import numpy as np
import pytest
import scipy.io

pytestmark = pytest.mark.usefixtures("one_thread")  # tiny models: see conftest.one_thread


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("detect")
    rng = np.random.default_rng(0)
    w = rng.normal(size=(2, 6))
    x = np.vstack([rng.normal(size=(150, 2)) @ w + 0.05 * rng.normal(size=(150, 6)), 2 * rng.normal(size=(8, 6))])
    y = np.r_[np.zeros(150), np.ones(8)].astype(int)
    lines = [",".join([f"f{i}" for i in range(6)] + ["label"])]
    lines += [",".join(f"{v:.6f}" for v in row) + f",{label}" for row, label in zip(x, y)]
    (folder / "data.csv").write_text("\n".join(lines) + "\n")
    scipy.io.savemat(folder / "data.mat", {"X": x, "y": y[:, None]})
    (folder / "strings.csv").write_text("a,b\n1,2\n3,hello\n")
    (folder / "narrow.csv").write_text("a,b\n1,2\n3,4\n")
    (folder / "nan.csv").write_text("a,b\n1,2\n3,\n")
    return folder


@pytest.fixture(scope="module")
def fitted_run(files, tmp_path_factory):
    from genlab.cli import main  # noqa: F401  (the cli fixture is function-scoped; fit once here)
    from genlab.detect import GenerativeOutlierDetector
    from genlab.detect.app import fit_detector

    out = tmp_path_factory.mktemp("runs") / "od"
    fit_detector(str(files / "data.csv"), out, GenerativeOutlierDetector(epochs=40, random_state=0, device="cpu", batch_size=32))
    return out


def test_fit_json_and_run_folder(cli, files, tmp_path):
    result = cli("detect", "fit", "--data", files / "data.csv", "--out", tmp_path / "run", "--epochs", "20",
                 "--score", "iwae", "--json")  # fmt: skip
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    assert payload["n"] == 158 and payload["kind"] == "tabular" and payload["training_metrics"]["auroc"] > 0.9
    assert payload["score"] == "iwae"  # the documented key; the parameter behind --score is outlier_score
    params = json.loads((tmp_path / "run" / "config.json").read_text())["detector"]["params"]
    assert params["outlier_score"] == "iwae" and "score" not in params
    names = {p.name for p in (tmp_path / "run").iterdir()}
    assert {"config.json", "model.safetensors", "detector.safetensors", "report.html"} <= names
    assert not any(name.endswith((".pkl", ".pickle", ".pt")) for name in names)


def test_score_with_labels_prints_detection_metrics(cli, files, fitted_run, tmp_path):
    result = cli("detect", "score", fitted_run, "--data", files / "data.mat", "--out", tmp_path / "s.csv", "--json")
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    assert {"auroc", "auprc", "precision_at_n", "n", "n_outliers", "threshold"} <= payload.keys()
    assert payload["n"] == 158 and payload["n_outliers"] == 8 and payload["auroc"] > 0.9
    rows = (tmp_path / "s.csv").read_text().splitlines()
    assert rows[0] == "index,score,outlier,label" and len(rows) == 159
    # the CSV and the .mat hold the same rows: the same scores
    again = cli("detect", "score", fitted_run, "--data", f"csv:{files / 'data.csv'}", "--out", tmp_path / "t.csv", "--json")
    assert json.loads(again.out)["auroc"] == payload["auroc"]


def test_report_command(cli, fitted_run):
    result = cli("detect", "report", fitted_run)
    assert result.code == 0 and result.out.strip().endswith("report.html")
    assert "threshold" in (fitted_run / "report.html").read_text()


@pytest.mark.parametrize(
    "name, message",
    [("strings.csv", "column 'b' holds the text 'hello' on line 3"), ("nan.csv", "NaN or infinite"),
     ("narrow.csv", "X has 2 features, but GenerativeOutlierDetector is expecting 6 features as input")],
)  # fmt: skip
def test_bad_scoring_data_exits_2_with_one_line(cli, files, fitted_run, tmp_path, name, message):
    result = cli("detect", "score", fitted_run, "--data", files / name, "--out", tmp_path / "s.csv")
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.err


@pytest.mark.parametrize(
    "args, message",
    [(["--score", "nope"], "score must be one of"), (["--data-file-missing"], ""), (["--contamination", "0.9"], "contamination")],
)  # fmt: skip
def test_bad_fit_options_exit_2(cli, files, tmp_path, args, message):
    if args == ["--data-file-missing"]:
        result = cli("detect", "fit", "--data", tmp_path / "missing.csv", "--out", tmp_path / "r")
        message = "no file at"
    else:
        result = cli("detect", "fit", "--data", files / "data.csv", "--out", tmp_path / "r", *args)
    assert result.code == 2 and message in result.err, result.err


def test_score_needs_a_detector_run(cli, files, tmp_path):
    result = cli("detect", "score", tmp_path / "nothing", "--data", files / "data.csv", "--out", tmp_path / "s.csv")
    assert result.code == 2 and "no run folder" in result.err


@pytest.mark.parametrize("command", ["fit", "score", "report"])
def test_help_has_examples(cli, command):
    result = cli("detect", command, "--help")
    assert result.code == 0 and "$ genlab detect" in result.out


def test_images_get_heat_maps_in_the_report(cli, tmp_path):
    rng = np.random.default_rng(0)
    x = (rng.random((40, 16, 16)) * 255).astype(np.uint8)
    np.savez(tmp_path / "images.npz", x=x, y=np.r_[np.zeros(36), np.ones(4)].astype(int))
    run = tmp_path / "run"
    fit = cli("detect", "fit", "--data", tmp_path / "images.npz", "--out", run, "--epochs", "2", "--hidden", "32",
              "--latent-dim", "4", "--json")  # fmt: skip
    assert fit.code == 0, fit.err
    assert json.loads(fit.out)["kind"] == "images" and (run / "detect_heatmaps.png").is_file()
    scored = cli("detect", "score", run, "--data", tmp_path / "images.npz", "--out", tmp_path / "s.csv", "--json")
    assert scored.code == 0 and json.loads(scored.out)["n_outliers"] == 4
    assert "Where the most unusual images differ" in (run / "report.html").read_text()


def test_fitting_over_an_existing_run_names_only_options_detect_fit_has(cli, tmp_path):
    np.savetxt(tmp_path / "t.csv", np.random.default_rng(0).normal(size=(40, 3)), delimiter=",")
    args = ["detect", "fit", "--data", tmp_path / "t.csv", "--epochs", "1", "--out", tmp_path / "od"]
    assert cli(*args).code == 0
    again = cli(*args)
    assert again.code == 2 and "--overwrite" in again.err and "--resume" not in again.err
