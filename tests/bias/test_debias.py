"""DB-VAE: resampling weights, the masked loss, the per-epoch sampler and its resume."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from genlab.api import resume_run, train_run
from genlab.data import DataSpec
from genlab.errors import ConfigError
from genlab.io import read_safetensors
from genlab.models import DBVAEConfig, DebiasingVAE
from genlab.models.classifier.resampling import debiasing_weights, histogram_probabilities
from genlab.run import Run
from genlab.train import TrainConfig


def test_weights_on_a_hand_built_latent_distribution_equal_the_formula():
    # 1-D latent: 6 points in bin 0 of [0, 1], 2 points in bin 1 (2 bins of width 0.5)
    mu = torch.tensor([[0.0], [0.1], [0.1], [0.2], [0.3], [0.4], [0.9], [1.0]])
    q = histogram_probabilities(mu, bins=2)
    assert torch.allclose(q.squeeze(1), torch.tensor([6, 6, 6, 6, 6, 6, 2, 2], dtype=torch.float64) / 8)
    alpha = 0.1
    raw = torch.tensor([1 / (6 / 8 + alpha)] * 6 + [1 / (2 / 8 + alpha)] * 2)
    expected = raw / raw.sum()
    assert torch.allclose(debiasing_weights(mu, bins=2, alpha=alpha), expected, atol=1e-6)
    # the rare bin gets (0.75 + 0.1) / (0.25 + 0.1) = 2.43 times the weight of a common one
    w = debiasing_weights(mu, bins=2, alpha=alpha)
    assert w[-1] / w[0] == pytest.approx(0.85 / 0.35, rel=1e-5)


def test_a_large_alpha_brings_the_weights_towards_uniform():
    mu = torch.randn(500, 3).pow(3)
    spread = [float(debiasing_weights(mu, 10, a).std()) for a in (0.001, 0.1, 100.0)]
    assert spread[0] > spread[1] > spread[2]
    assert spread[2] < 0.01 / 500  # within 1% of uniform


def test_product_and_max_combinations_differ_as_intended():
    # example 0 is rare in both dimensions, example 1 rare in one only; the rest are common
    mu = torch.zeros(10, 2)
    mu[0] = torch.tensor([1.0, 1.0])
    mu[1] = torch.tensor([1.0, 0.0])
    mu[2:, 0] = torch.linspace(0, 0.1, 8)
    mu[2:, 1] = torch.linspace(0, 0.1, 8)
    a = 0.01
    # bins of width 0.5: dim 0 puts examples 0 and 1 in the top bin (share 2/10); dim 1 only example 0 (1/10)
    prod, mx = debiasing_weights(mu, 2, a, "product"), debiasing_weights(mu, 2, a, "max")
    assert prod[0] / prod[2] == pytest.approx((0.8 + a) * (0.9 + a) / ((0.2 + a) * (0.1 + a)), rel=1e-5)
    assert mx[0] / mx[2] == pytest.approx((0.8 + a) / (0.1 + a), rel=1e-5)  # only the rarest dimension counts
    assert prod[0] / prod[1] > mx[0] / mx[1] >= 1.0
    assert torch.allclose(prod.sum(), torch.tensor(1.0)) and torch.allclose(mx.sum(), torch.tensor(1.0))


def test_bad_weight_options_are_clear():
    with pytest.raises(ConfigError, match="alpha"):
        debiasing_weights(torch.zeros(3, 1), alpha=0)
    with pytest.raises(ConfigError, match="combine"):
        debiasing_weights(torch.zeros(3, 1), combine="sum")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="bins"):
        DBVAEConfig(input_shape=(3, 16, 16), bins=0).validate()


def small_dbvae(**options) -> DebiasingVAE:
    torch.manual_seed(0)
    config = DBVAEConfig(input_shape=(3, 16, 16), latent_dim=4, hidden=(32,), channels=(8, 16), **options)
    return DebiasingVAE(config)


def test_the_vae_term_is_zero_for_negatives_and_shapes_do_not_broadcast():
    model = small_dbvae(kl_weight=1.0)
    x = torch.rand(6, 3, 16, 16)
    negatives = model(x, torch.zeros(6))
    assert negatives["recon"] == 0 and negatives["kl"] == 0
    assert torch.allclose(negatives["loss"], negatives["classification"])
    logits, mu, logvar = model.encode(x)
    assert logits.shape == (6,) and mu.shape == (6, 4) and logvar.shape == (6, 4)
    # with positives the loss grows by exactly their share of the VAE term
    y = torch.tensor([1.0, 0, 1, 0, 0, 0])
    torch.manual_seed(1)
    with torch.no_grad():
        mixed = model(x, y)
    assert mixed["loss"] > mixed["classification"]
    torch.manual_seed(1)
    with torch.no_grad():
        all_pos = model(x[y > 0], torch.ones(2))
    vae_per_positive = all_pos["recon"] + 1.0 * all_pos["kl"]
    assert float(mixed["loss"]) == pytest.approx(float(mixed["classification"] + vae_per_positive * 2 / 6), rel=1e-4)


def test_dbvae_needs_labels():
    with pytest.raises(ConfigError, match="labels"):
        small_dbvae()(torch.rand(2, 3, 16, 16))


def skewed_npz(path: Path, n: int = 400, rare_share: float = 0.1, seed: int = 0) -> tuple[Path, np.ndarray]:
    """Positives: a bright disc on gray, 90% orange and 10% blue (the rare group); negatives: stripes."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:16, :16]
    images, labels, rare = [], [], []
    for i in range(n):
        img = np.full((16, 16, 3), 0.5)
        if i % 2 == 0:
            is_rare = rng.random() < rare_share
            cx, cy, r = rng.uniform(6, 10, 2).tolist() + [rng.uniform(3, 5)]
            disc = (xx - cx) ** 2 + (yy - cy) ** 2 < r**2
            img[disc] = (0.1, 0.2, 0.9) if is_rare else (0.95, 0.6, 0.1)
            labels.append(1)
            rare.append(is_rare)
        else:
            period = rng.integers(2, 5)
            img[(xx // period) % 2 == 0] = rng.uniform(0, 1, 3)
            labels.append(0)
            rare.append(False)
        images.append(img + rng.normal(0, 0.02, img.shape))
    x = (np.clip(np.stack(images), 0, 1) * 255).astype(np.uint8)
    np.savez(path, x=x, y=np.array(labels))
    return path, np.array(rare)


def test_the_rare_group_is_sampled_more_after_one_epoch(tmp_path):
    path, rare = skewed_npz(tmp_path / "skewed.npz")
    options = {"latent_dim": 4, "hidden": (32,), "channels": (8, 16), "bins": 5, "alpha": 0.01}
    run, _ = train_run("dbvae", DataSpec(f"npz:{path}", val_fraction=0.0), TrainConfig(epochs=1, batch_size=32, lr=3e-3), str(tmp_path / "run"), options)
    model = Run(run.path).load_model()
    data = np.load(path)
    x = torch.from_numpy(data["x"]).permute(0, 3, 1, 2).float() / 255
    y = torch.from_numpy(data["y"])
    weights = model.sampling_weights(x, y)
    positive = y == 1
    share_rare = float(weights[torch.from_numpy(rare)].sum() / weights[positive].sum())
    uniform_share = rare.sum() / int(positive.sum())
    assert share_rare > 2 * uniform_share, f"rare share {share_rare:.3f} vs uniform {uniform_share:.3f}"
    # negatives keep weight 1 and the class mass is unchanged
    assert torch.all(weights[~positive] == 1)
    assert float(weights[positive].sum()) == pytest.approx(int(positive.sum()), rel=1e-4)


def test_resume_inside_a_debiased_epoch_matches_uninterrupted(tmp_path):
    path, _ = skewed_npz(tmp_path / "skewed.npz", n=200)
    data = DataSpec(f"npz:{path}", val_fraction=0.0)
    options = {"latent_dim": 4, "hidden": (32,), "channels": (8, 16)}
    train_run("dbvae", data, TrainConfig(epochs=2, batch_size=32), str(tmp_path / "a"), options)
    _, first = train_run("dbvae", data, TrainConfig(epochs=2, batch_size=32, max_steps=10), str(tmp_path / "b"), options)
    assert first.progress.batch > 0  # stopped inside epoch 2, whose weights differ from epoch 1's
    resume_run(str(tmp_path / "b"), max_steps=10_000)
    wa, wb = (read_safetensors(tmp_path / r / "model.safetensors") for r in "ab")
    assert all(torch.equal(wa[k], wb[k]) for k in wa)


def test_sampler_update_restores_training_mode():
    model = small_dbvae()
    model.train()
    from genlab.train.trainer import sampling_weights

    weights = sampling_weights(model, {"x": torch.rand(20, 3, 16, 16), "y": torch.ones(20)})
    assert model.training and weights is not None and weights.shape == (20,)


def test_group_accuracies_match_hand_computed_values():
    from genlab.evaluate.fairness import group_accuracies

    correct = [True, True, True, False, True, False, False, False]
    groups = ["a", "a", "a", "a", "b", "b", "c", "c"]
    result = group_accuracies(correct, groups)
    assert result["groups"] == {"a": 75.0, "b": 50.0, "c": 0.0}
    assert result["mean"] == pytest.approx(125 / 3)
    assert result["variance"] == pytest.approx(np.var([75.0, 50.0, 0.0]))
    assert result["worst"] == 0.0 and result["worst_group"] == "c" and result["gap"] == 75.0
    assert result["overall"] == pytest.approx(50.0)
    with pytest.raises(ValueError, match="one group per prediction"):
        group_accuracies([True], ["a", "b"])


def test_bias_discover_reports_groups_and_rejects_an_empty_folder(cli, tmp_path):
    import json

    out = tmp_path / "report"
    result = cli("bias", "discover", "--data", "faces:n=240,test=48,skin=0.45,0.45,0.05,0.05,0,0", "--resize", "16",
                 "--epochs", "12", "--out", out, "--json")  # fmt: skip
    assert result.code == 0, result.err
    found = json.loads(result.out)
    assert (out / "report.html").is_file() and (out / "discovery.json").is_file()
    shares = {k: v["share"] for k, v in found["groups"].items()}
    assert shares["skin=0"] + shares["skin=1"] > 0.8  # the skew asked for is what the report sees
    assert all(v["mean_weight"] > 0 for v in found["groups"].values())
    again = cli("bias", "discover", "--data", "faces:n=240,test=48", "--out", out)
    assert again.code == 2 and "--overwrite" in again.err  # an existing report is never replaced silently
    reused = cli("bias", "discover", "--model", out / "vae", "--out", tmp_path / "reused" / "report", "--json")
    assert reused.code == 0, reused.err  # a fresh --out folder, even a nested one, is created
    assert json.loads(reused.out)["groups"] == found["groups"]  # same VAE, same data: same weights
    (tmp_path / "empty").mkdir()
    empty = cli("bias", "discover", "--data", f"folder:{tmp_path / 'empty'}", "--out", tmp_path / "r2")
    assert empty.code == 2 and "Traceback" not in empty.err


def test_hard_negatives_are_scrambled_faces_with_the_same_pixels():
    from genlab.data.faces import scramble, tile_orders
    from genlab.data.registry import get_source

    images = torch.rand(3, 3, 32, 32)
    mixed = scramble(images, 4, tile_orders(3, 4, np.random.default_rng(0)))
    assert not torch.equal(mixed, images)
    # the same tiles, rearranged: every image keeps its multiset of pixel values
    assert torch.equal(mixed.flatten(1).sort(1).values, images.flatten(1).sort(1).values)
    train, _ = get_source("faces-detection:n=24,test=24,hard=1").load(resize=32)
    negatives = train.x[train.y == 0]
    assert len(negatives) == 24 and bool((train.factors[train.y == 0] == -1).all())
    with pytest.raises(ValueError, match="hard"):
        get_source("faces-detection:hard=2").load()
