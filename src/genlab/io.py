"""Atomic file writes: a temp file beside the target, then a rename, so a crash never leaves half a file."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from genlab.errors import ConfigError, RunError


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _publish(tmp: Path, path: Path) -> None:
    """Give the finished temp file the usual permissions and move it into place atomically."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


def write_atomically(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temp file beside ``path``, then move it into place in one step.

    A reader never sees a half-written file, and a failed write leaves neither a temp file nor a
    changed ``path`` behind.
    """
    path = Path(path)
    tmp = _tmp(path)
    try:
        write(tmp)
        _publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def check_output_path(path: str | Path, suffixes: tuple[str, ...], option: str = "--out") -> Path:
    """``path`` if it names a file ending in one of ``suffixes``; else a ConfigError, raised before any work.

    The suffix check also keeps an output from landing on a run's own files (weights, config).
    """
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise ConfigError(f"{option} must end in {' or '.join(suffixes)}, got {path.name!r}")
    if path.is_dir():
        raise ConfigError(f"{option} {path} is a folder; give a file name, such as {path / ('output' + suffixes[0])}")
    return path


@contextmanager
def replacing_folder(path: str | Path) -> Iterator[None]:
    """Set an existing folder aside while the block writes its replacement; put it back if the block fails.

    The old folder is deleted only once the block has finished, so a bad option, a missing file or
    Ctrl-C halfway never costs the user what was there.
    """
    path = Path(path)
    aside = path.with_name(f".{path.name}.replaced")
    if aside.exists():
        shutil.rmtree(aside)
    had_old = path.exists()
    if had_old:
        path.rename(aside)
    try:
        yield
    except BaseException:
        if had_old:
            if path.exists():
                shutil.rmtree(path)
            aside.rename(path)
        raise
    if had_old:
        shutil.rmtree(aside)


def write_text(path: str | Path, text: str) -> Path:
    return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json(path: str | Path, data: Any) -> Path:
    return write_text(path, json.dumps(data, indent=2, sort_keys=False) + "\n")


def write_safetensors(path: str | Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None = None) -> Path:
    cpu = {k: v.detach().contiguous().cpu() for k, v in tensors.items()}
    return write_atomically(path, lambda tmp: save_file(cpu, str(tmp), metadata=metadata))


def read_safetensors(path: str | Path) -> dict[str, torch.Tensor]:
    """Load a safetensors file, turning any corruption into a RunError that says what to do."""
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as e:
        raise RunError(f"{path} is corrupt or unreadable ({e}); retrain the run or restore the file") from e


def read_safetensors_metadata(path: str | Path) -> dict[str, str]:
    """The string metadata stored in a safetensors header."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            return dict(f.metadata() or {})
    except (SafetensorError, OSError, ValueError, RuntimeError) as e:
        raise RunError(f"{path} is corrupt or unreadable ({e}); retrain the run or restore the file") from e
