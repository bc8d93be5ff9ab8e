"""Disentanglement metrics against known factors of variation, as disentanglement_lib defines them.

Each metric comes twice: an array core that takes factors and codes (and is trivially testable),
and a ``compute_*`` function of ``(source, represent, random_state)`` that draws the factor values
and images it needs from a :class:`~genlab.data.factors.FactorSource` and codes them with
``represent`` (images (N, C, H, W) -> codes (N, D)). Every result is a dict of plain numbers
that names the sample sizes used. The defaults are the sample sizes of disentanglement_lib's
published study (Locatello et al. 2019), listed in :data:`PUBLISHED_SIZES`.

- beta-VAE score (Higgins et al. 2017): accuracy of a linear classifier that names the factor held
  fixed in a pair of batches from the mean absolute difference of their codes.
- FactorVAE score (Kim & Mnih 2018): accuracy of a majority-vote classifier that names the factor
  held fixed in a batch from the code dimension of least variance (scaled by its global variance).
- MIG (Chen et al. 2018): per factor, the gap in mutual information between the two code
  dimensions most informative about it, over the factor's entropy; codes histogram-discretized.
- DCI (Eastwood & Williams 2018): from the importance of each code dimension for predicting each
  factor, disentanglement (each code dimension matters for one factor), completeness (each factor
  is captured by one code dimension) and informativeness (prediction accuracy).
- SAP (Kumar et al. 2018): per factor, the gap between the two best single-dimension linear
  classifiers' test accuracies.

All scores lie in [0, 1]; higher is better.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from genlab.data.factors import FactorSource
from genlab.models.protocols import Encoder

log = logging.getLogger(__name__)

Represent = Callable[[torch.Tensor], np.ndarray]
RandomState = np.random.Generator | int | None

PUBLISHED_SIZES: dict[str, dict[str, float]] = {
    "beta_vae": {"batch_size": 64, "num_train": 10_000, "num_eval": 5_000},
    "factor_vae": {"batch_size": 64, "num_train": 10_000, "num_eval": 5_000, "num_variance_estimate": 10_000, "prune_threshold": 0.05},
    "mig": {"num_train": 10_000, "num_bins": 20},
    "dci": {"num_train": 10_000, "num_test": 5_000},
    "sap": {"num_train": 10_000, "num_test": 5_000},
}  # fmt: skip

RENDER_CHUNK = 2048  # images rendered and coded at once


def _rng(random_state: RandomState) -> np.random.Generator:
    return (
        random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
    )


class CodeCache:
    """A representation that remembers: each distinct image of ``source`` is encoded at most once.

    At the published sample sizes the metrics draw about 2.9 million factor vectors, but ``shapes``
    has 737,280 images, of which about 430,000 differ (a square looks the same every quarter turn,
    an ellipse every half turn). The cache looks codes up by factor vector; a vector not seen before
    is rendered, and its image is encoded only if no vector before it gave the same pixels. The
    encoder gets ``batch_size`` images at every call (the last batch of a request is padded).
    BLAS and convolution kernels may switch with the number of rows, which changes the last digits
    of a code (measured on a 2-core Intel Xeon: an MLP encoder's codes in batches of 64 and of 1,024
    differ; a conv encoder's agree): the codes, and so the metrics, equal those without the cache
    to the last digit when ``represent`` also encodes in batches of one fixed size, as
    :func:`model_representation` does.

    Only for a deterministic ``represent`` (the same image, the same code): a representation that
    draws noise (a binarized or dequantized view) gives a repeated image a fresh draw each time,
    which no cache reproduces. Called on images, it codes them as ``represent`` does.

    ``batch_size``: :func:`encoder_batch_size` gives the fastest for a device.
    """

    def __init__(self, source: FactorSource, represent: Represent, batch_size: int = 64) -> None:
        self.source, self.represent, self.batch_size = source, represent, batch_size
        self._row_of_factors: dict[int, int] = {}  # factor vector (a mixed-radix number) -> row of _codes
        self._row_of_pixels: dict[bytes, int] = {}  # digest of an image's pixels -> row of _codes
        self._codes = np.empty((0, 0))
        self.rendered = 0  # images rendered so far
        self.encoded = 0  # distinct images encoded so far (not counting the padding)

    def __call__(self, images: torch.Tensor) -> np.ndarray:
        return self.represent(images)

    def codes(self, factors: np.ndarray) -> np.ndarray:
        """Codes (N, D) float64 of the images of factor vectors (N, F), each new image encoded once."""
        sizes = self.source.factor_sizes
        keys, inverse = np.unique(np.ravel_multi_index(factors.T, sizes), return_inverse=True)
        rows = np.array([self._row_of_factors.get(k, -1) for k in keys.tolist()], dtype=np.int64)
        pending: list[torch.Tensor] = []  # new images, in the order of their rows
        new_codes: list[np.ndarray] = []
        missing = np.flatnonzero(rows < 0)
        for start in range(0, len(missing), self.batch_size):
            at = missing[start : start + self.batch_size]
            images = self.source.render(np.stack(np.unravel_index(keys[at], sizes), axis=1))
            self.rendered += len(at)
            for i, image in zip(at.tolist(), images):
                digest = hashlib.sha256(image.numpy().tobytes()).digest()
                if digest not in self._row_of_pixels:
                    self._row_of_pixels[digest] = len(self._row_of_pixels)
                    pending.append(image)
                rows[i] = self._row_of_factors[int(keys[i])] = self._row_of_pixels[digest]
            while len(pending) >= self.batch_size:
                new_codes.append(self._encode(pending[: self.batch_size]))
                pending = pending[self.batch_size :]
        if pending:  # the last, partial batch
            new_codes.append(self._encode(pending))
        if new_codes:
            self._codes = np.concatenate([self._codes.reshape(-1, new_codes[0].shape[1]), *new_codes])
        return self._codes[rows[inverse.ravel()]]

    def _encode(self, images: list[torch.Tensor]) -> np.ndarray:
        """Codes of ``images`` (at most one batch), encoded in one full batch (padded with the last)."""
        batch = torch.stack(images + images[-1:] * (self.batch_size - len(images)))
        codes = np.asarray(self.represent(batch), dtype=np.float64)
        if codes.ndim != 2:
            raise ValueError(f"the representation must return codes shaped (N, D), got {codes.shape}")
        self.encoded += len(images)
        return codes[: len(images)]


def encoder_batch_size(device: torch.device) -> int:
    """The batch that encodes fastest: small on a CPU, whose caches a large batch's activations
    overflow (a 64x64 conv VAE on 2 cores: 1,074 images/s at 64, 623 at 1,024 on an AMD EPYC;
    2,541 and 2,264 on an Intel Xeon), large on a GPU."""
    return 1024 if device.type == "cuda" else 64


def codes_of(source: FactorSource, represent: Represent, factors: np.ndarray) -> np.ndarray:
    """Codes (N, D) float64 of the images rendered from factor vectors (N, F), in chunks (or from
    the cache, when ``represent`` is a :class:`CodeCache` of ``source``)."""
    if isinstance(represent, CodeCache):
        if represent.source is not source:
            raise ValueError("this CodeCache remembers the codes of another factor source")
        return represent.codes(factors)
    out = []
    for start in range(0, len(factors), RENDER_CHUNK):
        codes = np.asarray(represent(source.render(factors[start : start + RENDER_CHUNK])), dtype=np.float64)
        if codes.ndim != 2:
            raise ValueError(f"the representation must return codes shaped (N, D), got {codes.shape}")
        out.append(codes)
    return np.concatenate(out)


def sample_factor_codes(
    source: FactorSource, represent: Represent, n: int, random_state: RandomState
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` factor vectors drawn as the data set draws them (n, F) int64, and their codes (n, D)."""
    factors = np.asarray(source.sample_factors(n, _rng(random_state)), dtype=np.int64)
    return factors, codes_of(source, represent, factors)


def _fixed_factor_batches(
    source: FactorSource, rng: np.random.Generator, points: int, batch_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """``points`` batches of factor vectors (points, batch, F) sharing one factor per batch, and that factor (points,)."""
    fixed = rng.integers(len(source.factor_sizes), size=points)
    factors = np.asarray(source.sample_factors(points * batch_size, rng), dtype=np.int64).reshape(
        points, batch_size, -1
    )
    rows = np.arange(points)
    factors[rows, :, fixed] = factors[rows, 0, fixed][:, None]
    return factors, fixed


# --- MIG --------------------------------------------------------------------------------------


def discretize(codes: np.ndarray, num_bins: int = 20) -> np.ndarray:
    """Each code dimension binned into ``num_bins`` equal-width bins over its range: (N, D) int."""
    out = np.empty(codes.shape, dtype=np.int64)
    for d in range(codes.shape[1]):
        edges = np.histogram(codes[:, d], num_bins)[1]
        out[:, d] = np.digitize(codes[:, d], edges[:-1])
    return out


def mutual_information(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mutual information in nats between each column of ``a`` (N, A) and each of ``b`` (N, B): (A, B)."""
    from sklearn.metrics import mutual_info_score

    return np.array(
        [[mutual_info_score(a[:, i], b[:, j]) for j in range(b.shape[1])] for i in range(a.shape[1])]
    )


def mig_score(factors: np.ndarray, codes: np.ndarray, num_bins: int = 20) -> dict[str, Any]:
    """Mutual information gap of codes (N, D) for factors (N, F); factors that never vary are skipped."""
    if codes.shape[1] < 2:
        raise ValueError("MIG compares the two most informative code dimensions; the code needs at least 2")
    mi = mutual_information(discretize(codes, num_bins), factors)  # (D, F)
    entropy = np.diag(mutual_information(factors, factors))
    top = np.sort(mi, axis=0)[::-1]
    varying = entropy > 0
    gaps = (top[0, varying] - top[1, varying]) / entropy[varying]
    return {
        "mig": float(gaps.mean()) if gaps.size else 0.0,
        "mig_per_factor": [float(g) for g in gaps],
        "num_train": len(codes),
        "num_bins": num_bins,
    }


def compute_mig(
    source: FactorSource,
    represent: Represent,
    random_state: RandomState,
    num_train: int = 10_000,
    num_bins: int = 20,
) -> dict[str, Any]:
    """MIG on ``num_train`` codes of images drawn from ``source``."""
    factors, codes = sample_factor_codes(source, represent, num_train, random_state)
    return mig_score(factors, codes, num_bins)


# --- DCI --------------------------------------------------------------------------------------


def _importance_model(kind: str, seed: int) -> Any:
    if kind == "gbt":  # disentanglement_lib's choice: exact, but slow with many classes
        from sklearn.ensemble import GradientBoostingClassifier

        return GradientBoostingClassifier(random_state=seed)
    if kind == "forest":
        from sklearn.ensemble import RandomForestClassifier

        # Fast (26x quicker than gradient boosting at the published sizes) and fair to D and C:
        # every split weighs every dimension (max_features=None), so a dimension is credited only
        # where it is the best split, and shallow trees with big leaves do not credit noise
        # dimensions they would merely overfit.
        return RandomForestClassifier(
            n_estimators=50, max_depth=8, min_samples_leaf=5, max_features=None, random_state=seed, n_jobs=1
        )
    raise ValueError(f"unknown importance model {kind!r}; choose forest or gbt")


def importance_matrix(
    factors_train: np.ndarray, codes_train: np.ndarray, factors_test: np.ndarray, codes_test: np.ndarray,
    random_state: RandomState, model: str = "forest",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Importances (D, F) of each code dimension for predicting each factor, and train/test accuracies (F,)."""
    seed = int(_rng(random_state).integers(2**31))
    num_codes, num_factors = codes_train.shape[1], factors_train.shape[1]
    importances = np.zeros((num_codes, num_factors))
    train_acc, test_acc = np.zeros(num_factors), np.zeros(num_factors)
    for j in range(num_factors):
        if len(np.unique(factors_train[:, j])) < 2:  # nothing to predict
            train_acc[j] = test_acc[j] = 1.0
            continue
        clf = _importance_model(model, seed).fit(codes_train, factors_train[:, j])
        importances[:, j] = np.abs(clf.feature_importances_)
        train_acc[j] = np.mean(clf.predict(codes_train) == factors_train[:, j])
        test_acc[j] = np.mean(clf.predict(codes_test) == factors_test[:, j])
    return importances, train_acc, test_acc


def _normalized_entropy(p: np.ndarray, axis: int) -> np.ndarray:
    """Entropy of each slice of ``p`` along ``axis`` (normalized to sum 1), in base its length: [0, 1]."""
    n = p.shape[axis]
    if n < 2:
        return np.zeros(p.shape[1 - axis])
    q = (p + 1e-11) / (p + 1e-11).sum(axis=axis, keepdims=True)
    return -(q * np.log(q)).sum(axis=axis) / math.log(n)


def dci_from_importances(importances: np.ndarray) -> tuple[float, float]:
    """(disentanglement, completeness) from an importance matrix (D, F), weighted as in the paper."""
    r = importances if importances.sum() > 0 else np.ones_like(importances)
    disentanglement_per_code = 1.0 - _normalized_entropy(r, axis=1)
    completeness_per_factor = 1.0 - _normalized_entropy(r, axis=0)
    code_weight = r.sum(axis=1) / r.sum()
    factor_weight = r.sum(axis=0) / r.sum()
    return float(disentanglement_per_code @ code_weight), float(completeness_per_factor @ factor_weight)


def dci_scores(
    factors_train: np.ndarray, codes_train: np.ndarray, factors_test: np.ndarray, codes_test: np.ndarray,
    random_state: RandomState, model: str = "forest",
) -> dict[str, Any]:  # fmt: skip
    """DCI disentanglement, completeness and informativeness (train and test accuracy)."""
    importances, train_acc, test_acc = importance_matrix(
        factors_train, codes_train, factors_test, codes_test, random_state, model
    )
    d, c = dci_from_importances(importances)
    return {
        "disentanglement": d,
        "completeness": c,
        "informativeness_train": float(train_acc.mean()),
        "informativeness_test": float(test_acc.mean()),
        "importance_model": model,
        "num_train": len(codes_train),
        "num_test": len(codes_test),
    }


def compute_dci(
    source: FactorSource, represent: Represent, random_state: RandomState,
    num_train: int = 10_000, num_test: int = 5_000, model: str = "forest",
) -> dict[str, Any]:  # fmt: skip
    """DCI on codes of images drawn from ``source``."""
    rng = _rng(random_state)
    f_train, c_train = sample_factor_codes(source, represent, num_train, rng)
    f_test, c_test = sample_factor_codes(source, represent, num_test, rng)
    return dci_scores(f_train, c_train, f_test, c_test, rng, model)


# --- SAP --------------------------------------------------------------------------------------


def sap_score(
    factors_train: np.ndarray, codes_train: np.ndarray, factors_test: np.ndarray, codes_test: np.ndarray
) -> dict[str, Any]:
    """Separated attribute predictability, factors treated as discrete (as in the published study).

    For each (code dimension, factor) a linear SVM (C = 0.01, balanced classes) on that single
    dimension predicts the factor; the score is the mean over factors of the gap between the two
    best test accuracies.
    """
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.svm import LinearSVC

    num_codes, num_factors = codes_train.shape[1], factors_train.shape[1]
    scores = np.zeros((num_codes, num_factors))
    for i in range(num_codes):
        for j in range(num_factors):
            if len(np.unique(factors_train[:, j])) < 2:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf = LinearSVC(C=0.01, class_weight="balanced").fit(
                    codes_train[:, i : i + 1], factors_train[:, j]
                )
            scores[i, j] = np.mean(clf.predict(codes_test[:, i : i + 1]) == factors_test[:, j])
    top = np.sort(scores, axis=0)
    gap = top[-1] - top[-2] if num_codes > 1 else top[-1]
    return {"sap": float(gap.mean()), "num_train": len(codes_train), "num_test": len(codes_test)}


def compute_sap(
    source: FactorSource,
    represent: Represent,
    random_state: RandomState,
    num_train: int = 10_000,
    num_test: int = 5_000,
) -> dict[str, Any]:
    """SAP on codes of images drawn from ``source``."""
    rng = _rng(random_state)
    f_train, c_train = sample_factor_codes(source, represent, num_train, rng)
    f_test, c_test = sample_factor_codes(source, represent, num_test, rng)
    return sap_score(f_train, c_train, f_test, c_test)


# --- beta-VAE score ---------------------------------------------------------------------------


def beta_vae_accuracy(
    codes_a: np.ndarray, codes_b: np.ndarray, fixed: np.ndarray, num_train: int
) -> dict[str, Any]:
    """beta-VAE score from code batch pairs (P, B, D) that share factor ``fixed`` (P,).

    The feature of a pair is the mean over the batch of |code_a - code_b|; a logistic regression
    trained on the first ``num_train`` pairs names the fixed factor of the rest.
    """
    from sklearn.linear_model import LogisticRegression

    features = np.abs(codes_a - codes_b).mean(axis=1)
    train_x, train_y, eval_x, eval_y = (
        features[:num_train],
        fixed[:num_train],
        features[num_train:],
        fixed[num_train:],
    )
    if len(np.unique(train_y)) < 2:
        raise ValueError("the beta-VAE score needs pairs with at least two different fixed factors")
    clf = LogisticRegression(max_iter=1000).fit(train_x, train_y)
    return {
        "train_accuracy": float(clf.score(train_x, train_y)),
        "eval_accuracy": float(clf.score(eval_x, eval_y)),
    }


def compute_beta_vae(
    source: FactorSource, represent: Represent, random_state: RandomState,
    batch_size: int = 64, num_train: int = 10_000, num_eval: int = 5_000,
) -> dict[str, Any]:  # fmt: skip
    """The beta-VAE score: ``num_train + num_eval`` pairs of ``batch_size`` images drawn from ``source``."""
    rng = _rng(random_state)
    points = num_train + num_eval
    # Each pair of images shares the value of one factor; the value differs from pair to pair.
    fixed = rng.integers(len(source.factor_sizes), size=points)
    factors_a = np.asarray(source.sample_factors(points * batch_size, rng), dtype=np.int64).reshape(
        points, batch_size, -1
    )
    factors_b = np.asarray(source.sample_factors(points * batch_size, rng), dtype=np.int64).reshape(
        points, batch_size, -1
    )
    rows = np.arange(points)
    factors_b[rows, :, fixed] = factors_a[rows, :, fixed]
    flat_a, flat_b = factors_a.reshape(points * batch_size, -1), factors_b.reshape(points * batch_size, -1)
    codes_a = codes_of(source, represent, flat_a).reshape(points, batch_size, -1)
    codes_b = codes_of(source, represent, flat_b).reshape(points, batch_size, -1)
    result = beta_vae_accuracy(codes_a, codes_b, fixed, num_train)
    return result | {"batch_size": batch_size, "num_train": num_train, "num_eval": num_eval}


# --- FactorVAE score --------------------------------------------------------------------------


def factor_vae_accuracy(
    global_codes: np.ndarray, batch_codes: np.ndarray, fixed: np.ndarray, num_factors: int, num_train: int,
    prune_threshold: float = 0.05,
) -> dict[str, Any]:  # fmt: skip
    """FactorVAE score from codes of random images (M, D) and of batches (P, B, D) sharing factor ``fixed`` (P,).

    Each batch votes for (its fixed factor, the active code dimension of least variance relative
    to its global variance); each code dimension is assigned the factor with most votes in the
    first ``num_train`` batches, and the accuracy of that assignment is scored on all of them.
    Dimensions whose global standard deviation is below ``prune_threshold`` (collapsed to the
    prior mean) take no part.
    """
    global_var = np.var(global_codes, axis=0, ddof=1)
    active = np.flatnonzero(np.sqrt(global_var) >= prune_threshold)
    base = {"num_active_dims": len(active)}
    if len(active) == 0:
        return {"train_accuracy": 0.0, "eval_accuracy": 0.0} | base
    local_var = np.var(batch_codes[:, :, active], axis=1, ddof=1)  # (P, active)
    chosen = active[np.argmin(local_var / global_var[active], axis=1)]
    votes = np.zeros((2, num_factors, global_codes.shape[1]), dtype=np.int64)
    split = (np.arange(len(fixed)) >= num_train).astype(int)
    np.add.at(votes, (split, fixed, chosen), 1)
    assigned = np.argmax(votes[0], axis=0)
    columns = np.arange(global_codes.shape[1])

    def accuracy(v: np.ndarray) -> float:
        return float(v[assigned, columns].sum() / max(1, v.sum()))

    return {"train_accuracy": accuracy(votes[0]), "eval_accuracy": accuracy(votes[1])} | base


def compute_factor_vae(
    source: FactorSource, represent: Represent, random_state: RandomState,
    batch_size: int = 64, num_train: int = 10_000, num_eval: int = 5_000, num_variance_estimate: int = 10_000,
    prune_threshold: float = 0.05,
) -> dict[str, Any]:  # fmt: skip
    """The FactorVAE score on images drawn from ``source``."""
    rng = _rng(random_state)
    _, global_codes = sample_factor_codes(source, represent, num_variance_estimate, rng)
    points = num_train + num_eval
    factors, fixed = _fixed_factor_batches(source, rng, points, batch_size)
    batch_codes = codes_of(source, represent, factors.reshape(points * batch_size, -1)).reshape(
        points, batch_size, -1
    )
    result = factor_vae_accuracy(
        global_codes, batch_codes, fixed, len(source.factor_sizes), num_train, prune_threshold
    )
    return result | {
        "batch_size": batch_size, "num_train": num_train, "num_eval": num_eval,
        "num_variance_estimate": num_variance_estimate, "prune_threshold": prune_threshold,
    }  # fmt: skip


# --- all of them ------------------------------------------------------------------------------


def sizes_for(n: int) -> dict[str, dict[str, float]]:
    """Sample sizes scaled to ``n`` training points (the published study uses n = 10,000)."""
    scale = n / 10_000
    return {
        metric: {
            k: (v if k in ("batch_size", "num_bins", "prune_threshold") else max(2, round(v * scale)))
            for k, v in sizes.items()
        }
        for metric, sizes in PUBLISHED_SIZES.items()
    }


def compute_all(
    source: FactorSource, represent: Represent, random_state: RandomState, n: int = 10_000, dci_model: str = "forest",
    progress: Callable[[str], None] | None = None,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Every metric, with sample sizes scaled to ``n`` training points (10,000: the published sizes).

    MIG, DCI and SAP share one sample of training and test codes (disentanglement_lib draws one
    per metric; the distributions are the same).
    """
    rng = _rng(random_state)
    s = sizes_for(n)
    say = progress or (lambda name: None)
    say("codes")
    f_train, c_train = sample_factor_codes(source, represent, int(s["mig"]["num_train"]), rng)
    f_test, c_test = sample_factor_codes(source, represent, int(s["dci"]["num_test"]), rng)
    results: dict[str, dict[str, Any]] = {}
    say("mig")
    results["mig"] = mig_score(f_train, c_train, int(s["mig"]["num_bins"]))
    say("dci")
    results["dci"] = dci_scores(f_train, c_train, f_test, c_test, rng, dci_model)
    say("sap")
    results["sap"] = sap_score(f_train, c_train, f_test, c_test)
    say("beta_vae")
    b = s["beta_vae"]
    results["beta_vae"] = compute_beta_vae(
        source, represent, rng, int(b["batch_size"]), int(b["num_train"]), int(b["num_eval"])
    )
    say("factor_vae")
    f = s["factor_vae"]
    results["factor_vae"] = compute_factor_vae(
        source, represent, rng, int(f["batch_size"]), int(f["num_train"]), int(f["num_eval"]),
        int(f["num_variance_estimate"]), float(f["prune_threshold"]),
    )  # fmt: skip
    return results


# --- a trained model as the representation ----------------------------------------------------


def model_representation(
    model: Encoder, spec: Any, device: torch.device | str = "cpu", seed: int = 0, batch_size: int | None = None
) -> Represent:
    """Codes of rendered images as a run's model sees them: posterior means (VAE family) or codes (AE).

    The images get the run's preprocessing (``spec``: a DataSpec): resizing, and a binarization or
    dequantization draw from a generator seeded once by ``seed``. The encoder always gets
    ``batch_size`` images (default :func:`encoder_batch_size`; a last short batch is padded), so
    an image's code does not depend on how many images it was asked for with (see CodeCache).
    """
    from genlab.data.splits import noisy_view
    from genlab.data.transforms import resize
    from genlab.errors import DataError

    generator = torch.Generator().manual_seed(seed)
    expected = tuple(model.config.input_shape)
    batch = batch_size or encoder_batch_size(torch.device(device))

    @torch.no_grad()
    def represent(images: torch.Tensor) -> np.ndarray:
        # on the 8-bit grid, as the data layer resizes training images (a no-op at the right size)
        x = resize(images, spec.resize, 8) if spec.resize else images
        if tuple(x.shape[1:]) != expected:
            raise DataError(
                f"the data set renders images shaped {tuple(x.shape[1:])}, but the model takes {expected}"
            )
        x = noisy_view(spec, x, 8, generator)
        codes = []
        for chunk in x.split(batch):
            padded = torch.cat([chunk, chunk[-1:].expand(batch - len(chunk), *chunk.shape[1:])]) if len(chunk) < batch else chunk
            codes.append(model.code(padded.to(device)).float().cpu()[: len(chunk)])
        return torch.cat(codes).double().numpy()

    return represent
