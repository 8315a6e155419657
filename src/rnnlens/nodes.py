"""The edges and vertices of a model graph: symbolic tensors and the layer calls that make them.

Calling a layer on a :class:`SymbolicTensor` (``y = LSTM(32)(x)``) computes no numbers: it
records a :class:`Node` — which layer was called, on which tensors, with which keyword
arguments (``initial_state=[h, c]``) — and hands back new symbolic tensors whose shapes the
layer inferred. Each tensor remembers where it came from (``layer``, ``node_index``,
``tensor_index``: Keras's ``keras_history``), so a model can walk back from its outputs to its
inputs. A layer called twice has two nodes and one set of weights (a shared layer).

>>> import rnnlens as rl
>>> from rnnlens.layers import LSTM
>>> x = rl.Input(shape=(10, 2), name="x")
>>> seq, h, c = LSTM(4, return_sequences=True, return_state=True, name="enc")(x)
>>> seq.shape, h.shape, h.history
((None, 10, 4), (None, 4), ('enc', 0, 1))
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .shapes import Shape, ShapeOrList, format_shape

if TYPE_CHECKING:
    from .layers import Layer


class SymbolicTensor:
    """A tensor of known shape (batch first) and no values: an edge of the model graph."""

    def __init__(
        self, shape: Shape, dtype: str, layer: Layer, node_index: int, tensor_index: int
    ) -> None:
        self.shape = shape
        self.dtype = dtype
        #: The layer whose call produced this tensor, and where in its nodes and outputs.
        self.layer = layer
        self.node_index = node_index
        self.tensor_index = tensor_index

    @property
    def node(self) -> Node:
        """The call that produced this tensor."""
        return self.layer.inbound_nodes[self.node_index]

    @property
    def history(self) -> tuple[str, int, int]:
        """``(layer name, node index, tensor index)``, Keras's ``keras_history``."""
        return (self.layer.name, self.node_index, self.tensor_index)

    @property
    def name(self) -> str:
        """How Keras's summary names the tensor: ``lstm[0][1]``."""
        return f"{self.layer.name}[{self.node_index}][{self.tensor_index}]"

    def __iter__(self) -> Iterator[SymbolicTensor]:
        from .errors import ShapeError

        raise ShapeError(
            f"tensor {self.name} {format_shape(self.shape)} is one tensor and cannot be "
            "unpacked: give the layer return_state=True to receive its states too"
        )

    def __repr__(self) -> str:
        return f"<SymbolicTensor {self.name} shape={format_shape(self.shape)}>"


@dataclass(eq=False)
class Node:
    """One call of a layer: its arguments (tensors inside) and the tensors it produced.

    ``args`` and ``kwargs`` keep the call as written (``concatenate([a, b])`` has one list
    argument), so a saved model can write Keras's ``inbound_nodes`` and the engine can feed
    the same structure to the layer's module.
    """

    layer: Layer
    args: list[Any]
    kwargs: dict[str, Any]
    outputs: list[SymbolicTensor] = field(default_factory=list)

    @property
    def input_tensors(self) -> list[SymbolicTensor]:
        """Every tensor the call reads, positional arguments first (Keras's order)."""
        return list(flatten_tensors([self.args, list(self.kwargs.values())]))

    @property
    def parents(self) -> list[Node]:
        """The nodes whose outputs this node reads."""
        return [tensor.node for tensor in self.input_tensors]

    @property
    def index(self) -> int:
        """This node's position in its layer's ``inbound_nodes``."""
        return self.layer.inbound_nodes.index(self)

    @property
    def is_input(self) -> bool:
        """Whether this is an ``Input``'s node (a graph entry point)."""
        return not self.args and not self.kwargs

    @property
    def input_shape(self) -> ShapeOrList:
        """The main argument's shape: one shape, or a list for a list of tensors."""
        main = self.args[0]
        if isinstance(main, (list, tuple)):
            return [t.shape for t in main]
        return main.shape

    @property
    def output_shape(self) -> ShapeOrList:
        """One shape, or a list when the layer hands on several tensors."""
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 and not self.layer_returns_list else shapes

    @property
    def layer_returns_list(self) -> bool:
        return isinstance(self.layer.output_shape, list)


def flatten_tensors(value: Any) -> Iterator[SymbolicTensor]:
    """Every :class:`SymbolicTensor` inside nested lists, tuples and dict values, in order."""
    if isinstance(value, SymbolicTensor):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from flatten_tensors(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from flatten_tensors(item)


def map_tensors(value: Any, function: Any) -> Any:
    """``value`` with every symbolic tensor replaced by ``function(tensor)``."""
    if isinstance(value, SymbolicTensor):
        return function(value)
    if isinstance(value, (list, tuple)):
        return [map_tensors(item, function) for item in value]
    if isinstance(value, dict):
        return {key: map_tensors(item, function) for key, item in value.items()}
    return value
