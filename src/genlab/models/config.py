"""Model configurations: one dataclass per model, saved as JSON beside the weights."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import Any, Literal, Self, TypeVar

from genlab.errors import ConfigError

C = TypeVar("C", bound="ModelConfig")
NetKind = Literal["mlp", "conv"]  # encoder/decoder networks: fully connected, or convolutional for images


def option(default: Any, help: str, cli: bool = True) -> Any:
    """A config field with its command-line help; ``cli=False`` hides it from the command line."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("use a tuple for sequence defaults")
    return field(default=default, metadata={"help": help, "cli": cli})


@dataclass
class ModelConfig:
    """Base of every model's config. ``input_shape`` is filled in from the data at training time."""

    input_shape: tuple[int, ...] = option((), "shape of one example, taken from the data", cli=False)

    @classmethod
    def from_data(cls, data: Any) -> dict[str, Any]:
        """The fields the training data decides (a Dataset's shapes, classes): ``input_shape`` here."""
        return {"input_shape": tuple(data.example_shape)}

    def validate(self) -> None:
        """Raise ConfigError naming the first invalid value."""
        if not self.input_shape or any(s < 1 for s in self.input_shape):
            raise ConfigError(f"input_shape must be the positive shape of one example, got {self.input_shape}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Self:
        """Rebuild a config from :meth:`to_dict` output (JSON turns tuples into lists)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ConfigError(f"unknown {cls.__name__} fields: {', '.join(unknown)}")
        converted = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        return cls(**converted)


def literal_choices(cls: type, name: str) -> tuple[Any, ...] | None:
    """The allowed values of a Literal-typed field, or None."""
    hint = typing.get_type_hints(cls)[name]
    return typing.get_args(hint) if typing.get_origin(hint) is Literal else None


def check_choice(config: ModelConfig, name: str) -> None:
    choices = literal_choices(type(config), name)
    value = getattr(config, name)
    if choices is not None and value not in choices:
        raise ConfigError(f"{name.replace('_', '-')} must be one of {', '.join(map(str, choices))}, got {value!r}")
