"""How a run's data is chosen: the spec saved in config.json and the seeded train/val/test split."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace

import torch

from genlab.data.dataset import Dataset, concatenate
from genlab.data.registry import get_source
from genlab.data.transforms import binarize, dequantize
from genlab.errors import DataError

log = logging.getLogger(__name__)

# User data without an official test split gets a fixed hold-out, the same for every run, so
# that runs with different seeds are scored on the same test examples.
TEST_FRACTION = 0.1
TEST_SPLIT_SEED = 20_240_601


@dataclass(frozen=True)
class DataSpec:
    """Everything needed to rebuild a run's data; saved in the run's config.json."""

    name: str
    resize: int | None = None  # resize images to resize x resize
    binarize: bool = False  # dynamic binarization in training, one fixed draw for evaluation
    dequantize: bool = False  # uniform dequantization of 8-bit values (for continuous densities)
    limit: int | None = None  # use only the first N training examples (after the seeded shuffle)
    val_fraction: float = 0.1  # share of the training pool held out for validation
    seed: int = 0  # seed of the train/validation split
    name_b: str | None = None  # a second data set: domain B of unpaired translation (domain A is ``name``)

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise DataError(f"--limit must be at least 1, got {self.limit}")
        if not 0.0 <= self.val_fraction < 1.0:
            raise DataError(f"--val-fraction must be in [0, 1), got {self.val_fraction}")
        if self.resize is not None and not 1 <= self.resize <= 4096:
            raise DataError(f"--resize must be between 1 and 4096 pixels, got {self.resize}")
        if self.binarize and self.dequantize:
            raise DataError("--binarize and --dequantize exclude each other; pick one")


@dataclass(frozen=True)
class Splits:
    """The train, validation and test parts of a data set."""

    train: Dataset
    val: Dataset
    test: Dataset

    def get(self, split: str) -> Dataset:
        if split not in ("train", "val", "test"):
            raise DataError(f"unknown split '{split}'; choose train, val or test")
        return getattr(self, split)


def _permutation(n: int, seed: int) -> torch.Tensor:
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed))


_LOADED: dict[DataSpec, Splits] = {}


@contextlib.contextmanager
def reuse_splits(spec: DataSpec, splits: Splits) -> Iterator[None]:
    """Within the block, ``load_splits(spec)`` returns ``splits`` instead of loading them again
    (the report written after training draws its pictures from the trainer's copy of the data
    instead of a second one in memory)."""
    _LOADED[spec] = splits
    try:
        yield
    finally:
        _LOADED.pop(spec, None)


def load_splits(spec: DataSpec) -> Splits:
    """Load ``spec.name`` and split it deterministically: official test (or a fixed hold-out),
    then validation carved from the training pool by ``spec.seed``, then ``spec.limit``."""
    if spec in _LOADED:
        return _LOADED[spec]
    if spec.name_b is not None:
        return _unpaired_splits(spec)
    pool, test = get_source(spec.name).load(spec.resize)
    if spec.binarize and pool.is_image is False:
        raise DataError("--binarize applies to images with values in [0, 1], but this data set holds vectors")
    if spec.binarize and (pool.x.min() < 0 or pool.x.max() > 1):
        raise DataError("--binarize needs values in [0, 1]")
    if spec.dequantize and pool.bits is None:
        raise DataError("--dequantize needs quantized data such as 8-bit images; this data set is continuous")
    if test is None:
        order = _permutation(len(pool), TEST_SPLIT_SEED)
        n_test = max(1, round(TEST_FRACTION * len(pool)))
        if len(pool) - n_test < 2:
            raise DataError(f"{spec.name} has only {len(pool)} examples; at least 3 are needed")
        test, pool = pool.subset(order[:n_test]), pool.subset(order[n_test:])
    n_val = max(1, round(spec.val_fraction * len(pool))) if spec.val_fraction > 0 else 0
    if len(pool) - n_val < 1:
        raise DataError(f"{spec.name} is too small to hold out {spec.val_fraction:.0%} for validation")
    if n_val == 0 and spec.limit is None:
        # Nothing to carve out: keep the pool as it is (the trainer shuffles every epoch) and
        # spare a copy of the whole data set.
        return Splits(pool, pool.subset(slice(0, 0)), test)
    order = _permutation(len(pool), spec.seed)
    val, train = pool.subset(order[:n_val]), pool.subset(order[n_val:])
    if spec.limit is not None:
        if spec.limit > len(train):
            log.warning("--limit %d is more than the %d training examples; using all", spec.limit, len(train))
        train = train.subset(slice(0, spec.limit))
    return Splits(train, val, test)


def load_all(spec: DataSpec) -> Dataset:
    """Every example of ``spec.name``, its training pool and official test split together: for
    scoring a model on a data set it was not trained on."""
    pool, test = get_source(spec.name).load(spec.resize)
    return pool if test is None else concatenate(pool, test)


def noisy_view(spec: DataSpec, x: torch.Tensor, bits: int | None, generator: torch.Generator | None = None) -> torch.Tensor:
    """What the model sees of ``x``: a binarized or dequantized draw when the spec asks for one.

    Training passes no generator (a fresh draw per batch from torch's seeded global RNG);
    evaluation passes a seeded one, so every evaluation sees the same draw.
    """
    if spec.binarize:
        return binarize(x, generator)
    if spec.dequantize:
        if bits is None:
            raise DataError("--dequantize needs quantized data such as 8-bit images")
        return dequantize(x, bits, generator)
    return x


def _unpaired_splits(spec: DataSpec) -> Splits:
    """Two domains, each split as on its own, paired split by split (see genlab.data.paired.unpaired)."""
    from genlab.data.paired import domain_test, unpaired

    specs = replace(spec, name_b=None), replace(spec, name=spec.name_b, name_b=None)
    (a, b), (source_a, source_b) = (load_splits(s) for s in specs), (get_source(s.name) for s in specs)
    if not len(a.val) or not len(b.val):
        val = replace(a.val.subset(slice(0, 0)), extras={"b": b.val.x[:0]})
    else:
        val = unpaired(a.val, b.val, spec.seed + 1)
    test = unpaired(domain_test(source_a, a.test), domain_test(source_b, b.test), spec.seed + 2)
    return Splits(unpaired(a.train, b.train, spec.seed), val, test)
