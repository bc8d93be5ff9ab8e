"""Data for image-to-image translation: pairs (each ``x`` with its ``target``) and two unpaired
domains (``x`` from domain A, ``b`` from domain B).

    faces-parts[:OPTIONS]  each procedural face (target) with its label map (x), drawn in the part
                           colors of genlab.data.face_render; both from the same factors (its
                           source, FaceParts, lives beside the other faces in genlab.data.faces)
    faces-flip:flip=F,A,B  each face at level A of factor F (x) and the same face at level B
                           (target), its exact counterfactual (FaceFlips, genlab.data.faces)
    edges:SET              the edges of any image set (x, Canny) and its images (target)
    gray:SET               a color image set in gray (x) and in color (target)
    fashion-mnist:class=N  one or more classes of a labeled set (also digits:class=N), for domains
    aligned:PATH           the pix2pix layout: A|B images side by side, in PATH/train, PATH/test
                           (or PATH/val) or PATH itself
    unaligned:PATH         the CycleGAN layout: PATH/trainA, PATH/trainB, PATH/testA, PATH/testB

Two unpaired domains come from two data set names (``--data A --data-b B``, any of the
registry): :func:`unpaired` pairs each split's images of A with images of B by a seeded
shuffle, which CycleGAN's losses never look at (they only batch them together).
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import torch

from genlab.data.dataset import Dataset, from_array
from genlab.data.face_render import PARTS
from genlab.data.faces import FACTOR_NAMES, Faces
from genlab.data.folder import IMAGE_SUFFIXES, _as_array, _image_files, _is_color, _open
from genlab.data.options import check_keys, parse_options
from genlab.data.registry import get_source
from genlab.data.source import IndexedSource, Source, SourceInfo
from genlab.errors import DataError

PART_NAMES = PARTS  # the classes of a faces-parts label map, by index


class _Derived:
    """A pair made from every image of another data set: ``x`` derived from the image, the image as ``target``."""

    prefix = ""

    def __init__(self, text: str, inner: Source) -> None:
        self.inner = inner
        self.name = f"{self.prefix}:{text}"

    @classmethod
    def from_set(cls, text: str) -> Source:
        """The registry's ``PREFIX:SET``: pairs made from the data set called ``SET``; from a
        procedural set, an indexed source (a few examples render a few)."""
        inner = get_source(text)
        return (_indexed(cls) if isinstance(inner, IndexedSource) else cls)(text, inner)

    def info(self) -> SourceInfo:
        inner = self.inner.info()
        return replace(inner, name=self.name, kind="image pairs")

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset | None]:
        train, test = self.inner.load(resize)
        return self._pairs(train), None if test is None else self._pairs(test)

    def _pairs(self, data: Dataset) -> Dataset:
        if not data.is_image:
            raise DataError(f"{self.name}: {self.prefix} pairs are made from images, but {self.inner.name} holds vectors")
        return replace(data, x=self.derive(data.x), extras={"target": data.x}, bits=data.bits)

    def derive(self, images: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


class _IndexedDerived(_Derived):
    """Pairs made from a procedural set: a few examples render (and derive) a few."""

    inner: IndexedSource

    def sizes(self) -> tuple[int, int]:
        return self.inner.sizes()

    def load_at(self, part: str, index: torch.Tensor, resize: int | None = None) -> Dataset:
        return self._pairs(self.inner.load_at(part, index, resize))


@cache
def _indexed(kind: type[_Derived]) -> type[_Derived]:
    """``kind`` of pairs made from an indexed source (one class per kind)."""
    return type(kind.__name__, (_IndexedDerived, kind), {})


class Edges(_Derived):
    """``edges:SET``: Canny edges (scikit-image; sigma 1 below 64 pixels, 2 from there) as a one-channel image."""

    prefix = "edges"

    def derive(self, images: torch.Tensor) -> torch.Tensor:
        from skimage.feature import canny

        gray = _luminance(images)[:, 0].numpy()
        sigma = 1.0 if images.shape[-1] < 64 else 2.0
        return torch.from_numpy(np.stack([canny(g, sigma=sigma) for g in gray]).astype(np.float32)).unsqueeze(1)


class Gray(_Derived):
    """``gray:SET``: the luminance of color images (Rec. 601 weights), for colorization."""

    prefix = "gray"

    def derive(self, images: torch.Tensor) -> torch.Tensor:
        if images.shape[1] != 3:
            raise DataError(f"{self.name}: colorization needs color images, but {self.inner.name} has {images.shape[1]} channel(s)")
        return (_luminance(images) * 255).round() / 255  # on the 8-bit grid, as the images


def _luminance(images: torch.Tensor) -> torch.Tensor:
    if images.shape[1] == 1:
        return images
    weights = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
    return (images * weights).sum(1, keepdim=True)


class ClassSubset:
    """``SET:class=N[,M...]``: the examples of the given classes (by index or name) of a labeled data set."""

    def __init__(self, inner: Source, text: str) -> None:
        self.inner = inner
        self.name = f"{inner.name}:{text}"
        options = parse_options(text, self.name)
        check_keys(options, ["class"], self.name)
        self.wanted = options["class"]
        if not self.wanted:
            raise DataError(f"{self.name}: name at least one class, e.g. {inner.name}:class=7")

    def info(self) -> SourceInfo:
        return replace(self.inner.info(), name=self.name, n_train=None, n_test=None)

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset | None]:
        train, test = self.inner.load(resize)
        return self._keep(train), None if test is None else self._keep(test)

    def _keep(self, data: Dataset) -> Dataset:
        if data.y is None:
            raise DataError(f"{self.name}: {self.inner.name} has no labels to pick classes by")
        names = data.classes or ()
        spelled = [_spelling(name) for name in names]  # "Ankle-Boot" finds "ankle boot"
        indices = []
        for wanted in self.wanted:
            if wanted.isdigit() and int(wanted) < (len(names) or int(data.y.max()) + 1):
                indices.append(int(wanted))
            elif _spelling(wanted) in spelled:
                indices.append(spelled.index(_spelling(wanted)))
            else:
                raise DataError(f"{self.name}: no class '{wanted}'; the classes are {', '.join(names) or '0 to ' + str(int(data.y.max()))}")
        return data.subset(torch.nonzero(torch.isin(data.y, torch.tensor(indices))).flatten())


def _spelling(name: str) -> str:
    return name.lower().replace("-", " ").replace("_", " ")


class AlignedFolder:
    """``aligned:PATH``: pix2pix's layout, each image the input (left half) beside its target (right half)."""

    LAYOUT = "PATH/train/ and PATH/test/ (or PATH/val/), or PATH itself, holding A|B images: input left, target right"

    def __init__(self, text: str) -> None:
        self.path = Path(text).expanduser()
        self.name = f"aligned:{text}"

    def info(self) -> SourceInfo:
        return SourceInfo(self.name, "image pairs", "CxHxW -> CxHxW", None, None, "your folder", self.path.is_dir())

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset | None]:
        if not self.path.is_dir():
            raise DataError(f"no folder at {self.path}; {self.name} expects {self.LAYOUT}")
        train_dir = self.path / "train" if (self.path / "train").is_dir() else self.path
        test_dir = next((self.path / d for d in ("test", "val") if (self.path / d).is_dir()), None)
        if (self.path / "trainA").is_dir():
            raise DataError(f"{self.path} has the unpaired layout (trainA/, trainB/): use unaligned:{self.path}")
        train = self._pairs(train_dir, resize)
        return train, None if test_dir is None else self._pairs(test_dir, resize)

    def _pairs(self, directory: Path, resize: int | None) -> Dataset:
        files = _image_files(directory)
        if not files:
            raise DataError(f"{directory} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))}); {self.name} expects {self.LAYOUT}")
        images = [_open(f) for f in files]
        halves_a, halves_b = [], []
        for image, file in zip(images, files):
            width, height = image.size
            if width % 2:
                raise DataError(f"{file} is {width} pixels wide, an odd number: an A|B image has two halves of equal width")
            halves_a.append(image.crop((0, 0, width // 2, height)))
            halves_b.append(image.crop((width // 2, 0, width, height)))
        return _pair_arrays(halves_a, halves_b, files, resize, str(directory))


class UnalignedFolder:
    """``unaligned:PATH``: CycleGAN's layout, images of domain A in trainA/ and testA/, of B in trainB/ and testB/."""

    LAYOUT = "PATH/trainA/, PATH/trainB/ and optionally PATH/testA/, PATH/testB/"

    def __init__(self, text: str) -> None:
        self.path = Path(text).expanduser()
        self.name = f"unaligned:{text}"

    def info(self) -> SourceInfo:
        return SourceInfo(self.name, "two domains", "CxHxW, CxHxW", None, None, "your folder", self.path.is_dir())

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset | None]:
        for part in ("trainA", "trainB"):
            if not (self.path / part).is_dir():
                raise DataError(f"{self.path} has no {part}/; {self.name} expects {self.LAYOUT}")
        train = unpaired(self._domain("trainA", resize), self._domain("trainB", resize), seed=0)
        has_test = (self.path / "testA").is_dir() and (self.path / "testB").is_dir()
        return train, unpaired(self._domain("testA", resize), self._domain("testB", resize), seed=1) if has_test else None

    def _domain(self, part: str, resize: int | None) -> Dataset:
        files = _image_files(self.path / part)
        if not files:
            raise DataError(f"{self.path / part} holds no images: each domain needs some")
        images = [_open(f) for f in files]
        return from_array(_stack(images, files, resize, str(self.path / part)), origin=str(self.path / part))


def _stack(images: list, files: list[Path], resize: int | None, where: str) -> np.ndarray:
    """Images of one kind as one uint8 array; a DataError when their sizes differ without --resize."""
    if resize is None and len({image.size for image in images}) > 1:
        sizes = sorted({f"{i.size[0]}x{i.size[1]}" for i in images})
        raise DataError(f"images in {where} have different sizes ({', '.join(sizes[:3])}); pass --resize N to resize them all to NxN")
    mode = "RGB" if any(_is_color(image) for image in images) else "L"
    return np.stack([_as_array(image, mode, resize) for image in images])


def _pair_arrays(a: list, b: list, files: list[Path], resize: int | None, where: str) -> Dataset:
    if resize is None:
        for left, right, file in zip(a, b, files):
            if left.size != right.size:
                raise DataError(f"{file}: its input is {left.size[0]}x{left.size[1]} but its target {right.size[0]}x{right.size[1]}")
    x = from_array(_stack(a, files, resize, where), origin=where)
    target = from_array(_stack(b, files, resize, where), origin=where)
    return replace(x, extras={"target": target.x})


def unpaired(a: Dataset, b: Dataset, seed: int) -> Dataset:
    """Domain A's examples as ``x`` (with their labels and factors) and as many of domain B's as ``b``,
    the longer domain in its order and the shorter cycled through a seeded shuffle."""
    if not len(a) or not len(b):
        raise DataError(f"a domain is empty ({len(a)} images of A, {len(b)} of B); each domain needs images")
    if a.x.shape[2:] != b.x.shape[2:]:
        raise DataError(f"domain A's images are {tuple(a.x.shape[2:])} and domain B's {tuple(b.x.shape[2:])}; pass --resize N")
    n = max(len(a), len(b))
    g = torch.Generator().manual_seed(seed)
    pick = lambda data: data if len(data) == n else data.subset(torch.randperm(len(data), generator=g).repeat(n // len(data) + 1)[:n])
    a, b = pick(a), pick(b)
    return replace(a, extras={"b": b.x})


def domain_test(source: Source, data: Dataset) -> Dataset:
    """The examples of ``data`` that belong to the domain ``source`` describes: for procedural faces
    drawn with weights (``faces:glasses=1,0``), those whose factor levels all have weight, since the
    faces' test split is balanced over every group whatever the weights."""
    if not isinstance(source, Faces) or not source.weights or data.factors is None:
        return data
    keep = torch.ones(len(data), dtype=torch.bool)
    for name, weights in source.weights.items():
        levels = torch.from_numpy(np.flatnonzero(np.asarray(weights) > 0))
        keep &= torch.isin(data.factors[:, FACTOR_NAMES.index(name)], levels)
    return data.subset(torch.nonzero(keep).flatten())
