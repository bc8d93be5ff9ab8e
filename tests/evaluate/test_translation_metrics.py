"""Translation metrics on ideal, degenerate and hand-computed cases, and SSIM against scikit-image."""

import math

import numpy as np
import pytest
import torch

from genlab.errors import DataError
from genlab.evaluate.translation import (
    colors_to_labels,
    confusion_matrix,
    labels_to_colors,
    paired_scores,
    segmentation_scores,
    ssim,
)

C1, C2 = 0.01**2, 0.03**2  # (K1 R)^2, (K2 R)^2 for R = 1


def _images(*shape, seed=0):
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def _ssim_one_window(x: np.ndarray, y: np.ndarray) -> float:
    """SSIM of two 11 x 11 single-channel images written out by hand: exactly one window position."""
    g = np.exp(-0.5 * (np.arange(-5, 6) / 1.5) ** 2)
    w = np.outer(g, g) / np.outer(g, g).sum()
    mx, my = (w * x).sum(), (w * y).sum()
    vx, vy = (w * (x - mx) ** 2).sum(), (w * (y - my) ** 2).sum()
    cov = (w * (x - mx) * (y - my)).sum()
    return (2 * mx * my + C1) * (2 * cov + C2) / ((mx**2 + my**2 + C1) * (vx + vy + C2))


# --- SSIM ---------------------------------------------------------------------------------------


def test_ssim_of_images_with_themselves_is_one():
    x = _images(3, 3, 16, 13)
    assert torch.allclose(ssim(x, x), torch.ones(3, dtype=torch.float64), atol=1e-12)
    flat = torch.full((1, 1, 11, 11), 0.3)  # no variance at all: C1 and C2 keep it defined
    assert float(ssim(flat, flat)[0]) == pytest.approx(1.0, abs=1e-12)


def test_ssim_of_a_shifted_image_loses_only_the_luminance_term():
    x = 0.9 * _images(1, 1, 11, 11)
    shift = 0.1
    # y = x + c has the same variance and cov(x, y) = var(x): the structure term is 1, and the
    # luminance term is (2 mx my + C1) / (mx^2 + my^2 + C1) with mx the Gaussian-weighted mean
    g = np.exp(-0.5 * (np.arange(-5, 6) / 1.5) ** 2)
    w = np.outer(g, g) / np.outer(g, g).sum()
    mx = float((w * x[0, 0].numpy()).sum())
    my = mx + shift
    expected = (2 * mx * my + C1) / (mx**2 + my**2 + C1)
    value = float(ssim(x, x + shift)[0])
    assert value == pytest.approx(expected, abs=1e-12)
    assert 1 - value == pytest.approx(shift**2 / (mx**2 + my**2 + C1), abs=1e-12)
    assert value < 1 - 1e-3


def test_ssim_by_hand_on_one_window_per_channel():
    x, y = _images(1, 2, 11, 11, seed=1), _images(1, 2, 11, 11, seed=2)
    by_hand = np.mean([_ssim_one_window(x[0, c].numpy(), y[0, c].numpy()) for c in range(2)])
    assert float(ssim(x, y)[0]) == pytest.approx(by_hand, abs=1e-12)


def test_ssim_of_constant_black_and_white_is_the_luminance_constant():
    black, white = torch.zeros(1, 3, 12, 12), torch.ones(1, 3, 12, 12)
    assert float(ssim(black, white)[0]) == pytest.approx(C1 / (1 + C1), rel=1e-9)


def test_ssim_scores_each_image_on_its_own():
    x = _images(2, 3, 14, 12)
    y = torch.stack([x[0], _images(3, 14, 12, seed=5)])  # image 0 identical, image 1 unrelated
    values = ssim(x, y)
    assert values.shape == (2,)
    assert float(values[0]) == pytest.approx(1.0, abs=1e-12)
    assert float(values[1]) == pytest.approx(float(ssim(x[1:], y[1:])[0]), abs=1e-12)
    assert float(values[1]) < 0.2


def test_ssim_of_a_large_batch_is_that_of_each_image():
    x, y = _images(18, 2, 11, 12, seed=10), _images(18, 2, 11, 12, seed=11)  # more than one chunk of 16
    one_by_one = torch.cat([ssim(a[None], b[None]) for a, b in zip(x, y, strict=True)])
    assert torch.allclose(ssim(x, y), one_by_one, atol=1e-12)


def test_ssim_depends_on_values_relative_to_the_data_range():
    x, y = _images(2, 1, 12, 15, seed=3), _images(2, 1, 12, 15, seed=4)
    assert torch.allclose(ssim(255 * x, 255 * y, data_range=255), ssim(x, y), atol=1e-12)


def test_ssim_matches_pinned_scikit_image_values():
    # scikit-image 0.26.0: structural_similarity(x[i], y[i], channel_axis=0, gaussian_weights=True,
    # sigma=1.5, use_sample_covariance=False, data_range=1) on these numpy draws
    rng = np.random.default_rng(0)
    x = rng.random((2, 3, 24, 20))
    y = np.clip(x + 0.2 * rng.normal(size=x.shape), 0, 1)
    g, h = rng.random((1, 1, 13, 17)), rng.random((1, 1, 13, 17))
    values = ssim(torch.from_numpy(x), torch.from_numpy(y))
    assert values.tolist() == pytest.approx([0.8137148889514556, 0.820035400192289], abs=1e-12)
    assert float(ssim(torch.from_numpy(g), torch.from_numpy(h))[0]) == pytest.approx(
        0.03572622292617965, abs=1e-12
    )


def test_ssim_matches_installed_scikit_image():
    metrics = pytest.importorskip("skimage.metrics")
    x = _images(3, 3, 19, 26, seed=6)
    y = (x + 0.3 * _images(3, 3, 19, 26, seed=7)).clamp(0, 1)
    expected = [
        metrics.structural_similarity(
            a.numpy(), b.numpy(), channel_axis=0, gaussian_weights=True, sigma=1.5,
            use_sample_covariance=False, data_range=1,
        )
        for a, b in zip(x, y, strict=True)
    ]  # fmt: skip
    assert ssim(x, y).tolist() == pytest.approx(expected, abs=1e-10)


def test_ssim_rejects_images_smaller_than_its_window():
    small = torch.zeros(1, 3, 10, 32)
    with pytest.raises(DataError, match="at least 11 x 11"):
        ssim(small, small)
    with pytest.raises(DataError, match="odd"):
        ssim(torch.zeros(1, 1, 16, 16), torch.zeros(1, 1, 16, 16), window=8)
    with pytest.raises(DataError, match=r"\(N, C, H, W\)"):
        ssim(torch.zeros(1, 1, 16, 16), torch.zeros(1, 1, 16, 15))


# --- paired scores ------------------------------------------------------------------------------


def test_paired_scores_of_identical_images():
    x = _images(4, 3, 16, 16)
    scores = paired_scores(x, x.clone())
    assert scores["n"] == 4
    assert scores["l1"] == 0.0 and scores["l1_se"] == 0.0
    assert scores["ssim"] == pytest.approx(1.0, abs=1e-12)
    # psnr clamps a zero MSE to 1e-12: 10 log10(1 / 1e-12) = 120 dB, never infinite
    assert math.isfinite(scores["psnr"])
    assert scores["psnr"] == pytest.approx(120.0, abs=1e-9)
    assert scores["psnr_se"] == 0.0


def test_paired_scores_by_hand():
    target = torch.zeros(2, 1, 12, 12, dtype=torch.float64)
    output = torch.stack([torch.full((1, 12, 12), c, dtype=torch.float64) for c in (0.1, 0.3)])
    scores = paired_scores(output, target)
    # per image: L1 0.1 and 0.3; the standard error of two values is |a - b| / 2
    assert scores["l1"] == pytest.approx(0.2, abs=1e-12)
    assert scores["l1_se"] == pytest.approx(0.1, abs=1e-12)
    # MSE 0.01 and 0.09: PSNR 20 dB and 10 log10(1 / 0.09) dB
    db = [20.0, 10 * math.log10(1 / 0.09)]
    assert scores["psnr"] == pytest.approx(sum(db) / 2, abs=1e-9)
    assert scores["psnr_se"] == pytest.approx(abs(db[0] - db[1]) / 2, abs=1e-9)
    # constant images: only the luminance term, C1 / (c^2 + C1)
    s = [C1 / (0.1**2 + C1), C1 / (0.3**2 + C1)]
    assert scores["ssim"] == pytest.approx(sum(s) / 2, rel=1e-6)
    assert scores["ssim_se"] == pytest.approx(abs(s[0] - s[1]) / 2, rel=1e-6)


def test_paired_l1_counts_errors_of_either_sign():
    target = torch.full((1, 3, 12, 12), 0.5, dtype=torch.float64)
    output = target.clone()
    output[..., :6] += 0.25  # half the pixels too bright, half too dark by the same amount
    output[..., 6:] -= 0.25
    scores = paired_scores(output, target)
    assert scores["l1"] == pytest.approx(0.25, abs=1e-12)
    assert scores["psnr"] == pytest.approx(10 * math.log10(1 / 0.25**2), abs=1e-9)


def test_paired_scores_use_the_data_range_as_the_peak():
    x, y = _images(2, 3, 12, 12, seed=8), _images(2, 3, 12, 12, seed=9)
    unit, bytes_ = paired_scores(x, y), paired_scores(255 * x, 255 * y, data_range=255)
    assert bytes_["psnr"] == pytest.approx(unit["psnr"], abs=1e-9)
    assert bytes_["ssim"] == pytest.approx(unit["ssim"], abs=1e-12)
    assert bytes_["l1"] == pytest.approx(255 * unit["l1"], rel=1e-12)


def test_paired_scores_of_one_image_have_no_standard_error():
    x = _images(1, 1, 11, 11)
    scores = paired_scores(x, 1 - x)
    assert scores["n"] == 1 and math.isnan(scores["l1_se"]) and math.isnan(scores["ssim_se"])
    assert math.isfinite(scores["l1"]) and math.isfinite(scores["ssim"])


# --- label maps ---------------------------------------------------------------------------------

# a hand-made 4 x 4 case with 3 classes; -1 and 5 mark unlabeled pixels
TRUTH = torch.tensor([[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 2, 2], [2, 2, -1, 5]])
PREDICTED = torch.tensor([[0, 1, 1, 1], [0, 0, 1, 1], [2, 2, 2, 0], [2, 2, 0, 0]])
COUNTS = torch.tensor([[3, 1, 0], [0, 4, 0], [1, 0, 5]])  # rows: true class, columns: predicted


def test_confusion_matrix_by_hand():
    assert torch.equal(confusion_matrix(PREDICTED[None], TRUTH[None], 3), COUNTS)
    # counts add up over a batch of maps
    assert torch.equal(confusion_matrix(torch.stack([PREDICTED, TRUTH]), torch.stack([TRUTH, TRUTH]), 3),
                       COUNTS + torch.diag(torch.tensor([4, 4, 6])))  # fmt: skip


def test_segmentation_scores_by_hand():
    scores = segmentation_scores(PREDICTED[None], TRUTH[None], 3, names=["road", "car", "sky"])
    assert scores["pixel_accuracy"] == pytest.approx(12 / 14)
    assert scores["mean_class_accuracy"] == pytest.approx((3 / 4 + 4 / 4 + 5 / 6) / 3)
    # IoU = hits / (in truth + in prediction - hits): 3 / (4 + 4 - 3), 4 / (4 + 5 - 4), 5 / (6 + 5 - 5)
    assert scores["class_iou"] == pytest.approx({"road": 3 / 5, "car": 4 / 5, "sky": 5 / 6})
    assert scores["mean_iou"] == pytest.approx((3 / 5 + 4 / 5 + 5 / 6) / 3)
    assert scores["classes_in_mean"] == 3


def test_a_class_in_neither_map_is_left_out_of_the_means():
    three = segmentation_scores(PREDICTED[None], TRUTH[None], 3)
    four = segmentation_scores(PREDICTED[None], TRUTH[None], 4)  # class 3 occurs nowhere
    assert math.isnan(four["class_iou"]["3"])
    assert four["classes_in_mean"] == 3
    for name in ("pixel_accuracy", "mean_class_accuracy", "mean_iou"):
        assert four[name] == pytest.approx(three[name])


def test_a_class_only_predicted_counts_with_iou_zero():
    predicted = PREDICTED.clone()
    predicted[2, 3] = 3  # a true class-2 pixel, predicted 0 before, now class 3, which the truth never has
    scores = segmentation_scores(predicted[None], TRUTH[None], 4)
    assert scores["class_iou"]["3"] == 0.0
    assert scores["class_iou"]["0"] == pytest.approx(3 / (4 + 3 - 3))  # one false positive fewer
    assert scores["class_iou"]["2"] == pytest.approx(5 / (6 + 5 - 5))  # still a miss
    assert scores["classes_in_mean"] == 4
    assert scores["mean_iou"] == pytest.approx((3 / 4 + 4 / 5 + 5 / 6 + 0) / 4)
    # class 3 has no true pixels: it has no accuracy to average
    assert scores["mean_class_accuracy"] == pytest.approx((3 / 4 + 4 / 4 + 5 / 6) / 3)


def test_perfect_and_impossible_segmentations():
    perfect = segmentation_scores(TRUTH[None].clamp(0, 2), TRUTH[None], 3)
    assert perfect["pixel_accuracy"] == perfect["mean_class_accuracy"] == perfect["mean_iou"] == 1.0
    with pytest.raises(DataError, match="no labeled pixels"):
        segmentation_scores(torch.zeros(1, 2, 2, dtype=torch.int64), torch.full((1, 2, 2), -1), 3)
    with pytest.raises(DataError, match=r"predicted labels must lie in \[0, 3\)"):
        confusion_matrix(torch.full((1, 4, 4), -1), TRUTH[None], 3)
    with pytest.raises(DataError, match="one name per class"):
        segmentation_scores(PREDICTED[None], TRUTH[None], 3, names=["road", "car"])


# --- color-coded label maps ---------------------------------------------------------------------

PALETTE = torch.tensor([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]])


def test_labels_round_trip_through_colors_and_survive_noise():
    labels = torch.randint(0, 5, (3, 6, 9), generator=torch.Generator().manual_seed(0))
    colors = labels_to_colors(labels, PALETTE)
    assert colors.shape == (3, 3, 6, 9)
    assert torch.equal(colors[1, :, 2, 7], PALETTE[labels[1, 2, 7]])
    assert torch.equal(colors_to_labels(colors, PALETTE), labels)
    # the colors lie at least 1 apart: noise of at most 0.15 per channel keeps every pixel nearest its own
    noise = 0.3 * torch.rand(colors.shape, generator=torch.Generator().manual_seed(1)) - 0.15
    assert torch.equal(colors_to_labels((colors + noise).clamp(0, 1), PALETTE), labels)


def test_colors_go_to_the_nearest_palette_color_in_euclidean_distance():
    palette = torch.tensor([[0.0, 0.0, 0.0], [0.25, 0.25, 0.25], [1.0, 1.0, 1.0]])  # exact in binary
    pixels = torch.tensor([
        [0.5, 0.0, 0.0],  # distance 0.5 to black, sqrt(0.1875) = 0.43 to gray (in L1 black would win)
        [0.75, 0.75, 0.75],  # nearer white
        [0.625, 0.625, 0.625],  # as near gray as white: the tie goes to the lower index
    ])  # fmt: skip
    images = pixels.T.reshape(1, 3, 1, 3)
    assert colors_to_labels(images, palette).tolist() == [[[1, 2, 1]]]


def test_labels_outside_the_palette_are_refused():
    with pytest.raises(DataError, match=r"\[0, 5\)"):
        labels_to_colors(torch.full((1, 2, 2), -1), PALETTE)
    with pytest.raises(DataError, match=r"\(N, 3, H, W\)"):
        colors_to_labels(torch.zeros(1, 1, 2, 2), PALETTE)
