"""Atomic file writes: a temp file beside the target, then a rename, so a crash never leaves half a file.

Safetensors files carry a checksum of their tensors in their header, checked on every read, so a
file damaged after it was written (a bad disk, a copy cut short) is refused instead of loaded.
"""

from __future__ import annotations

import hashlib
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


def cache_dir(kind: str) -> Path:
    """Where genlab keeps what it builds once and reuses (trained feature networks, synthesized
    speech): $GENLAB_CACHE/KIND, by default ~/.cache/genlab/KIND."""
    root = os.environ.get("GENLAB_CACHE") or Path.home() / ".cache" / "genlab"
    return Path(root) / kind


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def remove_orphaned_temp_files(folder: Path) -> list[Path]:
    """Delete the temp files in ``folder`` (and its subfolders) of writers that died before they
    finished (a SIGKILL mid-write); a temp file of a process still running is left alone."""
    removed = []
    for tmp in folder.rglob(".*.*.tmp"):
        pid = tmp.name.rsplit(".", 2)[-2]
        if pid.isdigit() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _publish(tmp: Path, path: Path, previous: Path | None = None) -> None:
    """Give the finished temp file the usual permissions and move it into place atomically (the
    file it replaces to ``previous``, when given and present)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    if previous is not None and path.exists():
        os.replace(path, previous)
    os.replace(tmp, path)


def _sync(path: Path) -> None:
    """Flush a file (or a folder's entries) to the disk, so a crash of the machine cannot undo it."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(
    path: str | Path, write: Callable[[Path], object], *, durable: bool = False, previous: Path | None = None
) -> Path:
    """Call ``write(tmp)`` on a temp file beside ``path``, then move it into place in one step.

    A reader never sees a half-written file, and a failed write leaves neither a temp file nor a
    changed ``path`` behind. ``durable`` flushes the file and its folder to the disk (checkpoints:
    a machine that loses power keeps the old or the new file, whole). ``previous`` keeps the
    replaced file under that name, so the last good copy survives until the new one is in place.
    """
    path = Path(path)
    tmp = _tmp(path)
    try:
        write(tmp)
        if durable:
            _sync(tmp)
        _publish(tmp, path, previous)
        if durable:
            _sync(path.parent)
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


def tensors_checksum(tensors: dict[str, torch.Tensor]) -> str:
    """A digest of names, dtypes, shapes and bytes of ``tensors`` (CPU, contiguous), in name order."""
    h = hashlib.blake2b(digest_size=16)
    for name in sorted(tensors):
        value = tensors[name]
        h.update(f"{name}|{value.dtype}|{tuple(value.shape)}|".encode())
        h.update(value.reshape(-1).view(torch.uint8).numpy().data if value.numel() else b"")
    return h.hexdigest()


def write_safetensors(
    path: str | Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None = None, *,
    durable: bool = False, previous: Path | None = None,
) -> Path:  # fmt: skip
    """Write ``tensors`` with ``metadata`` and their checksum, atomically (see :func:`write_atomically`)."""
    cpu = {k: v.detach().contiguous().cpu() for k, v in tensors.items()}
    header = dict(metadata or {}, checksum=tensors_checksum(cpu))
    return write_atomically(path, lambda tmp: save_file(cpu, str(tmp), metadata=header), durable=durable, previous=previous)


def read_safetensors(path: str | Path) -> dict[str, torch.Tensor]:
    """Load a safetensors file, turning any corruption (a checksum that does not match included)
    into a RunError that says what to do."""
    try:
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as e:
        raise RunError(f"{path} is corrupt or unreadable ({e}); retrain the run or restore the file") from e
    expected = read_safetensors_metadata(path).get("checksum")
    if expected is not None and tensors_checksum(tensors) != expected:
        raise RunError(f"{path} is damaged (its tensors do not match the checksum it was written with); "
                       "retrain the run or restore the file")  # fmt: skip
    return tensors


def read_safetensors_metadata(path: str | Path) -> dict[str, str]:
    """The string metadata stored in a safetensors header."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            return dict(f.metadata() or {})
    except (SafetensorError, OSError, ValueError, RuntimeError) as e:
        raise RunError(f"{path} is corrupt or unreadable ({e}); retrain the run or restore the file") from e
