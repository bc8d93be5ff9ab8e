"""Data: built-in data sets and user data behind one registry, held in memory as tensors.

The registry and the descriptions load at once and without torch (``genlab datasets`` needs no
more); the in-memory Dataset and the splits load when first used.
"""

from genlab.data.registry import (
    default_dataset,
    get_source,
    list_datasets,
    register_builtin,
    register_prefix,
    source_name,
)
from genlab.data.source import Source, SourceInfo
from genlab.lazy import lazy_attributes

__getattr__ = lazy_attributes(
    __name__,
    {"Dataset": "genlab.data.dataset", "from_array": "genlab.data.dataset"}
    | dict.fromkeys(("DataSpec", "Splits", "load_all", "load_split", "load_splits", "noisy_view", "split_size"), "genlab.data.splits"),
)

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
