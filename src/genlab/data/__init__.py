"""Data: built-in data sets and user data behind one registry, held in memory as tensors."""

from genlab.data.dataset import Dataset, from_array
from genlab.data.registry import (
    default_dataset,
    get_source,
    list_datasets,
    register_builtin,
    register_prefix,
    source_name,
)
from genlab.data.source import Source, SourceInfo
from genlab.data.splits import DataSpec, Splits, load_all, load_split, load_splits, noisy_view, split_size

__all__ = [
    "DataSpec",
    "Dataset",
    "Source",
    "SourceInfo",
    "Splits",
    "default_dataset",
    "from_array",
    "get_source",
    "list_datasets",
    "load_all",
    "load_split",
    "load_splits",
    "noisy_view",
    "register_builtin",
    "register_prefix",
    "source_name",
    "split_size",
]
