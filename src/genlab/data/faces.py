"""``faces`` and ``faces-detection``: cartoon faces with known attributes, a controllable sampler
that can under-represent any attribute group, an exactly balanced mode, and non-face negatives.

Every face is rendered from a factor vector of nine attributes, each taking a few levels (the
continuous ones, yaw, smile and light, are quantized for the data sets; the renderer itself,
:func:`genlab.data.face_render.render_faces`, takes any value in between):

=============  ======  ===============================================================
factor         levels  values
=============  ======  ===============================================================
skin           6       light (0) to dark (5)
yaw            11      -1 .. 1 (head turned to the viewer's left .. right, +-34 degrees)
smile          11      -1 .. 1 (frown .. open smile)
glasses        2       no, yes
hair_color     5       black, brown, blond, red, gray
hair_style     4       bald, short, long, curly
light          5       -1 .. 1 (light from the viewer's left .. right)
brightness     3       0.7, 0.85, 1.0
background     6       sky, mint, peach, lavender, gray, olive
=============  ======  ===============================================================

Sampling follows per-factor weights (independent factors). ``faces:skin=0.9,0.1;glasses=0.05``
draws light skin (levels 0-2) for 90% of the faces and glasses for 5%; see :func:`parse_weights`.

The factors, the draws and the descriptions of the data sets need no torch; the functions that
render import it, so ``genlab datasets`` describes the sets without it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from genlab.data.face_render import (
    BACKGROUNDS,
    HAIR_COLORS,
    HAIR_STYLES,
    FaceAttributes,
    label_colors,
    render_faces,
)
from genlab.data.options import check_keys, numbers, parse_options, positive_int
from genlab.data.source import SourceInfo, load_every, part_number
from genlab.errors import DataError
from genlab.lazy import lazy_attributes

if TYPE_CHECKING:
    import torch

    from genlab.data.dataset import Dataset
    from genlab.data.nonfaces import NEGATIVE_KINDS

__getattr__ = lazy_attributes(__name__, {"NEGATIVE_KINDS": "genlab.data.nonfaces"})

FACTOR_NAMES = ("skin", "yaw", "smile", "glasses", "hair_color", "hair_style", "light", "brightness", "background")
FACTOR_SIZES = (6, 11, 11, 2, 5, 4, 5, 3, 6)
YAW_LEVELS = np.linspace(-1.0, 1.0, 11)
SMILE_LEVELS = np.linspace(-1.0, 1.0, 11)
LIGHT_LEVELS = np.linspace(-1.0, 1.0, 5)
BRIGHTNESS_LEVELS = np.array([0.7, 0.85, 1.0])
# readable names of every factor's levels, for tables and reports
LEVEL_NAMES: dict[str, tuple[str, ...]] = {
    "skin": tuple(f"tone {i + 1}" for i in range(6)),
    "yaw": tuple(f"{v:+.1f}" for v in YAW_LEVELS),
    "smile": tuple(f"{v:+.1f}" for v in SMILE_LEVELS),
    "glasses": ("no", "yes"),
    "hair_color": tuple(HAIR_COLORS),
    "hair_style": HAIR_STYLES,
    "light": tuple(f"{v:+.1f}" for v in LIGHT_LEVELS),
    "brightness": tuple(f"{v:.2f}" for v in BRIGHTNESS_LEVELS),
    "background": tuple(BACKGROUNDS),
}
SIZE = 64
# the attributes a balanced set crosses exactly (every combination equally often); the others
# are balanced one by one
BALANCE_GROUPS = ("skin", "glasses")
_CHUNK = 128  # faces drawn at once: measured 1.5x faster than 1024, the canvases stay in the CPU's caches


def factors_to_attributes(factors: np.ndarray) -> FaceAttributes:
    """The renderer's attribute values of factor vectors (n, 9)."""
    f = _check_factors(factors)
    return FaceAttributes(
        skin=f[:, 0], yaw=YAW_LEVELS[f[:, 1]], smile=SMILE_LEVELS[f[:, 2]], glasses=f[:, 3].astype(np.float32),
        hair_color=f[:, 4], hair_style=f[:, 5], light=LIGHT_LEVELS[f[:, 6]], brightness=BRIGHTNESS_LEVELS[f[:, 7]],
        background=f[:, 8],
    )  # fmt: skip


def _check_factors(factors: np.ndarray) -> np.ndarray:
    factors = np.asarray(factors)
    if factors.ndim != 2 or factors.shape[1] != len(FACTOR_SIZES) or factors.dtype.kind not in "iu":
        raise DataError(f"face factors must be integers shaped (n, {len(FACTOR_SIZES)}), got {factors.dtype} {factors.shape}")
    factors = factors.astype(np.int64)
    for i, (name, size) in enumerate(zip(FACTOR_NAMES, FACTOR_SIZES, strict=True)):
        if len(factors) and (factors[:, i].min() < 0 or factors[:, i].max() >= size):
            raise DataError(f"face factor '{name}' takes values 0 to {size - 1}, got {factors[:, i].min()}..{factors[:, i].max()}")
    return factors


def uniform_weights() -> dict[str, np.ndarray]:
    return {name: np.full(size, 1.0 / size) for name, size in zip(FACTOR_NAMES, FACTOR_SIZES, strict=True)}


def level_weights(name: str, values: list[float], dataset: str = "faces") -> np.ndarray:
    """Probabilities of the levels of factor ``name`` from the weights a user wrote.

    As many weights as levels: one per level. Fewer, k, dividing the number of levels: k equal
    groups of consecutive levels, each weight spread evenly over its group (``skin=0.9,0.1`` is
    90% light tones 0-2, 10% dark tones 3-5). One number for a yes/no factor: P(yes). Weights
    need not sum to 1; they are normalized.
    """
    size = FACTOR_SIZES[FACTOR_NAMES.index(name)]
    if len(values) == 1 and size == 2:
        if values[0] > 1:
            raise DataError(f"{dataset}: {name}={values[0]:g} is a probability and must lie in [0, 1]")
        return np.array([1.0 - values[0], values[0]])
    if not values or size % len(values) != 0:
        divisors = [str(k) for k in range(1, size + 1) if size % k == 0 and k > 1]
        raise DataError(
            f"{dataset}: {name} has {size} levels; give {' or '.join(divisors)} weights "
            f"(k weights split the levels into k equal groups), got {len(values)}"
        )
    total = sum(values)
    if total <= 0:
        raise DataError(f"{dataset}: the weights of {name} are all zero; at least one must be positive")
    group = size // len(values)
    return np.repeat(np.asarray(values, dtype=float) / total / group, group)


class FaceFactors:
    """Faces rendered from factor vectors, drawn with per-factor level probabilities (a FactorSource)."""

    factor_names = FACTOR_NAMES
    factor_sizes = FACTOR_SIZES

    def __init__(self, weights: dict[str, np.ndarray] | None = None, size: int = SIZE) -> None:
        self.weights = uniform_weights() | (weights or {})
        self.size = size

    def at_size(self, size: int) -> FaceFactors:
        """The same faces drawn at ``size`` x ``size``."""
        return FaceFactors(self.weights, size)

    def sample_factors(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` factor vectors (n, 9), each factor drawn independently with its weights."""
        columns = [rng.choice(size, size=n, p=self.weights[name]) for name, size in zip(FACTOR_NAMES, FACTOR_SIZES, strict=True)]
        return np.stack(columns, axis=1).astype(np.int64)

    def render(self, factors: np.ndarray) -> torch.Tensor:
        """Images (n, 3, size, size) float32 on the 8-bit grid; the same factors, the same images."""
        import torch

        from genlab.data import sdf

        factors = _check_factors(factors)
        out = torch.empty(len(factors), 3, self.size, self.size)
        with sdf.render_threads():
            for start in range(0, len(factors), _CHUNK):
                images = render_faces(factors_to_attributes(factors[start : start + _CHUNK]), self.size)
                out[start : start + _CHUNK] = _quantized(images)
        return out

    def render_parts(self, factors: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """The faces of :meth:`render` and their label maps drawn in the part colors, both
        (n, 3, size, size) on the 8-bit grid (see genlab.data.face_render.PARTS)."""
        import torch

        from genlab.data import sdf

        factors = _check_factors(factors)
        faces, maps = torch.empty(2, len(factors), 3, self.size, self.size)
        with sdf.render_threads():
            for start in range(0, len(factors), _CHUNK):
                images, labels = render_faces(factors_to_attributes(factors[start : start + _CHUNK]), self.size, labels=True)
                faces[start : start + _CHUNK] = _quantized(images)
                maps[start : start + _CHUNK] = _quantized(label_colors(labels))
        return faces, maps


def _quantized(images: torch.Tensor) -> torch.Tensor:
    return images.mul_(255.0).round_().div_(255.0)


def face_sampler(size: int = SIZE, **frequencies: float | list[float]) -> FaceFactors:
    """Faces drawn with the given attribute frequencies, written as in the option strings.

    ``face_sampler(skin=[0.9, 0.1], glasses=0.05)`` draws 90% light skin tones (0-2) and glasses
    for 5% of the faces; see :func:`level_weights`. Unnamed attributes stay uniform.
    """
    weights = {}
    for name, values in frequencies.items():
        if name not in FACTOR_NAMES:
            raise DataError(f"unknown face factor '{name}'; choose from {', '.join(FACTOR_NAMES)}")
        values = [values] if isinstance(values, (int, float)) else list(values)
        weights[name] = level_weights(name, numbers([str(v) for v in values], name, "face_sampler"), "face_sampler")
    return FaceFactors(weights, size)


def balanced_factors(n: int, rng: np.random.Generator, groups: tuple[str, ...] = BALANCE_GROUPS) -> np.ndarray:
    """``n`` factor vectors in which every combination of the ``groups`` factors occurs equally often.

    Every other factor is balanced on its own (its levels as equal as ``n`` allows) and shuffled
    independently. ``n`` must be a multiple of the number of group combinations.
    """
    for name in groups:
        if name not in FACTOR_NAMES:
            raise DataError(f"unknown face factor '{name}'; choose from {', '.join(FACTOR_NAMES)}")
    sizes = [FACTOR_SIZES[FACTOR_NAMES.index(name)] for name in groups]
    cells = math.prod(sizes)
    if n % cells != 0:
        raise DataError(
            f"a balanced face set crosses {' x '.join(groups)} = {cells} groups, so its size must be a multiple "
            f"of {cells}; got {n}"
        )
    out = np.empty((n, len(FACTOR_NAMES)), dtype=np.int64)
    combos = np.stack(np.unravel_index(np.arange(n) % cells, sizes), axis=1)
    for j, name in enumerate(groups):
        out[:, FACTOR_NAMES.index(name)] = combos[:, j]
    for i, (name, size) in enumerate(zip(FACTOR_NAMES, FACTOR_SIZES, strict=True)):
        if name not in groups:
            out[:, i] = rng.permutation(np.arange(n) % size)
    return out[rng.permutation(n)]


def parse_weights(options: dict[str, list[str]], dataset: str) -> dict[str, np.ndarray]:
    """The factor weights among ``options`` (keys that name factors)."""
    return {
        name: level_weights(name, numbers(options[name], name, dataset), dataset) for name in FACTOR_NAMES if name in options
    }


class Faces:
    """The registered ``faces`` data set: skewable training faces, an exactly balanced test set.

    Train: ``n`` faces drawn with the weights (or balanced with ``balanced``). Test: ``test``
    faces with every skin tone x glasses group equally represented and the other attributes
    balanced, whatever the weights, so that a model trained on a skewed set is scored on all
    groups alike. ``seed`` picks another draw of both.
    """

    kind_name = "faces"
    defaults: ClassVar[dict[str, int]] = {"n": 20_000, "test": 4_800}
    extra_options: tuple[str, ...] = ("n", "test", "seed", "balanced")  # option keys besides the factors

    def __init__(
        self,
        n_train: int | None = None,
        n_test: int | None = None,
        weights: dict[str, np.ndarray] | None = None,
        balanced: bool = False,
        seed: int = 0,
        name: str | None = None,
    ) -> None:
        self.name = name or self.kind_name
        self.n_train = self.defaults["n"] if n_train is None else n_train
        self.n_test = self.defaults["test"] if n_test is None else n_test
        self.weights = weights or {}
        self.balanced = balanced
        self.seed = seed
        self.factors = FaceFactors(self.weights)
        cells = math.prod(FACTOR_SIZES[FACTOR_NAMES.index(g)] for g in BALANCE_GROUPS)
        balanced_sizes = {"test": self.n_test} | ({"n": self.n_train} if balanced else {})
        for label, count in balanced_sizes.items():
            if count % cells:
                raise DataError(
                    f"{self.name}: {label}={count} must be a multiple of {cells} (the skin x glasses groups) "
                    "to be balanced"
                )

    @classmethod
    def from_options(cls, text: str) -> Faces:
        """``faces:OPTIONS``: factor weights (``skin=0.9,0.1``), ``n``, ``test``, ``seed``, ``balanced``."""
        name = f"{cls.kind_name}:{text}"
        options = parse_options(text, name, flags=("balanced",))
        check_keys(options, [*FACTOR_NAMES, *cls.extra_options], name)
        if "balanced" in options and options["balanced"] not in ([], ["1"], ["true"], ["yes"]):
            raise DataError(f"{name}: 'balanced' is a flag and takes no value")
        if "balanced" in options and any(f in options for f in FACTOR_NAMES):
            raise DataError(f"{name}: 'balanced' and factor weights exclude each other; give one or the other")
        return cls(
            n_train=positive_int(options, "n", name, cls.defaults["n"]),
            n_test=positive_int(options, "test", name, cls.defaults["test"]),
            weights=parse_weights(options, name),
            balanced="balanced" in options,
            seed=positive_int(options, "seed", name, 0, minimum=0),
            name=name,
            **cls._more_options(options, name),
        )

    @classmethod
    def _more_options(cls, options: dict[str, list[str]], name: str) -> dict[str, Any]:
        return {}

    def info(self) -> SourceInfo:
        return SourceInfo(self.name, "images", f"3x{SIZE}x{SIZE}", self.n_train, self.n_test, "procedural", True)

    def train_factors(self) -> np.ndarray:
        rng = np.random.default_rng([self.seed, 1])
        return balanced_factors(self.n_train, rng) if self.balanced else self.factors.sample_factors(self.n_train, rng)

    def test_factors(self) -> np.ndarray:
        return balanced_factors(self.n_test, np.random.default_rng([self.seed, 2]))

    def part_factors(self, part: str) -> np.ndarray:
        """The factor vectors of every face of ``part`` (train or test), in order."""
        return (self.train_factors, self.test_factors)[part_number(part)]()

    def sizes(self) -> tuple[int, int]:
        return self.n_train, self.n_test

    def load_at(self, part: str, index: torch.Tensor, resize: int | None = None) -> Dataset:
        """The faces at positions ``index`` of ``part``, rendered alone (natively at any size)."""
        import torch

        from genlab.data.dataset import Dataset

        factors = self.part_factors(part)[index.numpy()]
        renderer = FaceFactors(self.weights, resize or SIZE)
        return Dataset(renderer.render(factors), None, None, 8, torch.from_numpy(factors), FACTOR_NAMES)

    def load(self, resize: int | None = None) -> tuple[Dataset, Dataset | None]:
        return load_every(self, resize)


class FacesDetection(Faces):
    """``faces-detection``: faces (label 1) and non-face scenes and objects (label 0).

    The faces follow the same weights as ``faces`` (so a detector can be trained on a skewed
    set); the test faces are balanced. Negatives get factor rows of -1 (no face attributes).
    ``hard=F`` makes a share F of the negatives scrambled faces (each face cut into 4x4 tiles in
    a random order, the classic stimulus of face perception studies): the colors and textures of a
    face without its arrangement, so that a detector must learn the arrangement.
    """

    kind_name = "faces-detection"
    defaults: ClassVar[dict[str, int]] = {"n": 10_000, "test": 2_400}
    extra_options = ("n", "test", "seed", "balanced", "negatives", "hard")
    classes = ("non-face", "face")
    SCRAMBLE_TILES = 4

    def __init__(self, *args, negatives: int | None = None, hard: float = 0.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.n_negatives = self.n_train if negatives is None else negatives
        if not 0.0 <= hard <= 1.0:
            raise DataError(f"{self.name}: hard={hard} must be a share between 0 and 1")
        self.hard = hard

    @classmethod
    def _more_options(cls, options: dict[str, list[str]], name: str) -> dict[str, Any]:
        more: dict[str, Any] = {}
        if "negatives" in options:
            more["negatives"] = positive_int(options, "negatives", name, 0)
        if "hard" in options:
            values = numbers(options["hard"], "hard", name)
            if len(values) != 1:
                raise DataError(f"{name}: hard takes one share between 0 and 1, e.g. hard=0.5")
            more["hard"] = values[0]
        return more

    def info(self) -> SourceInfo:
        n_train, n_test = self.n_train + self.n_negatives, 2 * self.n_test
        return SourceInfo(self.name, "images", f"3x{SIZE}x{SIZE}", n_train, n_test, "procedural", True)

    def sizes(self) -> tuple[int, int]:
        return self.n_train + self.n_negatives, 2 * self.n_test

    def _negatives(self, n: int, rng: np.random.Generator, renderer: FaceFactors, which: np.ndarray) -> torch.Tensor:
        """The negatives ``which`` (numbers below ``n``, any order) of the ``n`` that ``rng`` draws:
        every random draw is made, so each negative is the same whichever others are rendered."""
        import torch

        from genlab.data.nonfaces import render_nonfaces

        n_hard = round(self.hard * n)
        n_scenes = n - n_hard
        scene = which < n_scenes
        out = torch.empty(len(which), 3, renderer.size, renderer.size)
        out[torch.from_numpy(scene)] = render_nonfaces(n_scenes, rng, renderer.size, which[scene])[0]
        if n_hard:  # the scrambled faces come after all the scenes, from the same stream
            factors = renderer.sample_factors(n_hard, rng)
            orders = tile_orders(n_hard, self.SCRAMBLE_TILES, rng)
            hard = which[~scene] - n_scenes
            out[torch.from_numpy(~scene)] = scramble(renderer.render(factors[hard]), self.SCRAMBLE_TILES, orders[hard])
        return out

    def load_at(self, part: str, index: torch.Tensor, resize: int | None = None) -> Dataset:
        """The faces and negatives at positions ``index`` of ``part``, each rendered alone."""
        import torch

        from genlab.data.dataset import Dataset

        renderer = FaceFactors(self.weights, resize or SIZE)
        factors = self.part_factors(part)
        n_faces = len(factors)
        n_negatives, stream = ((self.n_negatives, 3), (self.n_test, 4))[part_number(part)]
        # faces and negatives in a fixed random order, so that any prefix (--limit) holds both:
        # face i sits at place order[i], negative j at place order[n_faces + j]
        order = torch.randperm(n_faces + n_negatives, generator=torch.Generator().manual_seed(self.seed * 10 + stream))
        rank = torch.empty_like(order)
        rank[order] = torch.arange(len(order))
        rank = rank[index]
        face = rank < n_faces
        face_factors = factors[rank[face].numpy()]
        x = torch.empty(len(index), 3, renderer.size, renderer.size)
        x[face] = renderer.render(face_factors)
        rng = np.random.default_rng([self.seed, stream])
        x[~face] = self._negatives(n_negatives, rng, renderer, (rank[~face] - n_faces).numpy())
        rows = torch.full((len(index), len(FACTOR_NAMES)), -1, dtype=torch.long)
        rows[face] = torch.from_numpy(face_factors)
        return Dataset(x, face.long(), self.classes, 8, rows, FACTOR_NAMES)


class FaceParts(Faces):
    """``faces-parts``: the procedural faces as targets of their label maps (x), from the same factors
    (for image-to-image translation; see genlab.data.paired)."""

    kind_name = "faces-parts"

    def info(self) -> SourceInfo:
        return SourceInfo(self.name, "image pairs", f"3x{SIZE}x{SIZE} -> 3x{SIZE}x{SIZE}", self.n_train, self.n_test, "procedural", True)

    def load_at(self, part: str, index: torch.Tensor, resize: int | None = None) -> Dataset:
        """The label maps (x) and faces (target) at positions ``index`` of ``part``, each pair rendered alone."""
        import torch

        from genlab.data.dataset import Dataset

        factors = self.part_factors(part)[index.numpy()]
        faces, maps = FaceFactors(self.weights, resize or SIZE).render_parts(factors)
        return Dataset(maps, None, None, 8, torch.from_numpy(factors), FACTOR_NAMES, extras={"target": faces})


class FaceFlips(Faces):
    """``faces-flip:flip=FACTOR,FROM,TO[,OPTIONS]``: each procedural face with ``FACTOR`` at level
    ``FROM`` (x) paired with the very same face at level ``TO`` (target), its exact counterfactual.

    The true pairs that unpaired translation (CycleGAN on ``faces:glasses=0`` against
    ``faces:glasses=1``) never sees, for the pix2pix it is measured against. The other factors
    follow the faces options (weights, ``n``, ``test``, ``seed``).
    """

    kind_name = "faces-flip"
    extra_options = (*Faces.extra_options, "flip")

    def __init__(self, flip: tuple[str, int, int] = ("glasses", 0, 1), **options: Any) -> None:
        super().__init__(**options)
        self.flip = flip

    @classmethod
    def _more_options(cls, options: dict[str, list[str]], name: str) -> dict[str, Any]:
        values = options.get("flip", [])
        if len(values) != 3 or values[0] not in FACTOR_NAMES:
            raise DataError(f"{name}: say which factor changes and between which levels, e.g. flip=glasses,0,1 "
                            f"(factors: {', '.join(FACTOR_NAMES)})")  # fmt: skip
        factor, size = values[0], FACTOR_SIZES[FACTOR_NAMES.index(values[0])]
        try:
            levels = int(values[1]), int(values[2])
        except ValueError:
            raise DataError(f"{name}: flip={','.join(values)} needs two whole-number levels of {factor}") from None
        if not all(0 <= level < size for level in levels) or levels[0] == levels[1]:
            raise DataError(f"{name}: {factor} has levels 0 to {size - 1}; flip needs two different ones, got {levels}")
        if factor in options:
            raise DataError(f"{name}: {factor} is set by flip; drop its weights")
        return {"flip": (factor, *levels)}

    def info(self) -> SourceInfo:
        return SourceInfo(self.name, "image pairs", f"3x{SIZE}x{SIZE} -> 3x{SIZE}x{SIZE}", self.n_train, self.n_test, "procedural", True)

    def load_at(self, part: str, index: torch.Tensor, resize: int | None = None) -> Dataset:
        """The faces at level FROM (x) and their counterfactuals at TO (target) at positions ``index`` of ``part``."""
        import torch

        from genlab.data.dataset import Dataset

        factor, before, after = self.flip
        column = FACTOR_NAMES.index(factor)
        factors = self.part_factors(part)[index.numpy()].copy()
        renderer = FaceFactors(self.weights, resize or SIZE)
        factors[:, column] = after
        targets = renderer.render(factors)
        factors[:, column] = before
        return Dataset(renderer.render(factors), None, None, 8, torch.from_numpy(factors), FACTOR_NAMES,
                       extras={"target": targets})  # fmt: skip


def tile_orders(n: int, tiles: int, rng: np.random.Generator) -> np.ndarray:
    """A random order of the ``tiles`` x ``tiles`` tiles for each of ``n`` images: (n, tiles**2)."""
    return np.argsort(rng.random((n, tiles * tiles)), axis=1)


def scramble(images: torch.Tensor, tiles: int, orders: np.ndarray) -> torch.Tensor:
    """Each image cut into ``tiles`` x ``tiles`` tiles, put back in its own order (a row of ``orders``)."""
    import torch

    n, c, h, w = images.shape
    th, tw = h // tiles, w // tiles
    blocks = images[:, :, : th * tiles, : tw * tiles].reshape(n, c, tiles, th, tiles, tw).permute(0, 2, 4, 1, 3, 5)
    blocks = blocks.reshape(n, tiles * tiles, c, th, tw)
    shuffled = blocks[torch.arange(n).unsqueeze(1), torch.from_numpy(orders)]
    out = images.clone()
    out[:, :, : th * tiles, : tw * tiles] = (
        shuffled.reshape(n, tiles, tiles, c, th, tw).permute(0, 3, 1, 4, 2, 5).reshape(n, c, th * tiles, tw * tiles)
    )
    return out


__all__ = [
    "FACTOR_NAMES",
    "FACTOR_SIZES",
    "LEVEL_NAMES",
    "NEGATIVE_KINDS",
    "FaceFactors",
    "FaceParts",
    "Faces",
    "FacesDetection",
    "balanced_factors",
    "face_sampler",
    "factors_to_attributes",
    "level_weights",
]
