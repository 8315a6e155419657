"""Keras-compatible layers: ``from rnnlens.layers import LSTM, Dense, ...``."""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError
from .attention import AdditiveAttention, Attention
from .base import Layer, WeightSpec
from .core import Dense, Dropout, Flatten, Masking, RepeatVector
from .input import Input, InputLayer
from .merge import (
    MERGE_LAYERS,
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from .recurrent import GRU, LSTM, Recurrent, SimpleRNN
from .wrappers import Bidirectional, TimeDistributed

#: Every layer a model file or spec may name, by Keras class name.
LAYER_TYPES: dict[str, type[Layer]] = {
    cls.__name__: cls
    for cls in (
        InputLayer,
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
        *MERGE_LAYERS,
        Attention,
        AdditiveAttention,
    )
}


# Files written before the functional API name the input entry "Input".
LAYER_TYPES["Input"] = InputLayer


def layer_from_config(spec: dict[str, Any]) -> Layer:
    """Rebuild a layer from ``{"class_name": ..., "config": {...}}`` (never imports or runs code)."""
    if not isinstance(spec, dict) or not isinstance(spec.get("class_name"), str):
        raise ConfigError(f"a layer entry needs 'class_name' and 'config', received {spec!r:.80}")
    cls = LAYER_TYPES.get(spec["class_name"])
    if cls is None:
        raise ConfigError(
            f"unsupported layer type {spec['class_name']!r}; rnnlens knows: {', '.join(LAYER_TYPES)}"
        )
    config = spec.get("config", {})
    if not isinstance(config, dict):
        raise ConfigError(f"the config of a {spec['class_name']} layer must be a mapping")
    return cls.from_config(config)


__all__ = [
    "GRU",
    "LAYER_TYPES",
    "LSTM",
    "Add",
    "AdditiveAttention",
    "Attention",
    "Average",
    "Bidirectional",
    "Concatenate",
    "Dense",
    "Dot",
    "Dropout",
    "Flatten",
    "Input",
    "InputLayer",
    "Layer",
    "Masking",
    "Maximum",
    "Minimum",
    "Multiply",
    "Recurrent",
    "RepeatVector",
    "SimpleRNN",
    "Subtract",
    "TimeDistributed",
    "WeightSpec",
    "add",
    "average",
    "concatenate",
    "dot",
    "layer_from_config",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]
