"""scikit-learn's 8x8 handwritten digits: tiny, always present, for fast tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from genlab.data.source import SourceInfo

if TYPE_CHECKING:
    from genlab.data.dataset import Dataset


class Digits:
    """1,797 8x8 images with 17 gray levels (0..16), scaled to [0, 1]; no official test split."""

    name = "digits"

    def info(self) -> SourceInfo:
        return SourceInfo(self.name, "images", "1x8x8", 1_797, None, "scikit-learn load_digits", True)

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset | None]:
        from sklearn.datasets import load_digits

        from genlab.data.dataset import from_array

        bunch = load_digits()
        images = (bunch.images / 16.0).astype(np.float32)
        data = from_array(images, bunch.target, origin="digits", classes=tuple(str(i) for i in range(10)))
        if resize is not None:
            data = data.resized(resize)
        return data, None
