"""The pure-Python spec of ``torch.nn`` modules, in PyTorch's vocabulary (no torch import).

This is the one import for readers of PyTorch code and for the in-memory path:
:func:`make_module` mirrors the constructors (positional order and keyword names exactly as
``torch.nn``), the spec classes give parameters (names and shapes as
``named_parameters()``), counts and output shapes, and :class:`NetworkSpec` /
:class:`Step` describe a whole module and its ``forward``.

>>> lstm = make_module("LSTM", 2, 64, num_layers=2, batch_first=True)
>>> lstm.count_params(), lstm.formula(0), lstm.formula(1)
(50688, '4·h·(d + h) + 8·h = 4·64·(2 + 64) + 8·64 = 17,408', '4·h·(d + h) + 8·h = 4·64·(64 + 64) + 8·64 = 33,280')
>>> make_module("Linear", 64, 1).output_shapes((32, 64))
{'out': (32, 1)}
>>> make_module("Sequential", ("0", make_module("Linear", 4, 8)), ("1", make_module("ReLU"))).type_name
'Sequential'
"""

from __future__ import annotations

import inspect
from typing import Any

from ..errors import ConfigError
from .cells import CellSpec
from .modules import (
    ACTIVATIONS,
    Activation,
    Container,
    Conv1d,
    Dropout,
    Embedding,
    Flatten,
    Linear,
    MaxPool1d,
    ModuleSpec,
    Param,
    Shape,
    Size,
    Unknown,
    known,
    size_text,
)
from .network import STEP_OPS, NetworkSpec, Step
from .recurrent import GATE_ROLES, GATES, RNNSpec, StateIndex

#: torch.nn constructors' positional order (after the leading mode for recurrent modules).
_RNN_ARGS = ("input_size", "hidden_size", "num_layers")
_RNN_KWARGS = {"bias", "batch_first", "dropout", "bidirectional", "proj_size", "nonlinearity"}
_IGNORED = {"device", "dtype"}  # placement options; they change nothing this spec describes
_SIMPLE: dict[str, type[ModuleSpec]] = {
    "Linear": Linear,
    "Embedding": Embedding,
    "Conv1d": Conv1d,
    "MaxPool1d": MaxPool1d,
    "Dropout": Dropout,
    "Flatten": Flatten,
}
#: Arguments of the simple modules that this spec does not model and may safely drop.
_DROPPABLE = {
    "Embedding": {"max_norm", "norm_type", "scale_grad_by_freq", "sparse", "_weight", "_freeze"},
    "Conv1d": {"padding_mode"},
    "MaxPool1d": {"return_indices", "ceil_mode"},
    "Dropout": {"inplace"},
}
SUPPORTED = (
    "LSTM",
    "GRU",
    "RNN",
    "LSTMCell",
    "GRUCell",
    "RNNCell",
    *_SIMPLE,
    "Sequential",
    "ModuleList",
    *ACTIVATIONS,
)


def make_module(type_name: str, *args: Any, **kwargs: Any) -> ModuleSpec:
    """The spec of ``nn.<type_name>(*args, **kwargs)``, with torch's argument rules.

    Containers take their children as ``(name, spec)`` pairs (``nn.ModuleList`` children are
    named ``"0"``, ``"1"``...); a bare spec is named by its position.

    Raises:
        ConfigError: an unknown module, an argument the constructor does not take, or an
            option torch refuses; the message names the module, the argument and the fix.
    """
    kwargs = {k: v for k, v in kwargs.items() if k not in _IGNORED}
    if type_name in ("LSTM", "GRU", "RNN"):
        return RNNSpec(type_name, **_bind(type_name, _RNN_ARGS, _RNN_KWARGS, args, kwargs))
    if type_name in ("LSTMCell", "GRUCell", "RNNCell"):
        names = ("input_size", "hidden_size", "bias") + (
            ("nonlinearity",) if type_name == "RNNCell" else ()
        )
        return CellSpec(type_name[:-4], **_bind(type_name, names, set(names), args, kwargs))
    if type_name in ("Sequential", "ModuleList"):
        children = (
            args[0]
            if type_name == "ModuleList" and len(args) == 1 and isinstance(args[0], (list, tuple))
            else args
        )
        named = tuple(c if isinstance(c, tuple) else (str(i), c) for i, c in enumerate(children))
        return Container(type_name, named)
    if type_name in _SIMPLE:
        cls = _SIMPLE[type_name]
        fields = tuple(inspect.signature(cls).parameters)
        dropped = _DROPPABLE.get(type_name, set())
        kept = {k: v for k, v in kwargs.items() if k not in dropped}
        bound = _bind(type_name, fields, set(fields), args[: len(fields)], kept)
        if type_name == "Conv1d":
            bound = {k: _single(type_name, k, v) for k, v in bound.items()}
        if type_name == "MaxPool1d":
            bound = {k: _single(type_name, k, v) for k, v in bound.items()}
        return cls(**bound)
    if type_name in ACTIVATIONS:
        return Activation(type_name, dict(kwargs))
    raise ConfigError(
        f"nn.{type_name} is outside the modules rnnlens describes ({', '.join(SUPPORTED)}); "
        "its parameters and shapes are unknown"
    )


def _bind(
    type_name: str,
    positional: tuple[str, ...],
    keywords: set[str],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> dict[str, Any]:
    if len(args) > len(positional):
        raise ConfigError(
            f"nn.{type_name} takes at most {len(positional)} positional arguments "
            f"({', '.join(positional)}), received {len(args)}"
        )
    bound = dict(zip(positional, args))
    for key, value in kwargs.items():
        if key not in keywords and key not in positional:
            raise ConfigError(
                f"nn.{type_name} has no argument {key!r}; it takes {', '.join(sorted(set(positional) | keywords))}"
            )
        if key in bound:
            raise ConfigError(f"nn.{type_name} received {key!r} twice (by position and by name)")
        bound[key] = value
    return bound


def _single(type_name: str, key: str, value: Any) -> Any:
    """Conv1d/MaxPool1d accept ``3`` or ``(3,)``; ``padding="same"`` is not modelled."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        return value[0]
    if isinstance(value, str):
        raise ConfigError(f"nn.{type_name}({key}={value!r}) is not modelled: give an integer")
    return value


__all__ = [
    "GATES",
    "GATE_ROLES",
    "STEP_OPS",
    "SUPPORTED",
    "Activation",
    "CellSpec",
    "Container",
    "Conv1d",
    "Dropout",
    "Embedding",
    "Flatten",
    "Linear",
    "MaxPool1d",
    "ModuleSpec",
    "NetworkSpec",
    "Param",
    "RNNSpec",
    "Shape",
    "Size",
    "StateIndex",
    "Step",
    "Unknown",
    "known",
    "make_module",
    "size_text",
]
