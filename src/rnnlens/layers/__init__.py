"""Keras-compatible layers: ``from rnnlens.layers import LSTM, Dense, ...``."""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError
from ..show import preview
from .base import Layer, WeightSpec
from .core import Dense, Dropout, Flatten, Input, Masking, RepeatVector
from .recurrent import GRU, LSTM, Recurrent, SimpleRNN
from .wrappers import Bidirectional, TimeDistributed

#: Every layer a model file or spec may name, by Keras class name.
LAYER_TYPES: dict[str, type[Layer]] = {
    cls.__name__: cls
    for cls in (
        Input,
        LSTM,
        GRU,
        SimpleRNN,
        Bidirectional,
        Dense,
        TimeDistributed,
        RepeatVector,
        Dropout,
        Masking,
        Flatten,
    )
}


def layer_from_config(spec: dict[str, Any]) -> Layer:
    """Rebuild a layer from ``{"class_name": ..., "config": {...}}`` (never imports or runs code)."""
    if not isinstance(spec, dict) or not isinstance(spec.get("class_name"), str):
        raise ConfigError(f"a layer entry needs 'class_name' and 'config', received {spec!r:.80}")
    cls = LAYER_TYPES.get(spec["class_name"])
    if cls is None:
        raise ConfigError(
            f"unsupported layer type {preview(spec['class_name'])}; rnnlens knows: {', '.join(LAYER_TYPES)}"
        )
    config = spec.get("config", {})
    if not isinstance(config, dict):
        raise ConfigError(f"the config of a {spec['class_name']} layer must be a mapping")
    return cls.from_config(config)


__all__ = [
    "GRU",
    "LAYER_TYPES",
    "LSTM",
    "Bidirectional",
    "Dense",
    "Dropout",
    "Flatten",
    "Input",
    "Layer",
    "Masking",
    "Recurrent",
    "RepeatVector",
    "SimpleRNN",
    "TimeDistributed",
    "WeightSpec",
    "layer_from_config",
]
