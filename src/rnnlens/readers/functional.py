"""Tensors of the functional API as the reader follows them, and models made from them.

``x = keras.Input(shape=(10, 2))``; ``y = LSTM(32)(x)``; ``Model(x, y)``. When rnnlens's model
graph is present (:data:`GRAPH_TENSOR`, ``rnnlens.nodes.SymbolicTensor``), layers are called on
its symbolic tensors and ``Model(inputs, outputs)`` is its functional model: branches,
merges, ``initial_state=``, shared layers. Without it, the reader tracks which layer made
each :class:`Tensor`, and a model whose tensors form one chain from one input becomes a
Sequential model (the same layers, shapes and counts).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from ..layers import LAYER_TYPES, Layer
from ..shapes import ShapeOrList
from .budget import ReadFailure
from .values import Unknown


def _graph_tensor_type() -> type | None:
    try:
        from ..nodes import SymbolicTensor  # the model graph (rnnlens.graph), when present
    except ImportError:
        return None
    return SymbolicTensor


#: The model graph's symbolic tensor class, or None where this build has no functional graph.
GRAPH_TENSOR = _graph_tensor_type()
#: The input layer classes (``Input`` is a class without the graph, a function with it).
INPUT_TYPES: tuple[type, ...] = tuple(
    t for t in {LAYER_TYPES.get("Input"), LAYER_TYPES.get("InputLayer")} if isinstance(t, type)
)


def is_graph_tensor(value: Any) -> bool:
    """A symbolic tensor of the model graph, or a list/tuple holding one."""
    if GRAPH_TENSOR is None:
        return False
    if isinstance(value, (list, tuple)):
        return any(is_graph_tensor(v) for v in value)
    return isinstance(value, GRAPH_TENSOR)


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
    #: Once a lazy input is settled with the model graph present: its symbolic tensor.
    graph: Any = None


def make_input(layer: Layer) -> Any:
    """The tensor ``keras.Input(...)`` returns (its layer is kept for Sequential([Input, ...]))."""
    output = getattr(layer, "output", None)
    if is_graph_tensor(output):
        return output
    batch = getattr(layer, "batch_size", None) or layer.declared_batch_size
    return Tensor((batch, *layer.shape), layer)  # type: ignore[attr-defined]


def graph_input(value: Any) -> Any:
    """A root :class:`Tensor` (an input the reader made) as the model graph's input, if present."""
    if GRAPH_TENSOR is None or not isinstance(value, Tensor):
        return value
    if value.graph is None and value.layer is None and not value.inputs and not value.lazy:
        assert isinstance(value.shape, tuple)
        input_layer = LAYER_TYPES.get("InputLayer")
        if input_layer is not None:
            made = input_layer(shape=value.shape[1:], batch_size=value.shape[0])
            value.graph = getattr(made, "output", None)
    return value.graph if value.graph is not None else value


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
        if current.layer is None or not current.inputs or isinstance(current.layer, INPUT_TYPES):
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
