"""A GAN's noise space: the generator along paths between noise vectors, and closed walks.

A noise vector is named by its seed: :func:`seed_noise` gives the noise that ``model.noise``
draws from a generator seeded with it, the same on every device. The paths themselves come from
:mod:`genlab.latent.paths`; the images from ``model.generate``, which uses the EMA generator when
the run has one (as sampling does) and, for a progressive GAN, the resolution the run reached.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from genlab.device import resolve_device
from genlab.errors import ConfigError
from genlab.latent.paths import closed_walk, interpolate_codes
from genlab.models.protocols import NoiseGenerator
from genlab.models.registry import get_model_spec
from genlab.run import Run
from genlab.viz.animation import grid_frames, save_gif


def has_noise_space(model_cls: type) -> bool:
    """Whether a model class generates from noise (``noise(n, generator)`` and ``generate(z, labels)``): a GAN."""
    return issubclass(model_cls, NoiseGenerator)


def is_noise_run(path: str | Path) -> bool:
    """Whether the run at ``path`` is a GAN-family run, read from its config alone (no weights loaded)."""
    return has_noise_space(get_model_spec(Run(path).load_config().model).model_cls)


def load_generator(path: str | Path, device: str = "auto") -> Any:
    """The GAN of the run at ``path``, checked to generate images."""
    run = Run(path)
    name = run.load_config().model
    model = run.load_model(resolve_device(device))
    if not has_noise_space(type(model)):
        raise ConfigError(f"a '{name}' model has no noise space; noise paths need a gan, dcgan or progan run")
    if not model.config.is_image:
        raise ConfigError(f"{run.path} generates points, not images, so a path through its noise has no picture")
    return model


def seed_noise(model: Any, seeds: Sequence[int]) -> torch.Tensor:
    """The noise vectors of ``seeds``: (len(seeds), latent_dim), on the model's device."""
    return torch.cat([model.noise(1, torch.Generator().manual_seed(int(s))) for s in seeds])


def _labels(model: Any, label: int | None, n: int) -> torch.Tensor | None:
    """``n`` copies of ``label`` (None stays None), checked by the model (conditional needs one, in range)."""
    labels = None if label is None else torch.full((n,), label, dtype=torch.long)
    model.check_labels(labels)
    return labels


@torch.no_grad()
def decode_noise(model: Any, codes: torch.Tensor, label: int | None = None) -> torch.Tensor:
    """The generator's images of noise vectors (N, latent_dim), class ``label`` for each: (N, C, H, W) in [0, 1]."""
    return model.generate(codes, _labels(model, label, len(codes))).clamp(0, 1).cpu()


def noise_path(
    model: Any, a: int = 0, b: int = 1, steps: int = 10, spherical: bool = False, label: int | None = None
) -> torch.Tensor:
    """Images (steps, C, H, W) along the path from the noise of seed ``a`` to that of seed ``b``."""
    _labels(model, label, 1)  # a missing or bad label is reported before any work
    za, zb = seed_noise(model, [a, b])
    return decode_noise(model, interpolate_codes(za, zb, steps, spherical), label)


def noise_walk(
    model: Any, points: int = 4, steps: int = 10, seed: int = 0, spherical: bool = False,
    label: int | None = None,
) -> torch.Tensor:  # fmt: skip
    """Images (points * steps, C, H, W) of a closed walk through the noise of seeds seed, ..., seed + points - 1.

    Image ``i * steps`` is the noise of seed ``seed + i``; after the last image comes the first
    again, so the walk cycles without a jump.
    """
    if points < 2:
        raise ConfigError(f"--walk needs at least 2 points, got {points}")
    _labels(model, label, 1)
    anchors = seed_noise(model, range(seed, seed + points))
    return decode_noise(model, closed_walk(anchors, steps, spherical), label)


def interpolate_noise_run(
    path: str | Path, a: int = 0, b: int = 1, steps: int = 10, spherical: bool = False,
    label: int | None = None, device: str = "auto",
) -> torch.Tensor:  # fmt: skip
    """:func:`noise_path` of the GAN of the run at ``path``."""
    return noise_path(load_generator(path, device), a, b, steps, spherical, label)


def walk_noise_run(
    path: str | Path, points: int = 4, steps: int = 10, seed: int = 0, spherical: bool = False,
    label: int | None = None, device: str = "auto",
) -> torch.Tensor:  # fmt: skip
    """:func:`noise_walk` of the GAN of the run at ``path``."""
    return noise_walk(load_generator(path, device), points, steps, seed, spherical, label)


@torch.no_grad()
def save_latent_walk(
    model: Any, out: str | Path, n: int = 16, anchors: int = 4, steps: int = 12, seed: int = 0,
    spherical: bool = True, labels: torch.Tensor | None = None, fps: float = 12.0,
) -> Path:  # fmt: skip
    """A GIF of a grid of ``n`` generated images, each walking a closed path through ``anchors`` noise draws.

    ``model`` is a genlab GAN. A conditional model walks with fixed ``labels`` (n,), by default
    0, 1, 2, ... cycling through its classes. (The picture every image GAN run gets at the end of
    training, ``RUN/latent_walk.gif``.)
    """
    generator = torch.Generator().manual_seed(seed)
    points = torch.stack([model.noise(n, generator) for _ in range(anchors)])  # (anchors, n, latent_dim)
    classes = model.config.classes
    if classes and labels is None:
        labels = torch.arange(n) % classes
    batches = [model.generate(z, labels).clamp(0, 1).cpu() for z in closed_walk(points, steps, spherical)]
    return save_gif(grid_frames(batches, math.ceil(math.sqrt(n))), out, fps)
