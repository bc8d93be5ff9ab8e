"""The ``genlab`` app, its global options and the helpers every command module shares.

Commands that produce numbers take ``--json`` and then print exactly one JSON object on stdout;
logs and progress go to stderr. Problems with input exit with status 2 and a one-line reason.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import Any

import typer

from genlab.errors import GenlabError

log = logging.getLogger("genlab")

app = typer.Typer(
    name="genlab",
    help="Deep generative modeling: train, evaluate, sample and report, on CPU or GPU.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
train_app = typer.Typer(help="Train a model into a run folder (one subcommand per model).", no_args_is_help=True)
app.add_typer(train_app, name="train")

_state = {"debug": False}


def examples(*lines: str) -> str:
    return "\n\nExamples:\n\n" + "\n\n".join(f"  $ {line}" for line in lines)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=None, default=str) + "\n")


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug messages."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Log warnings and errors only."),
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr, force=True)
    for noisy in ("lightning_fabric", "lightning", "torch", "matplotlib", "PIL"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    _state["debug"] = debug or os.environ.get("GENLAB_DEBUG") == "1"


class progress_bar:
    """Where a command shows its progress (a :class:`genlab.progress.Progress`), always on stderr:
    a bar per task with the time left on a terminal; elsewhere (CI logs) a line per task every
    ``GENLAB_PROGRESS_SECONDS`` (10) and when it finishes; nothing with --quiet."""

    def __enter__(self) -> Any:
        if logging.getLogger("genlab").getEffectiveLevel() > logging.INFO:
            from genlab.progress import silent

            return silent
        seconds = float(os.environ.get("GENLAB_PROGRESS_SECONDS", "10"))  # between progress lines in a log
        self.reporter = _BarReporter() if sys.stderr.isatty() else _LineReporter(seconds)
        return self.reporter

    def __exit__(self, *exc: object) -> None:
        if hasattr(self, "reporter"):
            self.reporter.close()


class _BarReporter:
    """One rich progress bar per task, on stderr."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("left"), TimeRemainingColumn(), TextColumn("{task.fields[info]}"), console=Console(stderr=True),
        )  # fmt: skip
        self.tasks: dict[str, Any] = {}
        self.bar.start()

    def __call__(self, task: str, done: int, total: int | None, info: str | None = None) -> None:
        if task not in self.tasks:
            self.tasks[task] = self.bar.add_task(task, total=total, info="")
        self.bar.update(self.tasks[task], completed=done, total=total, **({"info": info} if info else {}))

    def close(self) -> None:
        self.bar.stop()


class _LineReporter:
    """A line per task every ``seconds`` and when the task is done, for logs that are not a terminal."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started: dict[str, float] = {}
        self.last: dict[str, float] = {}

    def __call__(self, task: str, done: int, total: int | None, info: str | None = None) -> None:
        now = time.monotonic()
        start = self.started.setdefault(task, now)
        finished = total is not None and done >= total
        due = now - self.last.get(task, start) >= self.seconds
        if not (due or (finished and task in self.last)):  # a task that took a while also says it is done
            return
        self.last[task] = now
        elapsed = now - start
        line = f"{task}: {done:,}" + (f"/{total:,} ({100 * done / total:.0f}%)" if total else "") + f", {_duration(elapsed)}"
        if total and 0 < done < total:
            line += f", about {_duration(elapsed / done * (total - done))} left"
        log.info(line + (f"; {info}" if info else ""))

    def close(self) -> None:
        pass


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{rest:02d}s" if minutes else f"{seconds:.1f}s"


def main() -> None:
    """Entry point: run the app, turning GenlabErrors and file-system refusals into one line on stderr and exit status 2."""
    try:
        app()
    except GenlabError as e:
        if _state["debug"]:
            raise
        sys.stderr.write(f"error: {e}\n")
        sys.exit(2)
    except OSError as e:  # the file system refused: a read-only folder, a file where a folder should be, a full disk
        if _state["debug"] or e.filename is None:
            raise
        in_the_way = isinstance(e, (FileExistsError, NotADirectoryError))  # mkdir or open through a file
        reason = "a file is in the way of a folder on that path" if in_the_way else e.strerror
        sys.stderr.write(f"error: cannot use {e.filename}: {reason}; check the path and its permissions\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
