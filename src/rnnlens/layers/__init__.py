"""Keras-compatible layers: ``from rnnlens.layers import LSTM, Dense, ...``."""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError
from .activation import Activation
from .attention import AdditiveAttention, Attention
from .base import Layer, WeightSpec
from .cells import GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells
from .convolution import Conv1D
from .core import Dense, Dropout, Flatten, Masking, RepeatVector
from .embedding import Embedding
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
from .normalization import BatchNormalization, LayerNormalization
from .pooling import (
    AveragePooling1D,
    AvgPool1D,
    GlobalAveragePooling1D,
    GlobalAvgPool1D,
    GlobalMaxPool1D,
    GlobalMaxPooling1D,
    MaxPool1D,
    MaxPooling1D,
)
from .recurrent import GRU, LSTM, Recurrent, SimpleRNN
from .reshaping import Permute, Reshape
from .rnn import RNN
from .spatial_dropout import SpatialDropout1D
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
        Embedding,
        Activation,
        Conv1D,
        MaxPooling1D,
        AveragePooling1D,
        GlobalMaxPooling1D,
        GlobalAveragePooling1D,
        BatchNormalization,
        LayerNormalization,
        Reshape,
        Permute,
        InputLayer,
        SpatialDropout1D,
        RNN,
        LSTMCell,
        GRUCell,
        SimpleRNNCell,
        StackedRNNCells,
    )
}
# Keras's short aliases: other names, same classes (configs always use the long name).
LAYER_TYPES.update(
    {
        "MaxPool1D": MaxPool1D,
        "AvgPool1D": AvgPool1D,
        "GlobalMaxPool1D": GlobalMaxPool1D,
        "GlobalAvgPool1D": GlobalAvgPool1D,
    }
)


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
    "RNN",
    "Activation",
    "Add",
    "AdditiveAttention",
    "Attention",
    "Average",
    "AveragePooling1D",
    "AvgPool1D",
    "BatchNormalization",
    "Bidirectional",
    "Concatenate",
    "Conv1D",
    "Dense",
    "Dot",
    "Dropout",
    "Embedding",
    "Flatten",
    "GRUCell",
    "GlobalAveragePooling1D",
    "GlobalAvgPool1D",
    "GlobalMaxPool1D",
    "GlobalMaxPooling1D",
    "Input",
    "InputLayer",
    "LSTMCell",
    "Layer",
    "LayerNormalization",
    "Masking",
    "MaxPool1D",
    "MaxPooling1D",
    "Maximum",
    "Minimum",
    "Multiply",
    "Permute",
    "Recurrent",
    "RepeatVector",
    "Reshape",
    "SimpleRNN",
    "SimpleRNNCell",
    "SpatialDropout1D",
    "StackedRNNCells",
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
