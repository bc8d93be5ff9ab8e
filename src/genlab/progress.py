"""How long work tells the caller how far it is: ``progress(task, done, total, info)``.

Library functions that run longer than a few seconds take an optional ``progress`` callable and
call it as they go: ``task`` names the stage ("training", "IWAE bound", "beta_vae"), ``done`` and
``total`` count its units (steps, examples, images), ``info`` is an optional short note (the last
validation loss). The library never prints; the command line turns the calls into a bar on a
terminal, or into a line every few seconds in a log (:mod:`genlab.cli._app`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

T = TypeVar("T")


class ProgressFn(Protocol):
    def __call__(self, task: str, done: int, total: int | None, info: str | None = None) -> None: ...


def silent(task: str, done: int, total: int | None, info: str | None = None) -> None:
    """The progress of nobody listening."""


def counted(items: Iterable[T], progress: ProgressFn | None, task: str, total: int, size: Callable[[T], int] = len) -> Iterator[T]:  # type: ignore[assignment]
    """Yield ``items`` (batches), reporting after each how many units (``size(item)``) of ``total`` are done."""
    report = progress or silent
    done = 0
    report(task, 0, total)
    for item in items:
        yield item
        done += size(item)
        report(task, done, total)
