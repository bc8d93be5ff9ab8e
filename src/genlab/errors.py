"""Errors a person can act on.

Every error raised for bad input, a bad run folder or a diverged run derives from
:class:`GenlabError`. The command line prints its message on one line and exits with status 2;
the Python API raises it (the data and configuration errors are also ``ValueError``\\ s, as
scikit-learn users expect).
"""

from __future__ import annotations


class GenlabError(Exception):
    """A problem with the user's input or files; the message says what to do."""


class DataError(GenlabError, ValueError):
    """A data set is missing, unreadable, or not shaped as the model needs."""


class ConfigError(GenlabError, ValueError):
    """An option has an invalid value or an unknown name."""


class RunError(GenlabError):
    """A run folder is missing, incomplete or corrupt, or would be overwritten."""


class TrainingDiverged(GenlabError, RuntimeError):
    """The loss became NaN or infinite; the last good checkpoint was kept."""
