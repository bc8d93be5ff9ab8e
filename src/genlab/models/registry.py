"""Models found by name. An unknown name raises an error that lists the valid choices."""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from genlab.errors import ConfigError
from genlab.models.config import ModelConfig


@dataclass(frozen=True)
class ModelSpec:
    """How to build a model from its config, and how to present it on the command line."""

    name: str
    model_cls: type[nn.Module]
    config_cls: type[ModelConfig]
    summary: str
    examples: tuple[str, ...] = ()


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
