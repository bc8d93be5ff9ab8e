"""Seeds: one derivation for every random stream in genlab, and the one place that touches torch's global RNG.

Every stream (a run's data order, a step's noise, an evaluation's draws) gets its own seed from
:func:`derive_seed` of the user's seed and a name, so streams never overlap and a result depends
on the seed alone. Library functions take explicit generators; where a model draws from torch's
global RNG (``torch.randn_like`` inside a loss), the caller runs it inside :func:`seeded_rng`,
which seeds the global RNG for the block and restores the caller's state afterwards.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator

import torch


def derive_seed(*parts: object) -> int:
    """A 63-bit seed that depends on every part, so nearby steps get unrelated random streams."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & ((1 << 63) - 1)


def seed_device(device: torch.device, seed: int) -> None:
    """Seed the global generator that draws on ``device`` (and the CPU's).

    Only for code already inside :func:`seeded_rng` (the trainer reseeds per step for exact
    resume). ``torch.manual_seed`` would also queue seeds for every lazily initialized backend,
    with a captured stack trace each time: a cost worth avoiding once per step.
    """
    torch.default_generator.manual_seed(seed)
    if device.type == "cuda":
        torch.cuda.default_generators[device.index or 0].manual_seed(seed)
    elif device.type == "mps":
        torch.mps.manual_seed(seed)


@contextlib.contextmanager
def seeded_rng(seed: int | None = None) -> Iterator[None]:
    """Within the block torch's global RNG starts from ``seed`` (None: as it was); afterwards the
    caller's random state is restored, on the CPU and on every initialized CUDA device."""
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_initialized() else []
    with torch.random.fork_rng(devices=devices):
        if seed is not None:
            torch.manual_seed(seed)
        yield
