"""Building blocks shared by models: no losses here, only networks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from torch import nn

from genlab.errors import ConfigError
from genlab.nets.conv import ConvDecoder, ConvEncoder, downsampling_plan
from genlab.nets.mlp import MLP, FlatMLP

NetKind = Literal["mlp", "conv"]


def build_encoder(
    net: NetKind, in_shape: Sequence[int], out_dim: int, hidden: Sequence[int], channels: Sequence[int]
) -> nn.Module:
    """A network mapping examples shaped ``in_shape`` to vectors of ``out_dim``."""
    if net == "mlp":
        return FlatMLP(in_shape, hidden, (out_dim,))
    _require_image(in_shape)
    return ConvEncoder(in_shape, channels, hidden, out_dim)


def build_decoder(
    net: NetKind, in_dim: int, out_shape: Sequence[int], hidden: Sequence[int], channels: Sequence[int]
) -> nn.Module:
    """A network mapping vectors of ``in_dim`` to outputs shaped ``out_shape`` (mirrors the encoder)."""
    if net == "mlp":
        return FlatMLP((in_dim,), tuple(reversed(hidden)), out_shape)
    _require_image(out_shape)
    return ConvDecoder(in_dim, channels, hidden, out_shape)


def _require_image(shape: Sequence[int]) -> None:
    if len(shape) != 3:
        raise ConfigError(f"--net conv needs images (C, H, W), but examples are shaped {tuple(shape)}; use --net mlp")


__all__ = ["MLP", "ConvDecoder", "ConvEncoder", "FlatMLP", "NetKind", "build_decoder", "build_encoder", "downsampling_plan"]
