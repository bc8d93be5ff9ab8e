"""A user's folder of images: ``folder:PATH`` or ``folder:PATH,attributes=FILE.csv``.

Layouts: images directly in PATH (unlabeled); one subfolder per class (labels from the sorted
subfolder names); or ``train/`` and ``test/`` subfolders, each in one of those layouts, for an
official test split. ``attributes=FILE.csv`` attaches each image's attributes from a CSV (see
:mod:`genlab.data.attributes`) as the data set's factors, the way the procedural faces carry theirs.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from genlab.data.attributes import AttributeTable, attribute_factors, read_attributes
from genlab.data.dataset import Dataset, from_array
from genlab.data.options import check_keys, one_value, parse_options
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


def image_files(path: Path) -> list[Path]:
    """The image files of ``path``: the file itself, or a folder's images in name order; a
    DataError when there are none."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(f"no file or folder at {path}; give an image file or a folder of images")
    files = _image_files(path)
    if not files:
        raise DataError(f"{path} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    return files


def read_image(path: Path, channels: int) -> torch.Tensor:
    """One image file as (channels, H, W) float32 in [0, 1] (color made gray or gray made color
    as asked); a DataError that names the file when it is not an image."""
    array = _as_array(_open(path), "RGB" if channels == 3 else "L", None)
    x = torch.from_numpy(array.astype(np.float32) / 255.0)
    return x.permute(2, 0, 1) if x.dim() == 3 else x.unsqueeze(0)


def _is_color(image: Image.Image) -> bool:
    return image.mode not in ("1", "L", "LA", "I", "I;16", "F")


Layout = tuple[np.ndarray, np.ndarray | None, tuple[str, ...] | None, list[Path]]


def _load_layout(directory: Path, resize: int | None) -> Layout:
    """Images (N, ...), labels or None, class names or None, and the image files in that order."""
    files, classes = _image_files(directory), _subfolders(directory)
    labeled = [(c, _image_files(c)) for c in classes]
    empty = [c for c, f in labeled if not f]
    labeled = [(c, f) for c, f in labeled if f]
    if empty and labeled and not files:
        raise DataError(
            f"the class folder {empty[0]} holds no images, but {labeled[0][0].name}/ does; put that "
            f"class's images into {empty[0].name}/ (a class without images cannot be learned) or remove it"
        )
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
    return x, y, class_names, [path for path, _ in entries]


def _split_options(text: str) -> tuple[str, str | None]:
    """``PATH,attributes=FILE.csv`` -> (PATH, FILE.csv); a plain PATH -> (PATH, None)."""
    found = re.search(r",\s*attributes\s*=", text)
    if found is None:
        return text, None
    path, options = text[: found.start()], parse_options(text[found.start() + 1 :], "folder")
    check_keys(options, ["attributes"], "folder")
    return path, one_value(options, "attributes", "folder")


class ImageFolder:
    """Images from a user's folder, loaded once into memory, with the attributes of an optional CSV."""

    def __init__(self, text: str) -> None:
        path, attributes = _split_options(text)
        self.path = Path(path).expanduser()
        self.attributes = None if attributes is None else Path(attributes).expanduser()
        self.name = f"folder:{text}"

    def _attribute_table(self) -> AttributeTable | None:
        """The CSV, found as given or else inside the folder."""
        if self.attributes is None:
            return None
        path = self.attributes
        if not path.is_absolute() and not path.is_file():
            if not (self.path / path).is_file():
                raise DataError(
                    f"no attributes CSV at {path} (nor at {self.path / path}); give its path after "
                    "'attributes=', relative to the current folder or to the image folder"
                )
            path = self.path / path
        return read_attributes(path)

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
        table = self._attribute_table()  # a broken CSV fails before the images are read
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
        else:
            parts = [_load_layout(self.path, resize)]
        factors: list[np.ndarray | None] = [None] * len(parts)
        if table is not None:
            files = [path.relative_to(self.path).as_posix() for part in parts for path in part[3]]
            every = attribute_factors(table, files, self.path)
            factors = list(np.split(every, np.cumsum([len(part[3]) for part in parts])[:-1]))
        described = {} if table is None else {"factor_names": table.names, "factor_levels": table.levels}
        loaded = [
            from_array(x, y, origin=str(self.path), classes=c, factors=f, **described)  # type: ignore[arg-type]
            for (x, y, c, _), f in zip(parts, factors)
        ]
        return loaded[0], loaded[1] if len(loaded) > 1 else None
