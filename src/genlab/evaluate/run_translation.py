"""``genlab evaluate RUN --translation``: how well a pix2pix or CycleGAN run translates, measured
against the truth where the procedural data knows it.

Paired runs (pix2pix): L1, PSNR and SSIM of the translations against their targets, beside the
same scores of the untranslated inputs (doing nothing). On ``faces-parts``: face -> labels by
pixel accuracy and IoU per part of the translated label maps against the true ones; labels ->
face by the FCN-score, the same scores of a segmenter trained on real faces applied to the
generated faces (and, for the ceiling, to the real ones), and the Frechet distance of the
generated faces to the real ones in features trained on faces.

Unpaired runs (CycleGAN), both directions: the Frechet distance and KID of the translations to
the real images of the target domain; the share a domain classifier (trained on real A and B)
puts in the target domain; the cycle reconstruction error. On two domains of procedural faces
that differ in one attribute: every other attribute read back from the translations by a
classifier trained on real faces (attribute preservation, beside the same reading of the
inputs), and L1, PSNR and SSIM against the exact counterfactual of each input, the same face
rendered with only that attribute changed (beside doing nothing).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import numpy as np
import torch

from genlab.data.dataset import Dataset
from genlab.data.splits import DataSpec, load_split, load_splits
from genlab.device import resolve_device
from genlab.errors import ConfigError
from genlab.evaluate.quality import sample_quality
from genlab.evaluate.translation import colors_to_labels, paired_scores, segmentation_scores
from genlab.io import write_json
from genlab.models.protocols import Translator
from genlab.models.translation.configs import Pix2PixConfig
from genlab.progress import ProgressFn, silent
from genlab.run import Run
from genlab.seeding import derive_seed

log = logging.getLogger(__name__)

ATTRIBUTE_TRAIN = 20_000  # rendered faces the attribute classifier learns from


def translation_run(
    path: str, split: str = "test", n: int | None = None, batch_size: int = 64, seed: int = 0, device: str = "auto",
    save: bool = True, progress: ProgressFn | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The translation scores of the run at ``path`` on ``split`` of its data (the first ``n``
    examples); saved as RUN/translation_SPLIT.json."""
    if n is not None and n < 1:
        raise ConfigError(f"--n must be at least 1, got {n}")
    run = Run(path)
    config = run.load_config()
    dev = resolve_device(device)
    model = run.load_capable(Translator, dev, "--translation scores pix2pix and cyclegan runs; {run} holds a '{model}' model")
    data = load_split(config.data, split, None if n is None else slice(0, n))  # a procedural set renders only these
    report = progress or silent
    translate = lambda images, direction: _batched(model, images, direction, batch_size, dev, report)
    result: dict[str, Any] = {"run": str(run.path), "model": config.model, "dataset": config.data.name, "split": split,
                              "n_examples": len(data)}  # fmt: skip
    if "target" in data.extras:
        result |= _paired(model, config, data, translate, dev)
    else:
        result |= _unpaired(config.data, data, translate, dev, seed)
    result["seed"] = seed
    if save:
        write_json(run.translation_path(split), result)
    return result


@torch.no_grad()
def _batched(model: Any, images: torch.Tensor, direction: str | None, batch_size: int, device: torch.device,
             report: ProgressFn) -> torch.Tensor:  # fmt: skip
    out = []
    for start in range(0, len(images), batch_size):
        out.append(model.translate(images[start : start + batch_size].to(device), direction).cpu())
        report(f"translating {direction or ''}".strip(), start + len(out[-1]), len(images))
    return torch.cat(out)


def _paired(model: Any, config: Any, data: Dataset, translate: Any, device: torch.device) -> dict[str, Any]:
    backwards = isinstance(config.model_config, Pix2PixConfig) and config.model_config.direction == "BtoA"
    source, target = (data.extras["target"], data.x) if backwards else (data.x, data.extras["target"])
    output = translate(source, None)
    result: dict[str, Any] = {"direction": "BtoA" if backwards else "AtoB", "translation": paired_scores(output, target)}
    if source.shape == target.shape:
        result["doing_nothing"] = paired_scores(source, target)
    if config.data.name.split(":")[0] == "faces-parts":
        result |= _face_parts(config.data, data, output, backwards, device)
    return result


def _face_parts(spec: DataSpec, data: Dataset, output: torch.Tensor, backwards: bool, device: torch.device) -> dict[str, Any]:
    """Exact scores of faces <-> label maps: the true label map of every test face is known."""
    from genlab.data.face_render import PART_COLORS, PARTS
    from genlab.evaluate.segmenter import trained_segmenter

    palette = torch.tensor(PART_COLORS)
    truth = colors_to_labels(data.x, palette)  # x holds the label maps, in their exact colors
    if backwards:  # face -> labels: read the translated maps
        return {"face_to_labels": segmentation_scores(colors_to_labels(output, palette), truth, len(PARTS), PARTS)}
    train = load_splits(replace(spec, seed=0, limit=None)).train  # one segmenter for runs of every seed (cached)
    segmenter, info = trained_segmenter(train.extras["target"], colors_to_labels(train.x, palette), len(PARTS), device=device)
    generated = segmentation_scores(segmenter.segment(output), truth, len(PARTS), PARTS)
    real = segmentation_scores(segmenter.segment(data.extras["target"]), truth, len(PARTS), PARTS)
    fd = _frechet(train.extras["target"], data.extras["target"], output, spec, device)
    return {
        "fcn_score": generated,
        "fcn_score_real": real,  # the ceiling: the segmenter on the real faces
        "fcn_share_of_real": {k: generated[k] / real[k] for k in ("pixel_accuracy", "mean_iou")},
        "fd": fd,
        "segmenter": info,
    }


def _frechet(train: torch.Tensor, real: torch.Tensor, generated: torch.Tensor, spec: DataSpec, device: torch.device,
             labels: torch.Tensor | None = None) -> dict[str, Any]:  # fmt: skip
    """FD and KID of ``generated`` to ``real`` in features of a network trained on ``train`` (labeled by ``labels``,
    else an autoencoder), each a set of images (N, C, H, W)."""
    from genlab.evaluate.features import feature_extractor

    extractor = feature_extractor(Dataset(train, labels), kind="classifier" if labels is not None else "autoencoder",
                                  dataset_name=spec.name, device=device)  # fmt: skip
    n = min(len(real), len(generated))
    scores = sample_quality(real[:n], generated[:n], extractor, kid_subsets=50, kid_subset_size=min(1000, n))
    return {k: scores[k] for k in ("fd", "kid", "kid_std", "precision", "recall", "feature_extractor", "n_real")}


def _unpaired(spec: DataSpec, data: Dataset, translate: Any, device: torch.device, seed: int) -> dict[str, Any]:
    from genlab.evaluate.features import trained_network

    a, b = data.x, data.extras["b"]
    a_to_b, b_to_a = translate(a, "AtoB"), translate(b, "BtoA")
    train = load_splits(replace(spec, seed=0, limit=None)).train  # the same instruments for runs of every seed
    train_a, train_b = train.x, train.extras["b"]
    domains = Dataset(torch.cat([train_a, train_b]), torch.cat([torch.zeros(len(train_a)), torch.ones(len(train_b))]).long())
    classifier, info = trained_network("classifier", domains, dataset_name=f"domains of {spec.name}", device=device)
    in_b = lambda images: float((_predict(classifier, images, device)[0] == 1).float().mean())
    result: dict[str, Any] = {
        "domain_classifier": {
            "translations_called_b": in_b(a_to_b), "translations_called_a": 1 - in_b(b_to_a),
            "real_b_called_b": in_b(b), "real_a_called_a": 1 - in_b(a), "train_seconds": info.get("train_seconds"),
        },
        "cycle_l1": {
            "a": float((translate(a_to_b, "BtoA") - a).abs().mean()), "b": float((translate(b_to_a, "AtoB") - b).abs().mean()),
        },
        "quality_a_to_b": _frechet(torch.cat([train_a, train_b]), b, a_to_b, spec, device, domains.y),
        "quality_b_to_a": _frechet(torch.cat([train_a, train_b]), a, b_to_a, spec, device, domains.y),
    }  # fmt: skip
    flip = face_flip(spec)
    if flip is not None and data.factors is not None:
        result |= _faces_against_the_truth(spec, data, a_to_b, flip, device, seed)
    return result


@torch.no_grad()
def _predict(classifier: Any, images: torch.Tensor, device: torch.device) -> list[torch.Tensor]:
    """The most likely class of each label column, each (N,)."""
    chunks = [classifier.logits(images[i : i + 500].to(device)) for i in range(0, len(images), 500)]
    return [torch.cat([c[k] for c in chunks]).argmax(1).cpu() for k in range(len(chunks[0]))]


def face_flip(spec: DataSpec) -> tuple[str, int] | None:
    """(factor, level) when the two domains of ``spec`` are procedural faces that differ in one
    factor whose level in domain B is fixed (``faces:glasses=1,0`` against ``faces:glasses=0,1``):
    the counterfactual of a face of A is the same face with that factor at that level."""
    if spec.name_b is None or not (spec.name.startswith("faces:") and spec.name_b.startswith("faces:")):
        return None
    from genlab.data.faces import FACTOR_NAMES, Faces

    weights_a, weights_b = Faces.from_options(spec.name[6:]).weights, Faces.from_options(spec.name_b[6:]).weights
    changed = [f for f in FACTOR_NAMES if not np.allclose(weights_a.get(f, 0), weights_b.get(f, 0))]
    if len(changed) != 1 or np.count_nonzero(weights_b[changed[0]]) != 1:
        return None
    return changed[0], int(np.flatnonzero(weights_b[changed[0]])[0])


def _faces_against_the_truth(spec: DataSpec, data: Dataset, a_to_b: torch.Tensor, flip: tuple[str, int],
                             device: torch.device, seed: int) -> dict[str, Any]:  # fmt: skip
    from genlab.data.faces import FACTOR_NAMES, FaceFactors
    from genlab.evaluate.features import factor_labeled, trained_network

    factor, level = flip
    column = FACTOR_NAMES.index(factor)
    size = data.x.shape[-1]
    truth = data.factors.numpy().copy()
    counterfactual_factors = truth.copy()
    counterfactual_factors[:, column] = level
    counterfactual = FaceFactors(size=size).render(counterfactual_factors)
    rendered = factor_labeled("faces", ATTRIBUTE_TRAIN, size if size != 64 else None, 8, seed=derive_seed(seed, "attributes"))
    classifier, _ = trained_network("classifier", rendered, dataset_name="faces attributes", device=device)
    read_translated = _predict(classifier, a_to_b, device)
    read_inputs = _predict(classifier, data.x, device)
    kept = {
        name: {"translations": float((read_translated[i] == torch.from_numpy(truth[:, i])).float().mean()),
               "inputs": float((read_inputs[i] == torch.from_numpy(truth[:, i])).float().mean())}
        for i, name in enumerate(FACTOR_NAMES) if i != column
    }  # fmt: skip
    for scores in kept.values():
        scores["share"] = scores["translations"] / scores["inputs"] if scores["inputs"] else float("nan")
    changed = float((read_translated[column] == level).float().mean())
    return {
        "flipped": {"factor": factor, "to_level": level, "read_back_on_translations": changed},
        "attribute_preservation": kept,
        "against_counterfactual": paired_scores(a_to_b, counterfactual),
        "doing_nothing_against_counterfactual": paired_scores(data.x, counterfactual),
    }

