"""Building one Keras layer or model for the reader: symbols for data sizes, legacy calls.

``LSTM(64, input_shape=(X_train.shape[1], X_train.shape[2]))`` arrives with values from
outside the model; here they become :class:`~rnnlens.symbolic.Size` symbols, Keras 0/1/2
calls go through ``layers.legacy``, and models are made through the installed runtime (the
reader never imports the facade).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from ..graph import SequentialSpec as Sequential
from ..hooks import runtime
from ..layers import LAYER_TYPES, Layer
from .budget import ReadFailure
from .expressions import as_size
from .values import Skipped, Unknown

if TYPE_CHECKING:
    from .evaluator import Evaluator


SIZE_KEYWORDS = frozenset(
    [
        "units",
        "input_dim",
        "output_dim",
        "input_length",
        "input_shape",
        "batch_input_shape",
        "shape",
        "batch_shape",
        "filters",
        "kernel_size",
        "pool_size",
        "strides",
        "n",
        "target_shape",
        "dims",
        "size",
        "rate",
    ]
)


def new_sequential(name: str | None = None) -> Sequential:
    """An empty model of the user-facing class (installed by the package; no facade import)."""
    cls = runtime().model_class("sequential")
    model = cls(None, name)
    assert isinstance(model, Sequential)
    return model


def new_functional(inputs: Any, outputs: Any, name: str | None = None) -> Any:
    """``Model(inputs, outputs)`` of the user-facing class, on the model graph's tensors."""
    return runtime().model_class("functional")(inputs, outputs, name=name)


def call_on_graph(layer: Any, inputs: Any, kwargs: dict[str, Any]) -> Any:
    return layer(inputs, **kwargs)  # the model graph's Layer.__call__


def shape_of_unknown(value: Unknown, layer: str, key: str) -> tuple[Any, ...]:
    """``input_shape=X_train.shape[1:]``: as many data sizes as the layer's input has axes."""
    rank = 1 if layer in ("Dense", "Embedding", "Dropout", "BatchNormalization") else 2
    label = value.label
    if label.endswith("[1:]"):
        names = [f"{label[:-4]}[{i + 1}]" for i in range(rank)]
    else:
        names = [f"{label}[{i}]" for i in range(rank)]
    shape = tuple(as_size(Unknown(n)) for n in names)
    return (None, *shape) if key.startswith("batch") else shape


def size_argument(value: Any) -> Any:
    if isinstance(value, Unknown):
        return as_size(value)
    if isinstance(value, tuple):
        return tuple(size_argument(v) for v in value)
    if isinstance(value, list):
        return [size_argument(v) for v in value]
    return value


def construct(
    name: str, args: list[Any], kwargs: dict[str, Any], notes: list[str], node: ast.AST
) -> Layer:
    try:
        from ..layers.legacy import build_legacy_layer  # the layers room's translator, when present
    except ImportError:
        cls = LAYER_TYPES.get(name)
        if cls is None:
            raise ReadFailure(
                node,
                f"'{name}' is not a layer rnnlens knows ({', '.join(LAYER_TYPES)})",
                hard=True,
            ) from None
        return cls(*args, **kwargs)
    layer, legacy_notes = build_legacy_layer(name, args, kwargs)
    notes.extend(f"line {getattr(node, 'lineno', '?')}: {n}" for n in legacy_notes)
    return layer


def input_rank(layer: Layer) -> int:
    kind = type(layer).__name__
    inner = getattr(layer, "layer", None)
    if kind in ("Dense", "Dropout", "RepeatVector", "BatchNormalization") and inner is None:
        return 1
    return 1 if kind == "Embedding" else 2


def meaning(names: list[str]) -> str:
    parts = {"T": "T = time steps", "F": "F = features per step"}
    return ", ".join(parts.get(n, n) for n in names)


def skipped(ev: Evaluator, node: ast.AST, what: str) -> Skipped:
    ev.skip(node, what)
    return Skipped(what)


def snippet_value(value: Any) -> str:
    from .budget import preview
    from .values import describe_value

    return (
        describe_value(value)
        if not isinstance(value, (int, float, str, tuple, list))
        else preview(value, 40)
    )
