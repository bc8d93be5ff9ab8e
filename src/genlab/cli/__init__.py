"""The ``genlab`` command: thin wrappers that parse options, call the library and print.

Commands that produce numbers take ``--json`` and then print exactly one JSON object on stdout;
logs and progress go to stderr. Problems with input exit with status 2 and a one-line reason.
Each module here adds its commands to the one ``app``; importing them registers them.
"""

from genlab.cli import bias, data, detect, latent, runs, train, translate, voice  # noqa: F401  (registers the commands)
from genlab.cli._app import app, main

__all__ = ["app", "main"]
