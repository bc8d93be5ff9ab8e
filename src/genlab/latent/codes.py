"""The latent code of a VAE-family run: which dimensions are in use, traversals along them, and
paths between the codes of two real images (drawn by :mod:`genlab.latent.paths`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import torch
from PIL import Image

from genlab.data.splits import DataSpec, load_split, noisy_view, split_size
from genlab.device import resolve_device
from genlab.errors import ConfigError
from genlab.latent.paths import interpolate_codes
from genlab.models.protocols import Decoder, Encoder, Posterior
from genlab.run import Run
from genlab.viz.latent import traversal_figure, traversal_frames

# A dimension whose mean KL(q(z_d|x) || N(0, 1)) over the data is below this many nats carries
# (almost) no information about x: its posterior is the prior for every example, and the
# decoder ignores it. 0.01 nats is well below what any dimension in use carries (typically > 0.5).
INACTIVE_KL = 0.01
KL_EXAMPLES = 1000  # examples of the split over which the KL per dimension is averaged


# --- which dimensions are in use ----------------------------------------------------------------


def kl_per_dimension(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Mean over examples of KL(N(mu_d, exp(logvar_d)) || N(0, 1)) per dimension: (N, L) -> (L,) nats."""
    return (0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar)).mean(0)


# --- a run's model and data ---------------------------------------------------------------------


def decode_images(model: Decoder, z: torch.Tensor) -> torch.Tensor:
    """Images in [0, 1] for latent codes z (N, L): the mean of p(x|z) in data space."""
    return model.to_data(model.decode(z)).clamp(0, 1)


def _latent_model(path: str, device: str) -> tuple[Any, DataSpec, torch.device]:
    """The run's model (one with a latent code), its data spec and the device it is on."""
    run = Run(path)
    config = run.load_config()
    dev = resolve_device(device)
    model = run.load_model(dev)
    if not (isinstance(model, Encoder) and isinstance(model, Decoder)):
        raise ConfigError(f"a '{config.model}' model has no latent code to look at")
    if len(config.model_config.input_shape) != 3:
        raise ConfigError(f"{run.path} was trained on vectors, which have no picture")
    return model, config.data, dev


def _seen_images(spec: DataSpec, split: str, index: torch.Tensor | None, seed: int) -> torch.Tensor:
    """The images of ``split`` at ``index`` (all when None) as the model sees them.

    A binarized or dequantized view draws its noise over the split in order, so an image gets the
    same draw however many are loaded: a noisy view loads the split up to the last image asked for,
    a plain one only the images asked for.
    """
    load = slice(0, int(index.max()) + 1) if index is not None and spec.noisy else index
    data = load_split(spec, split, load)
    x = noisy_view(spec, data.x, data.bits, torch.Generator().manual_seed(seed))
    return x[index] if index is not None and spec.noisy else x


def load_images(
    path: str, split: str = "test", seed: int = 0, device: str = "auto", index: torch.Tensor | None = None
) -> tuple[Any, torch.Tensor]:
    """The run's model and the images of ``split`` (only those at positions ``index`` when given) as
    the model sees them (binarized with a fixed draw if so trained)."""
    model, spec, dev = _latent_model(path, device)
    return model, _seen_images(spec, split, index, seed).to(dev)


# --- traversals ---------------------------------------------------------------------------------


@dataclass
class Traversal:
    """Decoded images along latent dimensions: row r varies dimension ``dims[r]`` over ``values``."""

    images: torch.Tensor  # (rows, steps, C, H, W) in [0, 1]
    dims: list[int]
    kl: list[float]  # mean KL per row's dimension, nats
    active: list[bool]  # kl >= INACTIVE_KL
    values: list[float]
    base_index: int  # the example whose code the traversal starts from

    def row_labels(self) -> list[str]:
        """Each row's dimension and KL, with inactive rows marked: ``z3 KL 1.52``, ``z0 KL 0.004 inactive``."""
        return [
            f"z{d} KL {kl:.2f}{'' if on else ' inactive'}" if kl >= 0.1 else f"z{d} KL {kl:.3f}{'' if on else ' inactive'}"
            for d, kl, on in zip(self.dims, self.kl, self.active)
        ]

    def figure(self) -> Image.Image:
        """The traversal as one labeled grid, a row per dimension."""
        return traversal_figure(self.images, self.values, self.row_labels(), self.active)

    def frames(self) -> list[Image.Image]:
        """The traversal as animation frames: every row at one value per frame, there and back."""
        return traversal_frames(self.images, self.values, self.row_labels(), self.active)


def parse_dims(text: str, latent_dim: int) -> list[int] | None:
    """``all`` -> None (every dimension, sorted by KL); ``i,j`` -> [i, j], each checked against the code size."""
    if text.strip().lower() == "all":
        return None
    try:
        dims = [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError as e:
        raise ConfigError(
            f"--dims takes 'all' or comma-separated dimension indices like 0,3; got {text!r}"
        ) from e
    if not dims:
        raise ConfigError("--dims names no dimension; write 'all' or indices like 0,3")
    for d in dims:
        if not 0 <= d < latent_dim:
            raise ConfigError(
                f"latent dimension {d} is out of range: the model has {latent_dim} (0 to {latent_dim - 1})"
            )
    return dims


@torch.no_grad()
def traverse(
    model: Any, x: torch.Tensor, dims: list[int] | None = None, low: float = -3.0, high: float = 3.0,
    steps: int = 9, base_index: int = 0,
) -> Traversal:  # fmt: skip
    """Traverse each of ``dims`` (None: all, sorted by KL, largest first) from ``low`` to ``high``.

    The code starts at the posterior mean of ``x[base_index]``; each row sets one dimension to each
    of ``steps`` values in turn (values are in units of the prior's standard deviation) and decodes.
    The KL per dimension is averaged over the first examples of ``x``.
    """
    if steps < 2:
        raise ConfigError(f"--steps must be at least 2, got {steps}")
    if not low < high:
        raise ConfigError(f"--range needs LOW < HIGH, got {low} {high}")
    if not 0 <= base_index < len(x):
        raise ConfigError(f"example {base_index} is out of range: the split has {len(x)}")
    if not isinstance(model, Posterior):
        raise ConfigError(
            "traversals sort dimensions by KL, which needs a VAE-family model (vae, iwae, annealed-vae)"
        )
    mu, logvar = model.posterior(x[:KL_EXAMPLES])
    kl = kl_per_dimension(mu, logvar).cpu()
    latent_dim = mu.shape[1]
    if dims is None:
        dims = sorted(range(latent_dim), key=lambda d: -float(kl[d]))
    base = model.posterior(x[base_index : base_index + 1])[0][0]
    values = torch.linspace(low, high, steps, device=base.device)
    codes = base.repeat(len(dims), steps, 1)  # (rows, steps, L)
    for row, d in enumerate(dims):
        codes[row, :, d] = values
    images = decode_images(model, codes.flatten(0, 1))
    return Traversal(
        images=images.view(len(dims), steps, *images.shape[1:]).cpu(),
        dims=list(dims),
        kl=[float(kl[d]) for d in dims],
        active=[float(kl[d]) >= INACTIVE_KL for d in dims],
        values=[float(v) for v in values],
        base_index=base_index,
    )


def traverse_run(
    path: str, dims: str = "all", low: float = -3.0, high: float = 3.0, steps: int = 9, seed: int = 0,
    split: str = "test", device: str = "auto",
) -> Traversal:  # fmt: skip
    """The traversal of the run at ``path``; ``seed`` picks the example it starts from.

    Only the examples it needs are loaded: the first KL_EXAMPLES of the split and the base.
    """
    model, spec, dev = _latent_model(path, device)
    chosen = parse_dims(dims, model.config.latent_dim)
    n = split_size(spec, split)
    if n == 0:
        raise ConfigError(f"the {split} split of {path} is empty; choose another with --split")
    base_index = int(torch.randint(n, (), generator=torch.Generator().manual_seed(seed)))
    index = torch.arange(min(n, KL_EXAMPLES))
    if base_index >= len(index):
        index = torch.cat([index, torch.tensor([base_index])])
    x = _seen_images(spec, split, index, seed).to(dev)
    traversal = traverse(model, x, chosen, low, high, steps, int(torch.nonzero(index == base_index)[0]))
    return replace(traversal, base_index=base_index)  # numbered as in the split


# --- interpolation between two real images ------------------------------------------------------


@torch.no_grad()
def interpolate(
    model: Any, xa: torch.Tensor, xb: torch.Tensor, steps: int = 10, spherical: bool = False
) -> torch.Tensor:
    """Decoded images (steps, C, H, W) along the path between the codes (posterior means) of xa and xb (C, H, W)."""
    codes = model.code(torch.stack([xa, xb]))
    return decode_images(model, interpolate_codes(codes[0], codes[1], steps, spherical)).cpu()


def interpolate_run(
    path: str, a: int = 0, b: int = 1, steps: int = 10, spherical: bool = False, split: str = "test",
    seed: int = 0, device: str = "auto",
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:  # fmt: skip
    """(image a, decoded path (steps, C, H, W), image b) between examples ``a`` and ``b`` of ``split``."""
    model, spec, dev = _latent_model(path, device)
    n = split_size(spec, split)
    for name, index in (("--a", a), ("--b", b)):
        if not 0 <= index < n:
            raise ConfigError(f"{name} {index} is out of range: the {split} split has {n} examples (0 to {n - 1})")
    xa, xb = _seen_images(spec, split, torch.tensor([a, b]), seed).to(dev)
    return xa.cpu(), interpolate(model, xa, xb, steps, spherical), xb.cpu()
