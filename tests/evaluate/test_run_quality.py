"""``genlab evaluate RUN --quality``: sample quality of a run folder."""

import json

import pytest
import torch

from genlab.evaluate.inception import InceptionV3Features

SMALL = ("--n-generated", "200", "--n-real", "100", "--kid-subsets", "5", "--kid-subset-size", "50")


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GENLAB_CACHE", str(tmp_path / "cache"))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small networks: one thread is faster
    yield
    torch.set_num_threads(threads)


def test_quality_json_of_a_vae_run(cli, vae_run):
    result = cli("evaluate", vae_run, "--quality", "--json", *SMALL)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    for key in ("fd", "kid", "kid_std", "precision", "recall"):
        assert isinstance(data[key], float)
    assert data["feature_extractor"] == "classifier:digits"
    assert (data["n_generated"], data["n_real"], data["k"]) == (200, 100, 3)
    assert data["fd"] > 0 and 0 <= data["precision"] <= 1 and 0 <= data["recall"] <= 1
    assert data["feature_info"]["cached"] is False and data["feature_info"]["test_accuracy"] > 0.5
    assert json.loads((vae_run / "quality_test.json").read_text())["fd"] == data["fd"]
    report = (vae_run / "report.html").read_text()  # refreshed with the new scores
    assert "Sample quality against the test split" in report and "precision" in report

    again = json.loads(cli("evaluate", vae_run, "--quality", "--json", *SMALL).out)
    assert again["feature_info"]["cached"] is True
    assert again["fd"] == data["fd"] and again["precision"] == data["precision"]  # seeded throughout


def test_quality_table_and_errors(cli, vae_run, ae_run):
    table = cli("evaluate", vae_run, "--quality", *SMALL)
    assert table.code == 0 and "precision" in table.out and "classifier:digits" in table.out
    result = cli("evaluate", ae_run, "--quality", "--json", *SMALL)
    assert result.code == 2 and "draws no samples" in result.err
    result = cli("evaluate", vae_run, "--quality", "--json", *SMALL, "--inception", "/nonexistent/pt_inception.pth")
    assert result.code == 2 and "no Inception weights file" in result.err
    result = cli("evaluate", vae_run, "--quality", "--json", *SMALL, "--features", "vgg")
    assert result.code == 2 and "unknown feature extractor" in result.err


@pytest.mark.slow
def test_quality_with_a_local_inception_file(cli, vae_run, tmp_path):
    torch.manual_seed(0)
    path = tmp_path / "pt_inception-random.pth"
    torch.save(InceptionV3Features().state_dict(), path)
    result = cli("evaluate", vae_run, "--quality", "--json", "--n-generated", "6", "--n-real", "6", "--k", "2",
                 "--kid-subsets", "2", "--inception", path)  # fmt: skip
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["feature_extractor"] == "inception-v3-fid" and data["feature_dim"] == 2048


class _Model(torch.nn.Module):
    def __init__(self, low):
        super().__init__()
        self.low = low

    def sample(self, n, generator=None):
        return self.low + (1 - self.low) * torch.rand(n, 1, 4, 4, generator=generator)


def test_draw_samples_is_seeded_batched_and_warns_about_the_range(caplog):
    from genlab.evaluate.run_quality import draw_samples

    a = draw_samples(_Model(0.0), 7, seed=3, batch_size=3)
    assert a.shape == (7, 1, 4, 4) and torch.equal(a, draw_samples(_Model(0.0), 7, seed=3, batch_size=3))
    assert "should return images in [0, 1]" not in caplog.text
    b = draw_samples(_Model(-1.0), 50, seed=0)
    assert "should return images in [0, 1]" in caplog.text and b.min() >= 0


def test_unlabeled_runs_use_factor_labels_when_the_data_set_has_factors(monkeypatch):
    from types import SimpleNamespace

    import genlab.evaluate.run_quality as rq
    from genlab.data import DataSpec
    from genlab.data.dataset import Dataset
    from genlab.data.splits import Splits

    x = torch.rand(40, 1, 8, 8)
    pool = Splits(Dataset(x[:30]), Dataset(x[:0]), Dataset(x[30:]))
    rendered = Dataset(x, torch.randint(0, 3, (40, 2)))
    seen = {}

    def fake_extractor(train, test, kind, name, device):
        seen.update(train=train, test=test, name=name)
        return "extractor"

    monkeypatch.setattr(rq, "load_splits", lambda spec: pool)
    monkeypatch.setattr(rq, "feature_extractor", fake_extractor)
    config = SimpleNamespace(data=DataSpec("bars"))
    monkeypatch.setattr(rq, "factor_labeled", lambda name, n, resize, bits: rendered)
    monkeypatch.setattr(rq, "FACTOR_TEST", 10)
    rq._run_features(config, "auto", None, torch.device("cpu"))
    assert seen["name"] == "bars-factors" and seen["train"].y.shape == (30, 2) and len(seen["test"]) == 10
    monkeypatch.setattr(rq, "factor_labeled", lambda name, n, resize, bits: None)  # no factors: the autoencoder's turn
    rq._run_features(config, "auto", None, torch.device("cpu"))
    assert seen["name"] == "bars" and seen["train"].y is None
