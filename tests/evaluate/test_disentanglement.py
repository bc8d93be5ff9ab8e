"""Disentanglement metrics on constructed codes: ideal, permuted/rescaled, random, redundant, collapsed."""

import numpy as np
import pytest
import torch

from factor_toys import PixelFactors
from genlab.data.factors import FactorSource
from genlab.evaluate import disentanglement as dis

SOURCE = PixelFactors((3, 5, 4))
N = 2000


def identity(images):
    return SOURCE.identity(images)


def permuted_rescaled(images):
    codes = SOURCE.identity(images)[:, [2, 0, 1]]
    return codes * np.array([3.0, -0.5, 20.0]) + np.array([1.0, -7.0, 0.2])


class RandomCode:
    """A code that ignores the image: fresh random numbers on every call, repeatable per instance."""

    def __init__(self) -> None:
        self.rng = np.random.default_rng(0)

    def __call__(self, images):
        return self.rng.normal(size=(len(images), 3))


def with_collapsed_dims(images):
    codes = SOURCE.identity(images)
    return np.concatenate([codes, np.zeros((len(images), 2))], axis=1)


def duplicated(images):
    codes = SOURCE.identity(images)
    return np.concatenate([codes, codes], axis=1)


def test_toy_is_a_factor_source():
    assert isinstance(SOURCE, FactorSource)


@pytest.mark.parametrize(
    "represent", [identity, permuted_rescaled, with_collapsed_dims], ids=["identity", "permuted", "collapsed"]
)
def test_a_perfect_code_scores_near_one(represent):
    mig = dis.compute_mig(SOURCE, represent, 0, num_train=N)
    dci = dis.compute_dci(SOURCE, represent, 0, num_train=N, num_test=N // 2)
    fvae = dis.compute_factor_vae(SOURCE, represent, 0, num_train=300, num_eval=150, num_variance_estimate=N)
    bvae = dis.compute_beta_vae(SOURCE, represent, 0, batch_size=16, num_train=300, num_eval=150)
    assert mig["mig"] > 0.95 and mig["num_train"] == N and mig["num_bins"] == 20
    assert dci["disentanglement"] > 0.95 and dci["completeness"] > 0.95, dci
    assert dci["informativeness_test"] > 0.99 and dci["num_test"] == N // 2
    assert fvae["eval_accuracy"] == 1.0 and fvae["num_active_dims"] == 3 and fvae["batch_size"] == 64
    assert bvae["eval_accuracy"] > 0.95 and bvae["num_train"] == 300


def test_a_random_code_scores_near_zero_or_chance():
    random_code = RandomCode()
    mig = dis.compute_mig(SOURCE, random_code, 0, num_train=N)
    dci = dis.compute_dci(SOURCE, random_code, 0, num_train=N, num_test=N // 2)
    fvae = dis.compute_factor_vae(
        SOURCE, random_code, 0, num_train=300, num_eval=300, num_variance_estimate=N
    )
    bvae = dis.compute_beta_vae(SOURCE, random_code, 0, batch_size=16, num_train=300, num_eval=300)
    sap = dis.compute_sap(SOURCE, random_code, 0, num_train=N, num_test=N // 2)
    assert mig["mig"] < 0.05
    assert dci["disentanglement"] < 0.15 and dci["completeness"] < 0.15, dci
    assert sap["sap"] < 0.05
    chance = 1 / 3  # three factors: the classifier of the fixed factor can only guess
    assert fvae["eval_accuracy"] < chance + 0.15 and bvae["eval_accuracy"] < chance + 0.15


def test_duplicated_dimensions_have_no_gap():
    # each factor lives in two code dimensions: MIG and SAP see no gap, completeness halves
    mig = dis.compute_mig(SOURCE, duplicated, 0, num_train=N)
    f_train, c_train = dis.sample_factor_codes(SOURCE, duplicated, N, 1)
    f_test, c_test = dis.sample_factor_codes(SOURCE, duplicated, N // 2, 2)
    sap = dis.sap_score(f_train, c_train, f_test, c_test)
    dci = dis.dci_scores(f_train, c_train, f_test, c_test, 0)
    assert mig["mig"] < 0.05 and sap["sap"] < 0.05
    assert dci["disentanglement"] > 0.9 and dci["completeness"] < 0.75


def test_sap_of_a_perfect_code_is_high():
    identity_sap = dis.compute_sap(SOURCE, identity, 0, num_train=N, num_test=N // 2)["sap"]
    assert identity_sap > 0.3


def test_sap_by_hand():
    # two binary factors, every combination twice; code dimension j is factor j as -10 / +10
    factors = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 2)
    codes_train = 20.0 * factors - 10.0
    codes_test = codes_train.copy()
    codes_test[[0, 1], 0] = 10.0  # two examples of factor 0 = 0 read wrong: dimension 0 gets 6 of 8 right
    # Each dimension is independent of the other factor in every split, so it scores exactly 0.5 on it.
    # Gaps: factor 0, 0.75 - 0.5; factor 1, 1.0 - 0.5.
    result = dis.sap_score(factors, codes_train, factors, codes_test)
    assert result["sap"] == pytest.approx((0.25 + 0.5) / 2)


def test_factor_vae_votes_by_variance_relative_to_the_global_variance():
    # dimension 0 varies 1000x more than dimension 1 overall; a batch fixing factor 0 keeps dimension 0
    # within 1% of its spread, yet its raw variance stays far above dimension 1's
    rng = np.random.default_rng(0)
    global_codes = rng.normal(size=(2000, 2)) * np.array([100.0, 0.1])
    fixed = np.array([0, 1] * 10)
    spread = np.where(fixed[:, None, None] == 0, np.array([1.0, 0.1]), np.array([100.0, 0.001]))
    batch_codes = rng.normal(size=(20, 16, 2)) * spread
    result = dis.factor_vae_accuracy(global_codes, batch_codes, fixed, num_factors=2, num_train=10)
    assert result == {"train_accuracy": 1.0, "eval_accuracy": 1.0, "num_active_dims": 2}


def test_a_constant_code_has_no_active_dimensions():
    result = dis.factor_vae_accuracy(np.zeros((50, 4)), np.zeros((10, 8, 4)), np.zeros(10, int), 3, 5)
    assert result == {"train_accuracy": 0.0, "eval_accuracy": 0.0, "num_active_dims": 0}


def test_dci_by_hand():
    # code 0 explains factor 0 alone; code 1 splits its importance evenly between factors 0 and 1
    importances = np.array([[1.0, 0.0], [0.5, 0.5]])
    d, c = dis.dci_from_importances(importances)
    # D: code 0 -> 1, code 1 -> 0, weights 0.5 / 0.5; C: factor 0 has p=(2/3, 1/3), factor 1 -> 1
    h = -(2 / 3 * np.log(2 / 3) + 1 / 3 * np.log(1 / 3)) / np.log(2)
    assert d == pytest.approx(0.5, abs=1e-6)
    assert c == pytest.approx(0.75 * (1 - h) + 0.25 * 1.0, abs=1e-6)


def test_mig_by_hand():
    # factor 0 copied exactly by code 0 and half of it (the parity is lost) by code 1
    factors = np.array([[0], [1], [2], [3]] * 50)
    codes = np.concatenate([factors, factors // 2], axis=1).astype(float)
    result = dis.mig_score(factors, codes, num_bins=4)
    assert result["mig"] == pytest.approx((np.log(4) - np.log(2)) / np.log(4))


def test_same_random_state_same_numbers():
    a = dis.compute_all(SOURCE, RandomCode(), 3, n=400)
    b = dis.compute_all(SOURCE, RandomCode(), 3, n=400)
    assert a == b
    assert set(a) == {"mig", "dci", "sap", "beta_vae", "factor_vae"}
    assert a["factor_vae"]["num_train"] == 400 and a["factor_vae"]["num_eval"] == 200


def test_published_sizes_at_n_10000():
    sizes = dis.sizes_for(10_000)
    assert sizes == dis.PUBLISHED_SIZES


# --- the code cache ---------------------------------------------------------------------------


class FewSprites:
    """A corner of the shapes grid (3 shapes x 2 scales x 40 orientations x 2 x 2 positions, 960
    images): the metrics draw each many times, and squares and ellipses repeat their pictures as
    they turn (every quarter and half turn)."""

    factor_names = ("shape", "scale", "orientation", "pos_x", "pos_y")
    factor_sizes = (3, 2, 40, 2, 2)

    def sample_factors(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return np.stack([rng.integers(s, size=n) for s in self.factor_sizes], axis=1).astype(np.int64)

    def render(self, factors: np.ndarray) -> torch.Tensor:
        from genlab.data.shapes import ShapesFactors

        return ShapesFactors().render(factors * np.array([1, 5, 1, 31, 31]))


@pytest.fixture(scope="module")
def sprite_model(one_thread_module, tmp_path_factory):
    """A small VAE trained for a few steps on 64x64 sprites, and the spec it was trained with."""
    from genlab.api import train_run
    from genlab.data import DataSpec
    from genlab.train import TrainConfig

    spec = DataSpec("shapes:n=400,test=20")
    run, _ = train_run(
        "vae", spec, TrainConfig(epochs=1, max_steps=10), str(tmp_path_factory.mktemp("runs") / "sprites"),
        {"latent_dim": 4, "hidden": (32,)},
    )  # fmt: skip
    return run.load_model(), spec


def test_cached_codes_give_the_uncached_scores_to_the_last_digit(sprite_model):
    model, spec = sprite_model
    source, represent = FewSprites(), dis.model_representation(model, spec)
    cache = dis.CodeCache(source, represent)
    hearts = np.array([[2, 1, turn, 0, 0] for turn in range(5)])  # five new pictures: a small last batch
    cache.codes(hearts)
    assert dis.compute_all(source, cache, 7, n=100) == dis.compute_all(source, represent, 7, n=100)
    factors = np.concatenate([hearts, source.sample_factors(3000, np.random.default_rng(1))])
    assert np.array_equal(dis.codes_of(source, cache, factors), dis.codes_of(source, represent, factors))
    # about 58,000 draws: each of the 960 factor vectors rendered once, each distinct picture encoded once
    every = source.render(np.stack(np.unravel_index(np.arange(960), source.factor_sizes), axis=1))
    assert cache.rendered == 960 and cache.encoded == len(torch.unique(every.flatten(1), dim=0)) < 600


@pytest.mark.parametrize("batch", [64, 1024])
def test_a_conv_encoder_codes_alike_however_the_cache_groups_its_images(one_thread_module, tmp_path, batch):
    # conv kernels, like BLAS ones, may switch with the number of rows: the representation encodes
    # in batches of one size, so the cache's small requests get the codes of one large request
    from genlab.api import train_run
    from genlab.data import DataSpec
    from genlab.train import TrainConfig

    spec = DataSpec("shapes:n=200,test=20")
    config = TrainConfig(epochs=1, max_steps=2)
    options = {"latent_dim": 4, "net": "conv", "channels": (8, 16), "hidden": (32,)}
    run, _ = train_run("vae", spec, config, str(tmp_path / "conv"), options)
    source, represent = FewSprites(), dis.model_representation(run.load_model(), spec, batch_size=batch)
    factors = source.sample_factors(3000, np.random.default_rng(2))
    cached = dis.codes_of(source, dis.CodeCache(source, represent, dis.encoder_batch_size(torch.device("cpu"))), factors)
    assert np.array_equal(cached, dis.codes_of(source, represent, factors))


def test_a_cache_serves_its_own_factor_source_only():
    cache = dis.CodeCache(SOURCE, identity)
    with pytest.raises(ValueError, match="another factor source"):
        dis.codes_of(PixelFactors((3, 5, 4)), cache, np.zeros((2, 3), dtype=np.int64))
