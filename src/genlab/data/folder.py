"""A user's folder of images: ``folder:PATH``.

Layouts: images directly in PATH (unlabeled); one subfolder per class (labels from the sorted
subfolder names); or ``train/`` and ``test/`` subfolders, each in one of those layouts, for an
official test split.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from genlab.data.dataset import Dataset, from_array
from genlab.data.source import SourceInfo
from genlab.errors import DataError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm", ".pgm"}


def _image_files(directory: Path) -> list[Path]:
    return sorted(
        p for p in directory.iterdir()
        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
    )  # fmt: skip


def _subfolders(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))


def _open(path: Path) -> Image.Image:
    try:
        with Image.open(path) as image:
            image.load()
            return image.copy()
    except (UnidentifiedImageError, OSError, ValueError) as e:
        raise DataError(f"cannot read image {path} ({e.__class__.__name__}); remove or replace the file") from e


def _as_array(image: Image.Image, mode: str, resize: int | None) -> np.ndarray:
    if image.mode in ("RGBA", "LA", "P"):
        # Composite transparency over white so transparent pixels do not turn black.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    image = image.convert(mode)
    if resize is not None and image.size != (resize, resize):
        image = image.resize((resize, resize), Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=np.uint8)


def _is_color(image: Image.Image) -> bool:
    return image.mode not in ("1", "L", "LA", "I", "I;16", "F")


def _load_layout(directory: Path, resize: int | None) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...] | None]:
    files, classes = _image_files(directory), _subfolders(directory)
    labeled = [(c, _image_files(c)) for c in classes]
    labeled = [(c, f) for c, f in labeled if f]
    if files and labeled:
        raise DataError(
            f"{directory} mixes images with class subfolders ({labeled[0][0].name}/); "
            "put every image in a class subfolder, or none"
        )
    if not files and not labeled:
        raise DataError(f"{directory} holds no images (looked for {', '.join(sorted(IMAGE_SUFFIXES))})")
    if labeled:
        entries = [(path, label) for label, (_, paths) in enumerate(labeled) for path in paths]
        class_names: tuple[str, ...] | None = tuple(c.name for c, _ in labeled)
    else:
        entries = [(path, -1) for path in files]
        class_names = None
    images = [(_open(path), path) for path, _ in entries]
    if resize is None:
        sizes = {image.size for image, _ in images}
        if len(sizes) > 1:
            (a, pa), (b, pb) = images[0], next((i, p) for i, p in images if i.size != images[0][0].size)
            raise DataError(
                f"images in {directory} have different sizes ({pa.name} is {a.size[0]}x{a.size[1]}, "
                f"{pb.name} is {b.size[0]}x{b.size[1]}); pass --resize N to resize them all to NxN"
            )
    mode = "RGB" if any(_is_color(image) for image, _ in images) else "L"
    x = np.stack([_as_array(image, mode, resize) for image, _ in images])
    y = np.array([label for _, label in entries]) if labeled else None
    return x, y, class_names


class ImageFolder:
    """Images from a user's folder, loaded once into memory."""

    def __init__(self, path: str) -> None:
        self.path = Path(path).expanduser()
        self.name = f"folder:{path}"

    def _check(self) -> None:
        if not self.path.exists():
            raise DataError(f"no folder at {self.path}; check the path after 'folder:'")
        if not self.path.is_dir():
            raise DataError(f"{self.path} is a file, not a folder of images")

    def info(self) -> SourceInfo:
        present = self.path.is_dir()
        return SourceInfo(self.name, "images", "CxHxW", None, None, "your folder", present)

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset | None]:
        self._check()
        train_dir, test_dir = self.path / "train", self.path / "test"
        if train_dir.is_dir() and test_dir.is_dir():
            parts = [_load_layout(d, resize) for d in (train_dir, test_dir)]
            if parts[0][0].shape[1:] != parts[1][0].shape[1:]:
                raise DataError(
                    f"train images are {parts[0][0].shape[1:]} but test images are {parts[1][0].shape[1:]}; "
                    "pass --resize N"
                )
            if parts[0][2] != parts[1][2]:
                raise DataError(f"train classes {parts[0][2]} differ from test classes {parts[1][2]}")
            train, test = (from_array(x, y, origin=str(self.path), classes=c) for x, y, c in parts)
            return train, test
        x, y, classes = _load_layout(self.path, resize)
        return from_array(x, y, origin=str(self.path), classes=classes), None
