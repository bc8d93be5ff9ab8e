"""Models found by name. An unknown name raises an error that lists the valid choices.

The registry imports no torch: a spec names its model class by ``"module:Class"`` (or holds the
class itself), and the class is imported when a model is built, so listing the models and their
options (``genlab train --help``) stays fast.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from genlab.errors import ConfigError
from genlab.models.config import ModelConfig

if TYPE_CHECKING:
    from torch import nn


@dataclass(frozen=True)
class ModelSpec:
    """How to build a model from its config, and how to present it on the command line.

    ``model`` is the model class, or where to find it: ``"genlab.models.vae.vae:VAE"``.
    ``data_names`` are the model's own names for ``--data`` and ``--data-b``, accepted beside them
    (voice conversion: ``--source`` and ``--target``).
    """

    name: str
    model: type[nn.Module] | str
    config_cls: type[ModelConfig]
    summary: str
    examples: tuple[str, ...] = ()
    data_names: tuple[str, str] | None = None

    @property
    def model_cls(self) -> Any:
        """The model class (imported on first use)."""
        if not isinstance(self.model, str):
            return self.model
        module, _, name = self.model.partition(":")
        return getattr(importlib.import_module(module), name)


MODELS: dict[str, ModelSpec] = {}


def register_model(spec: ModelSpec) -> ModelSpec:
    MODELS[spec.name] = spec
    return spec


def get_model_spec(name: str) -> ModelSpec:
    if name not in MODELS:
        raise ConfigError(f"unknown model '{name}'; choose one of {', '.join(MODELS)}")
    return MODELS[name]


def build_model(name: str, config: ModelConfig) -> nn.Module:
    """A freshly initialized model of kind ``name`` (initialization uses torch's global RNG)."""
    spec = get_model_spec(name)
    if not isinstance(config, spec.config_cls):
        raise ConfigError(f"model '{name}' needs a {spec.config_cls.__name__}, got {type(config).__name__}")
    config.validate()
    return spec.model_cls(config)
