"""``SequentialSpec``: a stack of layers whose shapes are known as soon as they are added."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ShapeError
from ..layers import (
    Bidirectional,
    InputLayer,
    Layer,
    Recurrent,
    RepeatVector,
    layer_from_config,
)
from ..layers.base import serialize_layer
from ..nodes import SymbolicTensor
from ..shapes import Shape, ShapeOrList, first_shape, format_shape
from .functional import Functional

_PACKAGE = str(Path(__file__).resolve().parents[1])


def _first_caller_outside_rnnlens() -> int:
    """The ``stacklevel`` that makes a warning point at the user's line, however many
    rnnlens frames (``Sequential([...])``, ``add``, a subclass's ``__init__``) lie between."""
    level, frame = 1, sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level


class IgnoredInputShapeWarning(UserWarning):
    """``input_shape`` given to a layer that is not the first: Keras ignores it silently."""


class SequentialSpec(Functional):
    """A linear stack of layers, built with Keras's API and semantics (no weights here).

    It is a chain on the same graph as a functional model: each ``add`` calls the layer on
    the previous layer's output tensor, so nodes, shapes and the engine are shared with
    :class:`~rnnlens.graph.functional.Functional`. ``layers`` excludes the input, as Keras's.

    >>> from rnnlens.layers import LSTM
    >>> model = SequentialSpec(name="story")
    >>> model.add(LSTM(64, return_sequences=True, input_shape=(10, 2)))
    >>> model.add(LSTM(32))
    >>> [layer.output_shape for layer in model.layers], model.count_params()
    ([(None, 10, 64), (None, 32)], 29568)
    """

    def __init__(self, layers: Iterable[Layer] | None = None, name: str | None = None) -> None:
        super().__init__(name=name)
        #: The Input given explicitly (``Sequential([Input(...), ...])``), else None.
        self.input_layer: InputLayer | None = None
        # The entry of the chain: the explicit Input, or one made from the first layer's
        # input_shape (as Keras 3 makes one); not listed in ``layers``.
        self._entry: InputLayer | None = None
        if layers is not None and (
            isinstance(layers, (Layer, str, bytes)) or not hasattr(layers, "__iter__")
        ):
            raise ConfigError(
                "Sequential expects a list of layers, e.g. Sequential([LSTM(32), Dense(1)]), "
                f"received {type(layers).__name__}"
            )
        for layer in layers or []:
            self.add(layer)

    def _default_name(self) -> str:
        return "sequential"

    # ------------------------------------------------------------ building
    def add(self, layer: Layer | SymbolicTensor) -> None:
        """Append ``layer``; its input is the previous layer's output."""
        if isinstance(layer, SymbolicTensor) and isinstance(layer.layer, InputLayer):
            layer = layer.layer  # Sequential([Input(shape=...), ...]), as Keras 3
        if not isinstance(layer, Layer):
            raise ConfigError(
                f"Sequential.add expects a layer such as LSTM(32), received {type(layer).__name__}"
            )
        if isinstance(layer, InputLayer):
            if self.layers or self.input_layer is not None:
                raise ConfigError("Input(...) must come first in a Sequential model")
            self.input_layer = self._entry = layer
            self.inputs = [layer.output]
            return
        if layer.name in self._by_name:
            raise ConfigError(f"a layer named '{layer.name}' is already in model '{self.name}'")
        if self._entry is None:
            if layer.declared_input_shape is None or self.layers:
                # As Keras 3: without an input shape the model is built by its first data;
                # until then its layers wait, unattached, in order.
                self._index_layer(layer)
                self._graph_changed()
                return
            self._entry = InputLayer(
                shape=layer.declared_input_shape, batch_size=layer.declared_batch_size
            )
            self.inputs = [self._entry.output]
        elif layer.declared_input_shape is not None:
            self._warn_ignored_input_shape(layer, self._current_output_shape())
        previous = self.outputs[0] if self.layers else self._entry.output
        previous_shape = self._current_output_shape()
        try:
            if isinstance(previous_shape, list):
                layer.attach(previous_shape)  # refuses with the Sequential's own message
            output = layer(previous)
        except ShapeError as error:
            raise ShapeError(f"{error}{self._stacking_hint(layer, previous_shape)}") from None
        node = layer.inbound_nodes[-1]
        self.nodes.append(node)
        self.outputs = output if isinstance(output, list) else [output]
        self._single_output = not isinstance(output, list)
        self._index_layer(layer)
        self._graph_changed()

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self.layers:
            raise ConfigError(f"model '{self.name}' has no layers to pop")
        layer = self.layers.pop()
        del self._by_name[layer.name]
        node = self.nodes.pop()
        if layer.inbound_nodes and layer.inbound_nodes[-1] is node:
            layer.inbound_nodes.pop()  # only the last: other nodes' indices must not move
        if self.nodes:
            self.outputs = list(self.nodes[-1].outputs)
            self._single_output = len(self.outputs) == 1 and not isinstance(
                self.nodes[-1].layer.output_shape, list
            )
        else:
            self.outputs, self._single_output = [], True
        self._graph_changed()
        return layer

    @property
    def built(self) -> bool:
        """Whether the model knows its input (Keras 3 builds an unbuilt one on its first data)."""
        return self._entry is not None and bool(self.layers)

    def build(self, input_shape: ShapeOrList) -> None:
        """Give a model created without an input shape its input (batch first), as Keras's
        ``build``: the layers are called in turn, so a shape error names the layer."""
        if self._entry is not None:
            return
        if isinstance(input_shape, list):
            raise ShapeError(
                f"model '{self.name}' is a Sequential: it takes one input, received the shapes "
                f"{format_shape(input_shape)}; use rl.Model for several inputs"
            )
        pending = list(self.layers)
        self._reindex([])
        batch, *shape = tuple(input_shape)
        self._entry = InputLayer(shape=tuple(shape), batch_size=batch)
        self.inputs = [self._entry.output]
        try:
            for layer in pending:
                self.add(layer)
        except ShapeError as error:
            for layer in pending:  # back to unbuilt, as before the call
                layer.input_shape = layer.output_shape = None
                layer.inbound_nodes.clear()
            self._entry, self.inputs, self.nodes, self.outputs = None, [], [], []
            self._reindex(pending)
            raise ShapeError(
                f"{error} (the model was built for input {tuple(input_shape)})"
            ) from None
        self._graph_changed()
        self._model_built()

    def _build_for(self, x: Any) -> None:
        """Build an unbuilt model from the shape of its first data ``x``, batch left open."""
        if self.built:
            return
        self._require_layers()
        shape = getattr(x, "shape", None)
        if shape is None:
            raise ShapeError(
                f"model '{self.name}' has no input shape yet and cannot learn it from a "
                f"{type(x).__name__}: call model.build((None, time, features)) first"
            )
        self.build((None, *tuple(shape)[1:]))

    def _current_output_shape(self) -> ShapeOrList:
        if self.layers:
            return self.nodes[-1].output_shape
        assert self._entry is not None
        return self._entry.output.shape

    def _warn_ignored_input_shape(self, layer: Layer, received: ShapeOrList) -> None:
        declared = layer.declared_input_shape
        assert declared is not None
        real = first_shape(received)[1:]
        agreement = "agrees with" if tuple(declared) == tuple(real) else "contradicts"
        warnings.warn(
            f"{layer.describe()}: input_shape={format_shape(declared)} is ignored (it {agreement} "
            f"what the layer receives). Only the first layer's input_shape counts; this layer "
            f"receives the output of '{self.layers[-1].name if self.layers else 'Input'}', shape "
            f"{format_shape(received)}. Remove input_shape from this layer.",
            IgnoredInputShapeWarning,
            stacklevel=_first_caller_outside_rnnlens(),
        )

    def _stacking_hint(self, layer: Layer, received: ShapeOrList) -> str:
        """The fix for the most common stacking mistakes, appended to a shape error."""
        if not self.layers:
            return ""
        previous = self.layers[-1]
        if isinstance(received, list):
            option = (
                "return_state=True"
                if getattr(previous, "return_state", False)
                else "merge_mode=None"
            )
            return f" ('{previous.name}' has {option}; only the last layer of a Sequential may)"
        shape = first_shape(received)
        wants_sequence = isinstance(layer, (Recurrent, Bidirectional)) or type(layer).__name__ in (
            "TimeDistributed",
            "Masking",
        )
        if wants_sequence and len(shape) == 2:
            if isinstance(previous, (Recurrent, Bidirectional)):
                return (
                    f", i.e. (batch, units), from '{previous.name}', which hands on only its last step: add "
                    f"return_sequences=True to '{previous.name}' so it hands on every step "
                    f"(batch, time, {shape[-1]})"
                )
            return f": put RepeatVector(n) after '{previous.name}' to turn (batch, features) into (batch, n, features)"
        if isinstance(layer, RepeatVector) and len(shape) == 3 and isinstance(previous, Recurrent):
            return f": set return_sequences=False on '{previous.name}' so it hands on its last step only"
        return ""

    # ------------------------------------------------------------- shapes
    @property
    def input_shape(self) -> Shape:
        """The model's input shape, batch first (``(None, time, features)``)."""
        if self._entry is None:
            self._require_layers()
            raise ShapeError(
                f"model '{self.name}' has not been built yet: it learns its input shape from its "
                "first fit/predict/call, or give the first layer input_shape=... or start with "
                "Input(shape=...)"
            )
        return self._entry.output.shape

    @property
    def output_shape(self) -> ShapeOrList:
        """The last layer's output shape (a list when it hands on several tensors)."""
        self._require_layers()
        return self.nodes[-1].output_shape

    def weighted_layers(self) -> list[Layer]:
        return self.layers

    def _require_layers(self) -> None:
        if not self.layers:
            raise ConfigError(
                f"model '{self.name}' has no layers yet: add some with model.add(...)"
            )

    # -------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        """``{"name": ..., "layers": [{"class_name": ..., "config": ...}, ...]}`` as Keras writes it."""
        layers = [serialize_layer(layer) for layer in self.layers]
        if self._entry is not None:
            # Like Keras 3: the input shape lives in the model (an input entry), even when it
            # was given as input_shape= on the first layer.
            batch, *shape = self._entry.output.shape
            entry: dict[str, Any] = {"shape": list(shape), "batch_size": batch}
            if self.input_layer is not None:
                entry["name"] = self.input_layer.name
            layers.insert(0, {"class_name": "Input", "config": entry})
        return {"name": self.name, "layers": layers}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        """Rebuild a model from :meth:`get_config` (plain data: nothing is imported or run)."""
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ConfigError("a Sequential config needs a list under 'layers'")
        return cls([layer_from_config(spec) for spec in config["layers"]], name=config.get("name"))

    def __repr__(self) -> str:
        return f"<Sequential '{self.name}' layers={[layer.name for layer in self.layers]}>"
