"""How a run's data is chosen: the spec saved in config.json and the seeded train/val/test split."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace

import torch

from genlab.data.dataset import Dataset, concatenate
from genlab.data.registry import get_source
from genlab.data.source import IndexedSource
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

    @property
    def noisy(self) -> bool:
        """Whether a model sees a random draw of each example (--binarize, --dequantize)."""
        return self.binarize or self.dequantize


@dataclass(frozen=True)
class Splits:
    """The train, validation and test parts of a data set."""

    train: Dataset
    val: Dataset
    test: Dataset

    def get(self, split: str) -> Dataset:
        return getattr(self, self.check(split))

    @staticmethod
    def check(split: str) -> str:
        """``split`` if it names one (train, val or test), else a DataError listing them."""
        if split not in ("train", "val", "test"):
            raise DataError(f"unknown split '{split}'; choose train, val or test")
        return split


def _permutation(n: int, seed: int) -> torch.Tensor:
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed))


# Where a split's examples sit in its source: the part (its training pool or official test split)
# and their positions there, in the split's order.
Placement = tuple[str, torch.Tensor]


def placements(spec: DataSpec, n_pool: int, n_test: int | None) -> dict[str, Placement]:
    """Where the train, validation and test examples of ``spec`` sit in a source whose training pool
    holds ``n_pool`` examples and whose official test split ``n_test`` (None: it has none).

    The choice depends on the sizes and seeds alone, so a source that loads examples by position
    (a procedural set) loads only the ones a run uses, and gets the same ones as a full load: the
    official test (or a fixed hold-out), then validation carved from the training pool by
    ``spec.seed``, then the first ``spec.limit`` of the rest.
    """
    pool = torch.arange(n_pool)
    if n_test is None:
        order = _permutation(n_pool, TEST_SPLIT_SEED)
        n_hold = max(1, round(TEST_FRACTION * n_pool))
        if n_pool - n_hold < 2:
            raise DataError(f"{spec.name} has only {n_pool} examples; at least 3 are needed")
        test, pool = ("train", order[:n_hold]), order[n_hold:]
    else:
        test = ("test", torch.arange(n_test))
    n_val = max(1, round(spec.val_fraction * len(pool))) if spec.val_fraction > 0 else 0
    if len(pool) - n_val < 1:
        raise DataError(f"{spec.name} is too small to hold out {spec.val_fraction:.0%} for validation")
    if n_val == 0 and spec.limit is None:
        return {"train": ("train", pool), "val": ("train", pool[:0]), "test": test}  # the pool keeps its order
    order = _permutation(len(pool), spec.seed)
    val, train = pool[order[:n_val]], pool[order[n_val:]]
    return {"train": ("train", train[: spec.limit]), "val": ("train", val), "test": test}


def _warn_of_limit(spec: DataSpec, where: dict[str, Placement]) -> None:
    if spec.limit is not None and spec.limit > len(where["train"][1]):
        log.warning("--limit %d is more than the %d training examples; using all", spec.limit, len(where["train"][1]))


def _check_noise(spec: DataSpec, data: Dataset) -> None:
    """A DataError when the spec's --binarize or --dequantize does not fit the data."""
    if spec.binarize and data.is_image is False:
        raise DataError("--binarize applies to images with values in [0, 1], but this data set holds vectors")
    if spec.binarize and len(data) and (data.x.min() < 0 or data.x.max() > 1):
        raise DataError("--binarize needs values in [0, 1]")
    if spec.dequantize and data.bits is None:
        raise DataError("--dequantize needs quantized data such as 8-bit images; this data set is continuous")


def _take(data: Dataset, index: torch.Tensor) -> Dataset:
    """The examples at ``index``; the whole data set in its order needs no copy (a big set without
    a validation split)."""
    if len(index) == len(data) and bool((index == torch.arange(len(data))).all()):
        return data
    return data.subset(index)


_LOADED: dict[DataSpec, Splits] = {}


@contextlib.contextmanager
def reuse_splits(spec: DataSpec, splits: Splits) -> Iterator[None]:
    """Within the block, ``load_splits(spec)`` and ``load_split(spec, ...)`` take their examples
    from ``splits`` instead of loading them again (the report written after training draws its
    pictures from the trainer's copy of the data instead of a second one in memory)."""
    _LOADED[spec] = splits
    try:
        yield
    finally:
        _LOADED.pop(spec, None)


def load_splits(spec: DataSpec) -> Splits:
    """Load ``spec.name`` and split it deterministically (see :func:`placements`).

    A procedural set renders only the examples of the three splits: with ``--limit 3000`` the
    3,000 training examples, not the whole training pool.
    """
    if spec in _LOADED:
        return _LOADED[spec]
    if spec.name_b is not None:
        return _unpaired_splits(spec)
    source = get_source(spec.name)
    if isinstance(source, IndexedSource):
        where = placements(spec, *source.sizes())
        _warn_of_limit(spec, where)
        splits = Splits(*(source.load_at(part, index, spec.resize) for part, index in where.values()))
        for data in (splits.train, splits.val, splits.test):
            _check_noise(spec, data)
        return splits
    pool, test = source.load(spec.resize)
    _check_noise(spec, pool)
    parts = {"train": pool, "test": test}
    where = placements(spec, len(pool), None if test is None else len(test))
    _warn_of_limit(spec, where)
    return Splits(*(_take(parts[part], index) for part, index in where.values()))


def load_split(spec: DataSpec, split: str, index: torch.Tensor | slice | None = None) -> Dataset:
    """The examples of one ``split`` of ``spec`` (train, val or test), or only those at ``index``
    (positions in the split, e.g. ``slice(0, 16)`` for the first 16).

    A procedural set renders only those examples, the same as ``load_splits(spec).get(split)``
    holds at ``index``; other sources load whole and are then subset.
    """
    Splits.check(split)
    source = get_source(spec.name)
    if spec in _LOADED or spec.name_b is not None or not isinstance(source, IndexedSource):
        data = load_splits(spec).get(split)
        return data if index is None else data.subset(index)
    part, positions = placements(spec, *source.sizes())[split]
    data = source.load_at(part, positions if index is None else positions[index], spec.resize)
    _check_noise(spec, data)
    return data


def split_size(spec: DataSpec, split: str) -> int:
    """How many examples ``split`` of ``spec`` holds; a procedural set renders none to say so."""
    Splits.check(split)
    source = get_source(spec.name)
    if spec in _LOADED or spec.name_b is not None or not isinstance(source, IndexedSource):
        return len(load_splits(spec).get(split))
    return len(placements(spec, *source.sizes())[split][1])


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
