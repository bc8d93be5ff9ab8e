"""GenerativeOutlierDetector: planted outliers, determinism, the scikit-learn/PyOD API, bad inputs."""

import copy
import math

import numpy as np
import pytest
import torch
from scipy.special import erf
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from genlab.detect import AEOD, VAEOD, GenerativeOutlierDetector
from genlab.detect.scores import compressed_bits, likelihood_scores, nats_to_bits
from genlab.evaluate.detection import auroc

pytestmark = pytest.mark.usefixtures("one_thread")  # tiny models: see conftest.one_thread


FAST = {"epochs": 40, "batch_size": 32, "random_state": 0, "device": "cpu"}


def planted_table(n=240, d=8, n_out=12, seed=0):
    """Inliers on a 2-D plane in 8-D (plus a little noise), outliers off it at the same scale."""
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(2, d))
    inliers = rng.normal(size=(n, 2)) @ w + 0.05 * rng.normal(size=(n, d))
    outliers = rng.normal(size=(n_out, d)) * inliers.std(0)
    x = np.vstack([inliers, outliers])
    y = np.r_[np.zeros(n), np.ones(n_out)]
    return x, y


@pytest.fixture(scope="module")
def table():
    return planted_table()


@pytest.fixture(scope="module")
def fitted(table):
    x, _ = table
    return VAEOD(**FAST).fit(x)


@pytest.mark.parametrize("score, likelihood", [("recon", "auto"), ("elbo", "auto"), ("iwae", "auto"),
                                               ("elbo", "gaussian"), ("ratio", "auto")])  # fmt: skip
def test_planted_outliers_are_found(table, score, likelihood):
    x, y = table
    detector = VAEOD(outlier_score=score, likelihood=likelihood, **FAST).fit(x)
    assert auroc(y, detector.decision_scores_) >= 0.95


def test_auto_likelihood_is_student_t_except_for_the_ratio():
    """The ratio's background model must model the data worse than the main one; a Student-t decoder
    shrugs off the noise it is trained on (planted table: AUROC 0.88 instead of 0.95+)."""
    x, _ = planted_table(n=40)
    quick = {"epochs": 1, "device": "cpu", "random_state": 0}
    assert VAEOD(**quick).fit(x).model_config_.likelihood == "student-t"
    assert VAEOD(outlier_score="ratio", **quick).fit(x).model_config_.likelihood == "gaussian"
    assert VAEOD(outlier_score="ratio", likelihood="student-t", **quick).fit(x).model_config_.likelihood == "student-t"


def spiky_table(n=240, d=8, n_out=12, n_spiky=24, seed=0):
    """The planted table plus two sparse columns: 0 for most inliers, a rare large value (5-10) for 10%
    of them, like a stroke few digits have. Standardized, those values sit 10-20 deviations out."""
    x, y = planted_table(n, d, n_out, seed)
    rng = np.random.default_rng(seed + 1)
    sparse = np.zeros((n + n_out, 2))
    spiky = rng.choice(n, n_spiky, replace=False)
    sparse[spiky, rng.integers(0, 2, n_spiky)] = rng.uniform(5, 10, n_spiky)
    return np.hstack([x, sparse]), y


def test_student_t_decoder_is_not_fooled_by_rare_extreme_values():
    x, y = spiky_table()
    student = auroc(y, VAEOD(**FAST).fit(x).decision_scores_)
    gaussian = auroc(y, VAEOD(likelihood="gaussian", **FAST).fit(x).decision_scores_)
    assert student >= 0.95
    assert gaussian < 0.93  # the squared error ranks the spiky inliers with the outliers


def test_autoencoder_finds_planted_outliers(table):
    x, y = table
    assert auroc(y, AEOD(**FAST).fit(x).decision_scores_) >= 0.95


def test_planted_image_outliers_conv():
    """Horizontal bars are normal; vertical bars are outliers. 16x16 images go through conv nets."""
    rng = np.random.default_rng(0)
    images = np.zeros((130, 16, 16), dtype=np.uint8)
    for i in range(130):
        row = rng.integers(2, 14)
        if i < 120:
            images[i, row - 1 : row + 1, :] = 255
        else:
            images[i, :, row - 1 : row + 1] = 255
    y = np.r_[np.zeros(120), np.ones(10)]
    small = {"channels": (8, 16), "hidden": (32,), "latent_dim": 4, "random_state": 0, "device": "cpu"}
    detector = VAEOD(outlier_score="iwae", epochs=60, batch_size=16, lr=3e-3, **small).fit(images)
    assert detector.model_config_.net == "conv"
    assert auroc(y, detector.decision_scores_) >= 0.9
    maps = detector.explain(images[-2:])
    assert maps.shape == (2, 1, 16, 16)
    assert detector.decision_function(images[:5]).shape == (5,)
    complexity = VAEOD(outlier_score="complexity", epochs=2, **small).fit(images)
    nll = complexity.set_params(outlier_score="iwae").decision_function(images)  # same model, same draws
    bits = compressed_bits(torch.from_numpy(images).float().div(255).unsqueeze(1)).double().numpy()
    np.testing.assert_allclose(complexity.decision_scores_, nats_to_bits(torch.from_numpy(nll)).numpy() - bits, rtol=1e-5)


def test_png_length_measures_image_complexity():
    flat = torch.full((1, 1, 16, 16), 0.5)
    noise = torch.rand(1, 1, 16, 16, generator=torch.Generator().manual_seed(0))
    flat_bits, noise_bits = compressed_bits(torch.cat([flat, noise])).tolist()
    assert flat_bits % 8 == 0 and flat_bits < 0.25 * noise_bits
    assert noise_bits >= 8 * 256  # 256 random bytes do not compress


@torch.no_grad()
def test_elbo_and_iwae_scores_by_hand():
    from genlab.models import VAE, VAEConfig

    torch.manual_seed(0)
    model = VAE(VAEConfig(input_shape=(6,), latent_dim=2, hidden=(8,), likelihood="gaussian")).eval()
    x, eps = torch.randn(5, 6), torch.randn(7, 1, 2)
    log_w = model.log_weights(x, 7, eps)  # (k, N)
    scores = likelihood_scores(model, x, eps)
    torch.testing.assert_close(scores["elbo"], -log_w.mean(0))
    torch.testing.assert_close(scores["iwae"], -(torch.logsumexp(log_w, 0) - math.log(7)))
    assert (scores["iwae"] < scores["elbo"]).all()  # Jensen, strict as the weights differ


def test_confidence_by_hand(monkeypatch):
    """ExCeeD (Perini et al. 2020) as PyOD's predict_confidence computes it."""
    detector = VAEOD(contamination=0.2)
    detector.decision_scores_, detector.threshold_ = np.arange(10.0), 7.5  # n = 10 training scores
    monkeypatch.setattr(detector, "decision_function", lambda x: np.asarray(x, dtype=float))  # X is the scores
    scores = np.array([0.0, 7.0, 8.0, 9.5])
    # 1, 8, 9 and 10 training scores are at most each score: p = (1 + that) / (2 + n). A score is flagged
    # when more than n - int(n * 0.2) = 8 of the n lie below it: P(Binomial(10, p) >= 9) for outliers,
    # one minus it for inliers
    p = np.array([2, 9, 10, 11]) / 12
    flagged = p**10 + 10 * p**9 * (1 - p)
    expected = [1 - flagged[0], 1 - flagged[1], flagged[2], flagged[3]]  # about 1.00, 0.76, 0.48, 0.80
    np.testing.assert_allclose(detector.predict_confidence(scores), expected, rtol=1e-12)
    labels, confidence = detector.predict(scores, return_confidence=True)
    np.testing.assert_array_equal(labels, [0, 0, 1, 1])
    np.testing.assert_allclose(confidence, expected, rtol=1e-12)
    np.testing.assert_allclose(detector.predict_proba(scores, return_confidence=True)[1], expected, rtol=1e-12)


def test_ratio_score_subtracts_the_background_models_nll(table):
    x, _ = table
    ratio = VAEOD(outlier_score="ratio", **{**FAST, "epochs": 3}).fit(x)
    background = copy.deepcopy(ratio)
    background.model_ = ratio.background_
    main_nll = copy.deepcopy(ratio).set_params(outlier_score="iwae").decision_function(x)
    background_nll = background.set_params(outlier_score="iwae").decision_function(x)
    assert np.abs(background_nll).mean() > 1.0  # so the check below sees it
    np.testing.assert_allclose(ratio.decision_scores_, main_nll - background_nll, rtol=1e-5, atol=1e-4)


def test_same_seed_same_scores_and_scores_do_not_depend_on_the_batch(table, fitted):
    x, _ = table
    again = VAEOD(**FAST).fit(x)
    np.testing.assert_array_equal(fitted.decision_scores_, again.decision_scores_)
    np.testing.assert_array_equal(fitted.decision_function(x), fitted.decision_function(x))
    # float64 scores: an example's score does not move with the examples scored beside it (in float32
    # it moved by up to 2e-7, relative)
    np.testing.assert_allclose(fitted.decision_function(x[:7]), fitted.decision_function(x)[:7], rtol=1e-12)
    one_by_one = np.concatenate([fitted.decision_function(row[None]) for row in x[:7]])
    np.testing.assert_allclose(one_by_one, fitted.decision_function(x)[:7], rtol=1e-12)
    other = VAEOD(**{**FAST, "random_state": 1}).fit(x)
    assert not np.array_equal(fitted.decision_scores_, other.decision_scores_)


def test_fit_leaves_the_global_random_state_alone(table):
    x, _ = table
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    AEOD(epochs=2, random_state=0, device="cpu").fit(x)
    np.testing.assert_array_equal(torch.rand(3), expected)


def test_pyod_attributes(table, fitted):
    x, _ = table
    n = len(x)
    assert fitted.decision_scores_.shape == (n,) and fitted.labels_.shape == (n,)
    assert set(np.unique(fitted.labels_)) <= {0, 1}
    assert fitted.labels_.mean() == pytest.approx(fitted.contamination, abs=0.02)
    np.testing.assert_array_equal(fitted.predict(x), fitted.labels_)
    np.testing.assert_allclose(fitted.decision_function(x), fitted.decision_scores_, rtol=1e-5)
    for method in ("linear", "unify"):
        proba = fitted.predict_proba(x, method=method)
        assert proba.shape == (n, 2) and (proba >= 0).all() and (proba <= 1).all()
        np.testing.assert_allclose(proba.sum(1), 1.0)
    train = fitted.decision_scores_  # unify (Kriegel et al. 2011): erf of the score's z-value over sqrt(2)
    z = (fitted.decision_function(x) - train.mean()) / train.std()
    np.testing.assert_allclose(fitted.predict_proba(x, method="unify")[:, 1], np.clip(erf(z / math.sqrt(2)), 0, 1), atol=1e-6)
    assert fitted.predict_proba(x)[np.argmax(fitted.decision_scores_), 1] == 1.0
    _, confidence = fitted.predict(x, return_confidence=True)
    assert confidence.shape == (n,) and ((confidence >= 0) & (confidence <= 1)).all()
    np.testing.assert_array_equal(fitted.predict_confidence(x), confidence)
    np.testing.assert_array_equal(fitted.predict_proba(x, return_confidence=True)[1], confidence)
    order = np.argsort(fitted.decision_scores_)
    assert confidence[order[n // 2]] > 0.99 and confidence[order[-1]] > 0.99  # far from the threshold
    np.testing.assert_array_equal(VAEOD(**FAST).fit_predict(x), fitted.labels_)
    assert fitted.n_features_in_ == x.shape[1]
    np.testing.assert_allclose(fitted.score_samples(x[:3]), -fitted.decision_function(x[:3]))


def test_sklearn_clone_get_and_set_params():
    detector = VAEOD(latent_dim=3, hidden=(32,), contamination=0.05, random_state=7)
    params = detector.get_params()
    assert params["latent_dim"] == 3 and params["model"] == "vae" and params["contamination"] == 0.05
    twin = clone(detector)
    assert type(twin) is VAEOD and twin.get_params() == params and twin is not detector
    assert detector.set_params(outlier_score="iwae", epochs=3) is detector and detector.outlier_score == "iwae"
    assert AEOD().get_params()["model"] == "ae" and AEOD().get_params()["outlier_score"] == "recon"
    assert type(clone(AEOD(epochs=2))) is AEOD
    assert GenerativeOutlierDetector().get_params()["contamination"] == 0.1
    with pytest.raises(TypeError):
        VAEOD(no_such_option=1)


def test_unfitted_detector_says_so():
    with pytest.raises(NotFittedError):
        VAEOD().decision_function(np.zeros((3, 2)))


def test_explain_points_at_the_changed_feature(table, fitted):
    x, _ = table
    changed = x[:1].copy()
    changed[0, 5] += 10 * x[:, 5].std()
    assert int(np.argmax(fitted.explain(changed)[0])) == 5
    assert fitted.explain(x[:4]).shape == (4, x.shape[1])


def test_save_and_load_give_the_same_scores(tmp_path, table):
    x, _ = table
    detector = VAEOD(outlier_score="ratio", **{**FAST, "epochs": 5}).fit(x)
    path = detector.save(tmp_path / "run")
    assert {"config.json", "model.safetensors", "background.safetensors", "detector.safetensors"} <= {
        p.name for p in path.iterdir()
    }
    loaded = GenerativeOutlierDetector.load(path)
    assert type(loaded) is VAEOD and loaded.threshold_ == detector.threshold_
    np.testing.assert_allclose(loaded.decision_function(x), detector.decision_function(x), rtol=1e-6)
    np.testing.assert_array_equal(loaded.predict(x), detector.predict(x))


# --- bad input --------------------------------------------------------------------------------

BAD_FIT = [
    (np.array([[1.0, np.nan], [2.0, 3.0]]), "NaN or infinite"),
    (np.array([[1.0, np.inf], [2.0, 3.0]]), "NaN or infinite"),
    (np.empty((0, 3)), r"0 sample\(s\)"),
    (np.empty((4, 0)), r"0 feature\(s\)"),
    (np.ones((1, 3)), "at least 2"),
    (np.ones((5, 3)), "every column of X is constant"),
    (np.array([["a", "b"], ["c", "d"]]), "text"),
    (np.array([[1, "x"], [2, 3]], dtype=object), "not numbers"),
    (np.arange(5.0), "2-D"),
]


@pytest.mark.parametrize("x, message", BAD_FIT)
def test_bad_training_data_is_a_clear_value_error(x, message):
    with pytest.raises(ValueError, match=message):
        VAEOD(epochs=1, device="cpu").fit(x)


def test_constant_column_rule():
    rng = np.random.default_rng(0)
    x = np.c_[rng.normal(size=(50, 3)), np.full(50, 4.0)]
    with pytest.raises(ValueError, match=r"1 constant column\(s\) \(index 3\)"):
        VAEOD(epochs=1, constant_columns="error", device="cpu").fit(x)
    detector = VAEOD(epochs=2, random_state=0, device="cpu").fit(x)  # keep: centered, unscaled
    assert list(detector.constant_columns_) == [3] and detector.scale_[3] == 1.0
    shifted = x[:1].copy()
    shifted[0, 3] = 40.0
    assert detector.decision_function(shifted)[0] > detector.decision_scores_.max()


def test_wrong_number_of_features_and_bad_scoring_data(fitted):
    with pytest.raises(ValueError, match="X has 3 features, but VAEOD is expecting 8 features as input"):
        fitted.decision_function(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        fitted.predict(np.full((2, 8), np.nan))
    with pytest.raises(ValueError, match="fitted on tabular"):
        fitted.decision_function(np.zeros((2, 1, 8, 8), dtype=np.uint8))
    assert fitted.decision_function(np.zeros((1, 8))).shape == (1,)  # one row is fine to score


@pytest.mark.parametrize(
    "params, message",
    [({"outlier_score": "likelihood"}, "outlier_score must be one of recon, elbo, iwae, ratio, complexity, got 'likelihood'"),
     ({"model": "gan"}, "model must be one of"), ({"likelihood": "poisson"}, "likelihood must be one of"),
     ({"model": "ae", "outlier_score": "elbo"}, "needs model='vae'"),
     ({"contamination": 0.7}, "contamination"), ({"epochs": 0}, "epochs"), ({"latent_dim": 2.5}, "latent_dim"),
     ({"outlier_score": "complexity"}, "needs images"), ({"net": "conv"}, "net='conv' needs images")],
)  # fmt: skip
def test_bad_parameters_are_value_errors_at_fit(table, params, message):
    x, _ = table
    detector = VAEOD(**{"epochs": 1, "device": "cpu", **params})  # __init__ only stores
    with pytest.raises(ValueError, match=message):
        detector.fit(x)
