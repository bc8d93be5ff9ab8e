"""The small option language after a procedural data set's name: ``faces:skin=0.9,0.1;glasses=0.05``.

An option string is a list of ``key=value[,value...]`` items separated by ``;``. Because ``;``
needs quoting in a shell, a comma also works as the separator: a comma-separated token that
holds ``=`` starts a new item, one without continues the values of the item before it, so
``skin=0.9,0.1,glasses=0.05`` reads the same as ``skin=0.9,0.1;glasses=0.05``. A bare key
(``balanced``) is a flag with no values.
"""

from __future__ import annotations

import math

from genlab.errors import DataError


def parse_options(text: str, dataset: str, flags: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Split ``text`` into ``{key: [values]}``; keys are lower-cased with ``-`` read as ``_``.

    A bare token that names one of ``flags`` starts a new item even in the comma form.
    """
    options: dict[str, list[str]] = {}
    current: str | None = None
    for part in text.split(";"):
        current = None
        for token in part.split(","):
            token = token.strip()
            if not token:
                continue
            if "=" in token or current is None or token.lower() in flags:
                key, _, value = token.partition("=")
                key = key.strip().lower().replace("-", "_")
                if not key:
                    raise DataError(f"{dataset}: '{token}' names no option; write KEY=VALUE (e.g. {dataset}:n=1000)")
                if key in options:
                    raise DataError(f"{dataset}: option '{key}' is given twice")
                options[key] = [value.strip()] if value.strip() else []
                current = key
            else:
                options[current].append(token)
    return options


def check_keys(options: dict[str, list[str]], valid: list[str], dataset: str) -> None:
    """A DataError naming the first unknown key and the valid ones."""
    for key in options:
        if key not in valid:
            raise DataError(f"{dataset}: unknown option '{key}'; valid options are {', '.join(valid)}")


def one_value(options: dict[str, list[str]], key: str, dataset: str) -> str:
    values = options[key]
    if len(values) != 1:
        raise DataError(f"{dataset}: option '{key}' takes one value, got {len(values)} ({','.join(values) or 'none'})")
    return values[0]


def positive_int(options: dict[str, list[str]], key: str, dataset: str, default: int, minimum: int = 1) -> int:
    """The integer value of ``key`` (``default`` when absent), at least ``minimum``."""
    if key not in options:
        return default
    text = one_value(options, key, dataset).replace("_", "")
    try:
        value = int(text)
    except ValueError:
        raise DataError(f"{dataset}: {key} must be a whole number, got '{text}'") from None
    if value < minimum:
        raise DataError(f"{dataset}: {key} must be at least {minimum}, got {value}")
    return value


def numbers(values: list[str], key: str, dataset: str) -> list[float]:
    """Parse non-negative finite numbers; a DataError names the bad one."""
    out = []
    for text in values:
        try:
            value = float(text)
        except ValueError:
            raise DataError(f"{dataset}: {key} takes numbers, got '{text}'") from None
        if not math.isfinite(value) or value < 0:
            raise DataError(f"{dataset}: {key} takes non-negative numbers, got '{text}'")
        out.append(value)
    return out
