"""The ``genlab`` app, its global options and the helpers every command module shares.

Commands that produce numbers take ``--json`` and then print exactly one JSON object on stdout;
logs and progress go to stderr. Problems with input exit with status 2 and a one-line reason.
"""

from __future__ import annotations

import json
import logging
import os
import sys
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
    """A rich progress bar on stderr when it is a terminal; otherwise nothing (epoch lines are logged)."""

    def __init__(self, label: str = "training") -> None:
        self.label = label

    def __enter__(self) -> Any:
        if not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(
            TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            TextColumn("{task.fields[info]}"), console=Console(stderr=True), transient=False,
        )  # fmt: skip
        self.bar.start()
        self.task = self.bar.add_task(self.label, total=None, info="")
        return self.update

    def update(self, step: int, total: int, metrics: dict[str, float] | None = None) -> None:
        info = " ".join(f"val {k}={v:.4g}" for k, v in metrics.items()) if metrics else None
        self.bar.update(self.task, completed=step, total=total, **({"info": info} if info else {}))

    def __exit__(self, *exc: object) -> None:
        if hasattr(self, "bar"):
            self.bar.stop()


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
