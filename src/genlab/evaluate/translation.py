"""Image-to-image translation: how close outputs are to their targets, and how well label maps agree.

Pure functions of tensors; images are float tensors in [0, 1] shaped (N, C, H, W), label maps
integer tensors shaped (N, H, W).

- :func:`ssim`: the structural similarity of Wang et al. (2004) per image, computed as
  scikit-image's ``structural_similarity(..., gaussian_weights=True, sigma=1.5,
  use_sample_covariance=False, data_range=1)`` does: an 11 x 11 Gaussian window, 'valid'
  positions only (no padding), averaged over positions and channels.
- :func:`paired_scores`: mean L1, PSNR and SSIM of outputs against their targets, with standard errors.
- :func:`confusion_matrix` and :func:`segmentation_scores`: pixel accuracy, mean class accuracy and
  IoU of label maps (the "FCN-score" of pix2pix and the Cityscapes benchmark).
- :func:`colors_to_labels` and :func:`labels_to_colors`: between color-coded label images and label
  maps, as pix2pix reads generated label images (each pixel takes the nearest palette color).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

from genlab.errors import DataError
from genlab.evaluate.likelihood import psnr

_K1, _K2 = 0.01, 0.03  # Wang et al. 2004


def _check_images(x: torch.Tensor, y: torch.Tensor) -> None:
    if x.ndim != 4 or x.shape != y.shape:
        raise DataError(
            f"need two image batches shaped (N, C, H, W) alike, got {tuple(x.shape)} and {tuple(y.shape)}"
        )
    if len(x) == 0:
        raise DataError("no images to compare")


# --- structural similarity ----------------------------------------------------------------------


def _gaussian_window(size: int, sigma: float, device: torch.device) -> torch.Tensor:
    """The (size, size) Gaussian window, normalized to sum 1 (scipy's ``gaussian_filter`` weights)."""
    offsets = torch.arange(size, dtype=torch.float64, device=device) - (size - 1) / 2
    g = torch.exp(-0.5 * (offsets / sigma) ** 2)
    g = g / g.sum()
    return torch.outer(g, g)


def ssim(
    x: torch.Tensor, y: torch.Tensor, window: int = 11, sigma: float = 1.5, data_range: float = 1.0
) -> torch.Tensor:
    """Structural similarity of each pair of images (Wang et al. 2004).

    At every position where the whole ``window`` x ``window`` Gaussian window (std ``sigma``)
    fits inside the image ('valid' convolution, no padding), the window's weighted means,
    variances and covariance (population, not sample, moments) give

        SSIM = (2 mu_x mu_y + C1) (2 cov_xy + C2) / ((mu_x^2 + mu_y^2 + C1) (var_x + var_y + C2))

    with C1 = (0.01 R)^2, C2 = (0.03 R)^2 and R = ``data_range``. The map is averaged over
    positions and channels. With the defaults this equals scikit-image's
    ``structural_similarity(x[i], y[i], channel_axis=0, gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False, data_range=1)`` (whose Gaussian spans 2 int(3.5 sigma + 0.5) + 1
    pixels, i.e. 11 for sigma 1.5).

    Images smaller than the window raise an error rather than shrinking the window: a smaller
    window measures structure at another scale, so the number would not be comparable with
    anyone else's SSIM.

    Parameters
    ----------
    x, y : Tensor (N, C, H, W)
        Images to compare, values in [0, ``data_range``]; H and W at least ``window``.
    window : int
        Side of the Gaussian window, odd.
    sigma : float
        Standard deviation of the Gaussian, in pixels.
    data_range : float
        The span of possible values (1 for images in [0, 1]).

    Returns
    -------
    Tensor (N,), float64
        The SSIM of each image pair: 1 for identical images, lower the less alike.
    """
    _check_images(x, y)
    if window < 1 or window % 2 == 0:
        raise DataError(f"the SSIM window must be a positive odd number of pixels, got {window}")
    h, w = x.shape[2:]
    if h < window or w < window:
        raise DataError(
            f"SSIM needs images of at least {window} x {window} pixels (its Gaussian window), got {h} x {w}"
        )
    kernel = _gaussian_window(window, sigma, x.device).expand(5, 1, window, window)
    c1, c2 = (_K1 * data_range) ** 2, (_K2 * data_range) ** 2
    # a few images at a time: the five moment maps are float64 copies of the images
    return torch.cat(
        [_ssim_chunk(a, b, kernel, c1, c2) for a, b in zip(x.split(16), y.split(16), strict=True)]
    )


def _ssim_chunk(x: torch.Tensor, y: torch.Tensor, kernel: torch.Tensor, c1: float, c2: float) -> torch.Tensor:
    n, c, h, w = x.shape
    x = x.detach().to(torch.float64).reshape(n * c, 1, h, w)
    y = y.detach().to(torch.float64).reshape(n * c, 1, h, w)
    moments = torch.nn.functional.conv2d(torch.cat([x, y, x * x, y * y, x * y], dim=1), kernel, groups=5)
    mu_x, mu_y, xx, yy, xy = moments.unbind(dim=1)
    var_x, var_y, cov = xx - mu_x**2, yy - mu_y**2, xy - mu_x * mu_y
    similarity = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    return similarity.reshape(n, -1).mean(dim=1)  # over positions and channels


# --- paired image scores ------------------------------------------------------------------------


def _mean_and_se(values: torch.Tensor) -> tuple[float, float]:
    """Mean and its standard error (sample std / sqrt(n)); the error is NaN for a single value."""
    n = len(values)
    se = float(values.std(correction=1)) / math.sqrt(n) if n > 1 else math.nan
    return float(values.mean()), se


def paired_scores(output: torch.Tensor, target: torch.Tensor, data_range: float = 1.0) -> dict[str, float]:
    """Mean L1, PSNR and SSIM of translated images against their targets, over images.

    Each score is computed per image and then averaged: L1 is the mean absolute difference per
    pixel and channel, PSNR (dB) comes from each image's mean squared error through
    :func:`genlab.evaluate.likelihood.psnr` (an exact match has MSE 0, which ``psnr`` clamps
    to 1e-12: 120 dB at ``data_range`` 1), SSIM is :func:`ssim`. The ``*_se`` entries are the
    standard errors of those means over images, the sample standard deviation over images
    divided by sqrt(n), so a report reads ``l1 ± l1_se``; they are NaN when n is 1.

    Parameters
    ----------
    output, target : Tensor (N, C, H, W)
        Translated images and their targets, values in [0, ``data_range``]; H, W >= 11 for SSIM.
    data_range : float
        The span of possible values, the peak of PSNR and R of SSIM.

    Returns
    -------
    dict
        ``l1``, ``l1_se``, ``psnr``, ``psnr_se``, ``ssim``, ``ssim_se`` (floats) and ``n`` (int).
    """
    _check_images(output, target)
    diff = output.detach().to(torch.float64) - target.detach().to(torch.float64)
    per_image = {
        "l1": diff.abs().flatten(1).mean(1),
        "psnr": psnr(diff.pow(2).flatten(1).mean(1), peak=data_range),
        "ssim": ssim(output, target, data_range=data_range),
    }
    scores: dict[str, float] = {}
    for name, values in per_image.items():
        scores[name], scores[f"{name}_se"] = _mean_and_se(values)
    return {**scores, "n": len(output)}


# --- label maps ---------------------------------------------------------------------------------


def confusion_matrix(predicted: torch.Tensor, truth: torch.Tensor, classes: int) -> torch.Tensor:
    """Pixel counts of (true class, predicted class) over label maps.

    Pixels whose true label is outside [0, ``classes``) (e.g. -1 or 255 for "void") are ignored.
    Every prediction at a scored pixel must be a class: a "void" prediction would have no column,
    and dropping it would flatter the model.

    Parameters
    ----------
    predicted, truth : integer Tensor (N, H, W)
        Predicted and true label maps, the same shape.
    classes : int
        The number of classes K.

    Returns
    -------
    Tensor (K, K), int64
        Row i, column j counts the pixels of true class i predicted as j.
    """
    if predicted.shape != truth.shape:
        raise DataError(
            f"predicted and true label maps differ in shape: {tuple(predicted.shape)} vs {tuple(truth.shape)}"
        )
    if predicted.is_floating_point() or truth.is_floating_point():
        raise DataError(
            "label maps must hold integer class indices; convert color images with colors_to_labels"
        )
    scored = (truth >= 0) & (truth < classes)
    p, t = predicted[scored].long(), truth[scored].long()
    if ((p < 0) | (p >= classes)).any():
        raise DataError(f"predicted labels must lie in [0, {classes}) wherever the truth is labeled")
    return torch.bincount(t * classes + p, minlength=classes * classes).reshape(classes, classes).cpu()


def segmentation_scores(
    predicted: torch.Tensor, truth: torch.Tensor, classes: int, names: Sequence[str] | None = None
) -> dict[str, Any]:
    """Pixel accuracy, mean class accuracy and IoU of predicted label maps, as fractions in [0, 1].

    From the confusion matrix C (:func:`confusion_matrix`; "void" truth pixels ignored):

    - ``pixel_accuracy``: trace(C) / sum(C), the share of labeled pixels predicted right.
    - ``mean_class_accuracy``: C_ii / sum_j C_ij averaged over the classes that occur in the truth.
    - ``class_iou``: C_ii / (sum_j C_ij + sum_j C_ji - C_ii) per class, keyed by name (by the class
      index as a string without ``names``); NaN for a class absent from both maps.
    - ``mean_iou``: the mean IoU over the classes that occur in the truth or the prediction. A
      class absent from both is left out of the mean (its IoU is 0 / 0), as the Cityscapes
      benchmark and pix2pix's FCN-score do; a class that is only predicted counts with IoU 0.
    - ``classes_in_mean``: how many classes ``mean_iou`` averages.

    Parameters
    ----------
    predicted, truth : integer Tensor (N, H, W)
        Predicted and true label maps.
    classes : int
        The number of classes K.
    names : sequence of K str, optional
        Class names for ``class_iou``.
    """
    if names is not None and len(names) != classes:
        raise DataError(f"need one name per class: {classes} classes, {len(names)} names")
    counts = confusion_matrix(predicted, truth, classes).to(torch.float64)
    total = counts.sum()
    if total == 0:
        raise DataError("no labeled pixels to score: every true label is outside [0, classes)")
    hits, in_truth, in_prediction = counts.diag(), counts.sum(dim=1), counts.sum(dim=0)
    union = in_truth + in_prediction - hits
    iou = hits / union  # NaN where a class is in neither map
    present = union > 0
    keys = list(names) if names is not None else [str(k) for k in range(classes)]
    return {
        "pixel_accuracy": float(hits.sum() / total),
        "mean_class_accuracy": float((hits / in_truth)[in_truth > 0].mean()),
        "mean_iou": float(iou[present].mean()),
        "class_iou": {key: float(value) for key, value in zip(keys, iou, strict=True)},
        "classes_in_mean": int(present.sum()),
    }


def colors_to_labels(images: torch.Tensor, palette: torch.Tensor) -> torch.Tensor:
    """The label map of color-coded label images: each pixel takes its nearest palette color.

    Nearness is Euclidean distance in RGB; a tie goes to the lower index. This is how pix2pix
    scores photo -> label translation: the generated color image is read back as labels.

    Parameters
    ----------
    images : Tensor (N, 3, H, W)
        RGB images in [0, 1].
    palette : Tensor (K, 3)
        The color of each class, in [0, 1].

    Returns
    -------
    Tensor (N, H, W), int64
    """
    if images.ndim != 4 or images.shape[1] != 3:
        raise DataError(f"need RGB images shaped (N, 3, H, W), got {tuple(images.shape)}")
    if palette.ndim != 2 or palette.shape[1] != 3 or len(palette) == 0:
        raise DataError(f"need a palette shaped (K, 3), got {tuple(palette.shape)}")
    palette = palette.to(images.device, images.dtype)
    best = torch.zeros(images.shape[0], *images.shape[2:], dtype=torch.int64, device=images.device)
    best_distance = torch.full(best.shape, math.inf, dtype=images.dtype, device=images.device)
    for k, color in enumerate(palette):  # K passes over the images: memory stays that of one map
        distance = (images - color[None, :, None, None]).pow(2).sum(dim=1)
        closer = distance < best_distance
        best[closer] = k
        best_distance[closer] = distance[closer]
    return best


def labels_to_colors(labels: torch.Tensor, palette: torch.Tensor) -> torch.Tensor:
    """Color-coded images of label maps: the palette color of each pixel's class.

    Parameters
    ----------
    labels : integer Tensor (N, H, W)
        Class indices in [0, K).
    palette : Tensor (K, 3)
        The color of each class.

    Returns
    -------
    Tensor (N, 3, H, W), the palette's dtype
    """
    if labels.ndim != 3 or labels.is_floating_point():
        raise DataError(f"need integer label maps shaped (N, H, W), got {tuple(labels.shape)} {labels.dtype}")
    if ((labels < 0) | (labels >= len(palette))).any():
        raise DataError(f"labels must lie in [0, {len(palette)}) to have a palette color")
    return palette.to(labels.device)[labels.long()].permute(0, 3, 1, 2)
