"""``genlab evaluate RUN --quality``: the sample quality of a trained run against held-out real data."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import torch

from genlab.data.dataset import Dataset
from genlab.data.splits import load_split, load_splits
from genlab.device import resolve_device
from genlab.errors import ConfigError
from genlab.evaluate.features import FeatureExtractor, factor_labeled, feature_extractor
from genlab.evaluate.quality import sample_quality
from genlab.io import write_json
from genlab.models.protocols import Sampler
from genlab.progress import ProgressFn, counted
from genlab.run import Run, RunConfig
from genlab.seeding import derive_seed

log = logging.getLogger(__name__)

FACTOR_TRAIN, FACTOR_TEST = 10_000, 1_000  # images rendered to train / test a factor classifier


def real_subset(data: Dataset, n: int, seed: int = 0) -> Dataset:
    """A seeded random subset of ``n`` examples (all of them when there are fewer)."""
    if len(data) <= n:
        return data
    order = torch.randperm(len(data), generator=torch.Generator().manual_seed(derive_seed(seed, "quality-real")))
    return data.subset(order[:n])


@torch.no_grad()
def draw_samples(model: Sampler, n: int, seed: int, batch_size: int = 500, progress: ProgressFn | None = None) -> torch.Tensor:
    """``n`` samples (N, C, H, W) in [0, 1] from ``model.sample``, in batches from one seeded generator."""
    generator = torch.Generator().manual_seed(seed)
    sizes = counted([min(batch_size, n - start) for start in range(0, n, batch_size)], progress, "quality: samples", n, int)
    samples = torch.cat([model.sample(size, generator).float().cpu() for size in sizes])
    low, high = float(samples.min()), float(samples.max())
    if low < -0.1 or high > 1.1:
        # a model that returns [-1, 1] images would otherwise be scored on half its range
        log.warning("samples range from %.2f to %.2f; sample() should return images in [0, 1] (clamping)", low, high)
    return samples.clamp(0, 1)


def _run_features(config: RunConfig, features: str, inception: str | None, device: torch.device) -> FeatureExtractor:
    """Inception from a local file, or the network trained on the run's data set (cached)."""
    if inception:
        from genlab.evaluate.inception import load_inception

        return load_inception(inception, device)
    # the feature network learns from every example the generator may have seen, never the test split
    pool = load_splits(replace(config.data, limit=None, val_fraction=0.0, binarize=False, dequantize=False))
    name = config.data.name + (f"@{config.data.resize}" if config.data.resize else "")
    train, test = pool.train, pool.test
    if train.y is None and features in ("auto", "classifier"):
        # no labels: learn to predict the factors of variation, when the data set is rendered from them
        rendered = factor_labeled(config.data.name, FACTOR_TRAIN + FACTOR_TEST, config.data.resize, train.bits)
        if rendered is not None:
            train, test = rendered.subset(slice(FACTOR_TEST, None)), rendered.subset(slice(0, FACTOR_TEST))
            name += "-factors"
    return feature_extractor(train, test, features, name, device=device)


def quality_run(
    path: str,
    split: str = "test",
    n_generated: int = 10_000,
    n_real: int = 10_000,
    features: str = "auto",
    inception: str | None = None,
    k: int = 3,
    kid_subsets: int = 100,
    kid_subset_size: int = 1000,
    batch_size: int = 500,
    seed: int = 0,
    device: str = "auto",
    save: bool = True,
    extractor: FeatureExtractor | None = None,
    progress: ProgressFn | None = None,
) -> dict[str, Any]:
    """FD, KID, precision and recall of the run's samples against ``split`` of its data.

    Features come from a network trained on the data set's training pool (train + validation),
    cached by data hash (``features``: auto, classifier or autoencoder), or from a local
    Inception-v3 weights file (``inception``), which makes ``fd`` the standard FID. ``n_real``
    real examples are a seeded random subset of the split (all of it when it is smaller).
    The result is saved as RUN/quality_SPLIT.json (the report is not rewritten here). ``extractor`` replaces the feature choice
    (benchmarks pass one to score several runs in the same features).
    """
    for name, value in (("--n-generated", n_generated), ("--n-real", n_real)):
        if value < 2:
            raise ConfigError(f"{name} must be at least 2, got {value}")
    run = Run(path)
    config = run.load_config()
    dev = resolve_device(device)
    model = run.load_capable(Sampler, dev, "a '{model}' model draws no samples, so it has no sample quality; train a vae or a gan")

    real_data = load_split(config.data, split)  # a procedural set renders this split only
    if not real_data.is_image and inception:
        raise ConfigError("Inception features need images, but this run's data are vectors; drop --inception")
    if extractor is None:  # before sampling, so a bad option fails fast
        extractor = _run_features(config, features, inception, dev)
    if len(real_data) < n_real:
        log.info("the %s split holds %d examples; comparing with all of them", split, len(real_data))
    real_data = real_subset(real_data, n_real, seed)
    generated = draw_samples(model, n_generated, derive_seed(seed, "quality-samples"), batch_size, progress)
    result: dict[str, Any] = {"run": str(run.path), "model": config.model, "dataset": config.data.name, "split": split}
    result |= sample_quality(
        real_data.x, generated, extractor, k=k, kid_subsets=kid_subsets, kid_subset_size=kid_subset_size,
        random_state=derive_seed(seed, "quality-kid"), progress=progress,
    )  # fmt: skip
    result["feature_info"] = {key: value for key, value in extractor.info.items() if key != "data_hash"}
    result["seed"] = seed
    if save:
        write_json(run.quality_path(split), result)
    return result
