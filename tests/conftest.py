"""Shared fixtures: small data, a trained digits VAE, and a way to call the CLI in-process."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from genlab.api import train_run
from genlab.cli import main
from genlab.data.splits import DataSpec
from genlab.train.config import TrainConfig


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run ``genlab ARGS`` in this process; returns exit code, stdout and stderr."""

    def invoke(*args: str) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["genlab", *map(str, args)])
        code = 0
        try:
            main()
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


def run_genlab(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """Run the real ``genlab`` command in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "genlab", *map(str, args)], capture_output=True, text=True, check=False, timeout=timeout, **kwargs
    )


@pytest.fixture(autouse=True)
def _few_threads():
    torch.set_num_threads(2)


@contextlib.contextmanager
def _torch_threads(n: int) -> Iterator[None]:
    threads = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@pytest.fixture
def one_thread():
    """One torch thread for the test: tiny models train many times faster on one thread than on
    two when other work shares the cores (OpenMP's spinning threads)."""
    with _torch_threads(1):
        yield


@pytest.fixture(scope="module")
def one_thread_module():
    """:func:`one_thread` for module-scoped fixtures that train tiny shared runs."""
    with _torch_threads(1):
        yield


@pytest.fixture(scope="session")
def vae_run(tmp_path_factory) -> Path:
    """A VAE trained on binarized digits for a few seconds (shared by read-only tests)."""
    out = tmp_path_factory.mktemp("runs") / "vae"
    run, _ = train_run(
        "vae", DataSpec("digits", binarize=True), TrainConfig(epochs=15, batch_size=64, lr=2e-3), str(out),
        {"latent_dim": 4, "hidden": (128, 64)},
    )  # fmt: skip
    return run.path


@pytest.fixture(scope="session")
def ae_run(tmp_path_factory) -> Path:
    """An autoencoder trained on digits for a few seconds."""
    out = tmp_path_factory.mktemp("runs") / "ae"
    run, _ = train_run(
        "ae", DataSpec("digits"), TrainConfig(epochs=5, batch_size=64), str(out), {"latent_dim": 4, "hidden": (64,)}
    )
    return run.path
