"""Detection metrics against values computed by hand."""

import numpy as np
import pytest

from genlab.evaluate.detection import auprc, auroc, detection_metrics, precision_at_n

LABELS = [0, 0, 1, 1]
SCORES = [0.1, 0.4, 0.35, 0.8]


def test_auroc_by_hand():
    # outlier/inlier pairs ranked right: (0.35 > 0.1), (0.8 > 0.1), (0.8 > 0.4); wrong: (0.35 < 0.4) -> 3/4
    assert auroc(LABELS, SCORES) == pytest.approx(0.75)


def test_auprc_by_hand():
    # descending: 0.8 (outlier) P=1 R=1/2; 0.4 (inlier); 0.35 (outlier) P=2/3 R=1 -> 1/2 * 1 + 1/2 * 2/3
    assert auprc(LABELS, SCORES) == pytest.approx(0.5 + 1 / 3)


def test_precision_at_n_by_hand():
    assert precision_at_n(LABELS, SCORES) == 0.5  # top 2: 0.8 (outlier), 0.4 (inlier)
    assert precision_at_n(LABELS, SCORES, n=1) == 1.0
    assert precision_at_n(LABELS, SCORES, n=3) == pytest.approx(2 / 3)


def test_ties_count_half():
    assert auroc([0, 1], [1.0, 1.0]) == 0.5
    assert auprc([0, 1], [1.0, 1.0]) == 0.5  # one threshold: both flagged, precision 1/2, recall 1
    # a tie between an inlier and an outlier below a clean outlier
    assert auroc([1, 0, 1], [3.0, 2.0, 2.0]) == pytest.approx(0.75)


def test_ideal_reversed_and_random():
    y = np.r_[np.zeros(90), np.ones(10)]
    assert auroc(y, y) == 1.0 and auprc(y, y) == 1.0 and precision_at_n(y, y) == 1.0
    assert auroc(y, -y) == 0.0
    rng = np.random.default_rng(0)
    assert np.mean([auroc(y, rng.random(100)) for _ in range(200)]) == pytest.approx(0.5, abs=0.02)


def test_matches_scikit_learn():
    from sklearn.metrics import average_precision_score, roc_auc_score

    rng = np.random.default_rng(1)
    y = (rng.random(300) < 0.2).astype(int)
    s = np.round(rng.normal(size=300) + y, 1)  # rounding makes ties
    assert auroc(y, s) == pytest.approx(roc_auc_score(y, s))
    assert auprc(y, s) == pytest.approx(average_precision_score(y, s))


def test_detection_metrics_keys_and_threshold():
    result = detection_metrics(LABELS, SCORES, threshold=0.3)
    assert result["n"] == 4 and result["n_outliers"] == 2
    assert result["n_flagged"] == 3 and result["precision"] == pytest.approx(2 / 3) and result["recall"] == 1.0


@pytest.mark.parametrize(
    "labels, scores, message",
    [([0, 0], [1, 2], "both inliers and outliers"), ([0, 2], [1, 2], r"0 \(inlier\) or 1"),
     ([0, 1], [1.0, np.nan], "finite"), ([0, 1], [1.0], "2 labels but 1 scores")],
)  # fmt: skip
def test_bad_input(labels, scores, message):
    with pytest.raises(ValueError, match=message):
        auroc(labels, scores)
