"""Tensors of the functional API as the reader follows them, and models made from them.

``x = keras.Input(shape=(10, 2))``; ``y = LSTM(32)(x)``; ``Model(x, y)``. The reader tracks
which layer made each tensor. A model whose tensors form one chain from one input becomes a
Sequential model (the same layers, shapes and counts); branches, merges and shared layers
are the model graph's (``rnnlens.graph``), used when it is present.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from ..layers import Input, Layer
from ..shapes import ShapeOrList
from .budget import ReadFailure
from .values import Unknown


@dataclass(eq=False)
class Tensor:
    """A symbolic tensor: its shape (batch first), the layer that made it and that layer's inputs.

    ``lazy`` marks the input of a subclassed model nobody gave a shape: the first layer that
    reads it decides its rank.
    """

    shape: ShapeOrList | None
    layer: Layer | None = None
    inputs: list[Tensor] = field(default_factory=list)
    lazy: bool = False


def make_input(layer: Input) -> Tensor:
    """The tensor ``keras.Input(...)`` returns (its layer is kept for Sequential([Input, ...]))."""
    return Tensor((layer.declared_batch_size, *layer.shape), layer)


def call_layer(layer: Layer, inputs: Any, kwargs: dict[str, Any], node: ast.AST) -> Any:
    """``layer(inputs, **kwargs)`` on tensors: the output tensor(s), shapes computed."""
    if kwargs.get("initial_state") is not None or isinstance(inputs, (list, tuple)):
        raise ReadFailure(
            node,
            f"'{layer.name}' is called with several tensors (merges, initial_state): that needs "
            "the model graph (rnnlens.graph), which this reader does not have yet",
            hard=True,
        )
    if not isinstance(inputs, Tensor) or inputs.shape is None:
        what = f"'{inputs.label}'" if isinstance(inputs, Unknown) else "something"
        raise ReadFailure(
            node,
            f"'{layer.name}' is called on {what}, which is not a tensor of the model "
            "(not defined in the file, or data)",
            hard=True,
        )
    if isinstance(inputs.shape, list):
        raise ReadFailure(node, f"'{layer.name}' is called on several tensors at once", hard=True)
    shape = layer.compute_output_shape(inputs.shape)
    if isinstance(shape, list):
        first = Tensor(shape[0], layer, [inputs])
        return [first, *[Tensor(s, layer, [first]) for s in shape[1:]]]
    return Tensor(shape, layer, [inputs])


def chain(inputs: Any, outputs: Any, node: ast.AST) -> tuple[Tensor, list[Layer]]:
    """The input tensor and the layers from it to ``outputs``, when they form one chain."""
    if isinstance(inputs, (list, tuple)) and len(inputs) == 1:
        inputs = inputs[0]
    if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
        outputs = outputs[0]
    if not isinstance(inputs, Tensor) or not isinstance(outputs, Tensor):
        raise ReadFailure(
            node,
            "Model(inputs, outputs) with several inputs or outputs needs the model graph "
            "(rnnlens.graph), which this reader does not have yet",
            hard=True,
        )
    layers: list[Layer] = []
    current = outputs
    while current is not inputs:
        if current.layer is None or not current.inputs or isinstance(current.layer, Input):
            raise ReadFailure(node, "the model's outputs do not come from its inputs", hard=True)
        if current.layer in layers:
            raise ReadFailure(
                node, f"layer '{current.layer.name}' is used twice (shared)", hard=True
            )
        if current.inputs[0].layer is current.layer:
            raise ReadFailure(
                node,
                f"the model's output is a state of '{current.layer.name}' (return_state): that "
                "needs the model graph (rnnlens.graph)",
                hard=True,
            )
        layers.insert(0, current.layer)
        current = current.inputs[0]
    return inputs, layers
