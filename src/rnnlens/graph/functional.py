"""``Functional``: a model whose layers form a graph, Keras 3's functional API.

``Functional(inputs, outputs)`` walks back from the outputs to the inputs through the nodes
the layer calls recorded, checks that every path ends at one of the inputs, and orders nodes
and layers as Keras does. A model with no inputs yet (a subclass that wires its layers in
``call()``) is built on first use by calling ``call`` on symbolic inputs.

>>> import rnnlens as rl
>>> from rnnlens.layers import LSTM, Dense, concatenate
>>> a, b = rl.Input(shape=(5, 3), name="a"), rl.Input(shape=(5, 2), name="b")
>>> merged = concatenate([LSTM(4, name="la")(a), LSTM(4, name="lb")(b)])
>>> model = Functional([a, b], Dense(1, name="out")(merged), name="two")
>>> [layer.name for layer in model.layers], model.count_params(), model.output_shape
(['a', 'b', 'la', 'lb', 'concatenate', 'out'], 249, (None, 1))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..layers import InputLayer
from ..nodes import Node, SymbolicTensor
from ..shapes import ShapeOrList
from .model import ModelSpec
from .topology import map_graph

if TYPE_CHECKING:
    from ..layers import Layer


class Functional(ModelSpec):
    """Layers connected by symbolic tensors, from ``inputs`` to ``outputs``."""

    def __init__(
        self, inputs: Any = None, outputs: Any = None, name: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(name=name, **kwargs)
        self.inputs: list[SymbolicTensor] = []
        self.outputs: list[SymbolicTensor] = []
        #: Every node of the model, each after the nodes it reads (inputs' nodes first).
        self.nodes: list[Node] = []
        self._single_input = self._single_output = True
        #: True for a subclassed model, whose graph came from calling its ``call()``.
        self.built_by_call = False
        if inputs is not None or outputs is not None:
            self._connect(inputs, outputs)

    def _default_name(self) -> str:
        return "functional"

    @property
    def built(self) -> bool:
        """Whether the graph is known (a subclassed model learns it on first build)."""
        return bool(self.outputs)

    def _connect(self, inputs: Any, outputs: Any) -> None:
        if inputs is None or outputs is None:
            raise ConfigError(
                "Model needs both inputs= and outputs=, e.g. Model(inputs=x, outputs=y) "
                "where x = rl.Input(shape=...) and y is computed from x"
            )
        self._single_input = isinstance(inputs, SymbolicTensor)
        self._single_output = isinstance(outputs, SymbolicTensor)
        self.inputs = _tensors(inputs, "inputs")
        self.outputs = _tensors(outputs, "outputs")
        for index, tensor in enumerate(self.inputs):
            if not isinstance(tensor.layer, InputLayer):
                raise ConfigError(
                    f"Model input #{index} is {tensor.name}, the output of layer "
                    f"'{tensor.layer.name}' ({type(tensor.layer).__name__}), not an Input: "
                    "pass the rl.Input(shape=...) tensors the model starts from"
                )
        self.nodes, layers = map_graph(self.inputs, self.outputs)
        self._reindex(self._listed_layers(layers))
        self._graph_changed()

    def _listed_layers(self, layers: list[Layer]) -> list[Layer]:
        """What ``model.layers`` holds: Keras lists a functional model's InputLayers too."""
        return layers

    # ---------------------------------------------------------------- shapes
    @property
    def input_shape(self) -> ShapeOrList:
        """The input's shape, batch first; a list for several inputs."""
        self._require_built()
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if self._single_input and len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> ShapeOrList:
        """The output's shape; a list for several outputs."""
        self._require_built()
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if self._single_output and len(shapes) == 1 else shapes

    @property
    def input_names(self) -> list[str]:
        """The input layers' names, the keys ``predict`` accepts in a dict."""
        return [t.layer.name for t in self.inputs]

    def as_chain(self) -> list[Layer] | None:
        """The layers in order when the graph is a plain chain (one input, each node reading
        the previous node's only output, one output), else None."""
        steps = [node for node in self.nodes if not node.is_input]
        if len(self.inputs) != 1 or len(self.outputs) != 1:
            return None
        previous = self.inputs[0]
        for node in steps:
            if node.kwargs or node.input_tensors != [previous] or len(node.outputs) != 1:
                return None
            previous = node.outputs[0]
        return [node.layer for node in steps] if previous is self.outputs[0] else None

    def chain_config(self) -> dict[str, Any] | None:
        """A chain as a Sequential config (``Input`` entry first), or None for a graph."""
        from ..layers.base import serialize_layer

        chain = self.as_chain()
        if chain is None:
            return None
        batch, *shape = self.inputs[0].shape
        entry = {"class_name": "Input", "config": {"shape": shape, "batch_size": batch}}
        return {"name": self.name, "layers": [entry, *(serialize_layer(x) for x in chain)]}

    def weighted_layers(self) -> list[Layer]:
        return [layer for layer in self.layers if not isinstance(layer, InputLayer)]

    def _require_built(self) -> None:
        if not self.outputs:
            raise ConfigError(
                f"model '{self.name}' is not built yet: call model.build((None, time, features)) "
                "or run it once on data (model.predict(x))"
            )

    def _require_layers(self) -> None:
        self._require_built()
        super()._require_layers()

    # ---------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        """Keras's functional config: ``layers`` with ``inbound_nodes``, ``input_layers``,
        ``output_layers`` (each ``[layer name, node index, tensor index]``)."""
        from .serialize import functional_config

        return functional_config(self)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        """Rebuild the layers and replay their calls (plain data: nothing is imported or run)."""
        from .serialize import functional_from_config

        inputs, outputs, name = functional_from_config(config)
        return cls(inputs, outputs, name=name)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} '{self.name}' layers={[layer.name for layer in self.layers]}>"
        )


def _tensors(value: Any, what: str) -> list[SymbolicTensor]:
    if isinstance(value, dict):
        value = list(value.values())
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    if not items:
        raise ConfigError(f"Model {what} is empty: give at least one tensor")
    for index, item in enumerate(items):
        if not isinstance(item, SymbolicTensor):
            raise ConfigError(
                f"Model {what} #{index} is {type(item).__name__}, not a symbolic tensor: pass "
                "tensors made by rl.Input(...) and by calling layers on them"
            )
    return items
