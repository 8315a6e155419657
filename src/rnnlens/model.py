"""``Sequential``: a stack of layers whose shapes are known as soon as they are added."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, ShapeError
from .layers import Bidirectional, Input, Layer, Recurrent, RepeatVector
from .limits import MAX_LAYERS
from .naming import unique_name
from .shapes import Shape, ShapeOrList, first_shape, format_shape

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np
    import torch

    from .engine.sequential import SequentialModule
    from .explain.flow import Flow
    from .train.history import History


class IgnoredInputShapeWarning(UserWarning):
    """``input_shape`` given to a layer that is not the first: Keras ignores it silently."""


class Sequential:
    """A linear stack of layers, built with Keras's API and semantics.

    >>> from rnnlens.layers import LSTM
    >>> model = Sequential(name="story")
    >>> model.add(LSTM(64, return_sequences=True, input_shape=(10, 2)))
    >>> model.add(LSTM(32))
    >>> [layer.output_shape for layer in model.layers], model.count_params()
    ([(None, 10, 64), (None, 32)], 29568)
    """

    def __init__(self, layers: Iterable[Layer] | None = None, name: str | None = None) -> None:
        self.name = name or unique_name("sequential")
        self.layers: list[Layer] = []
        self.input_layer: Input | None = None
        self._module: SequentialModule | None = None
        self._training: Any = None  # set by compile(); see rnnlens.train
        self._names: set[str] = set()  # add() checks names in O(1): 10,000 layers stay fast
        if layers is not None and (
            isinstance(layers, (Layer, str, bytes)) or not hasattr(layers, "__iter__")
        ):
            raise ConfigError(
                "Sequential expects a list of layers, e.g. Sequential([LSTM(32), Dense(1)]), "
                f"received {type(layers).__name__}"
            )
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------ building
    def _layer_names(self) -> set[str]:
        # self.layers is a public list: when someone changed it by hand, recount.
        if len(self._names) != len(self.layers):
            self._names = {existing.name for existing in self.layers}
        return self._names

    def add(self, layer: Layer) -> None:
        """Append ``layer``; its input is the previous layer's output."""
        if not isinstance(layer, Layer):
            raise ConfigError(
                f"Sequential.add expects a layer such as LSTM(32), received {type(layer).__name__}"
            )
        if isinstance(layer, Input):
            if self.layers or self.input_layer is not None:
                raise ConfigError("Input(...) must come first in a Sequential model")
            self.input_layer = layer
            return
        if layer.name in self._layer_names():
            raise ConfigError(f"a layer named '{layer.name}' is already in model '{self.name}'")
        previous_shape = self._current_output_shape()
        if previous_shape is None:
            if layer.declared_input_shape is None:
                raise ShapeError(
                    f"the first layer {layer.describe()} needs to know its input: give it "
                    "input_shape=(time, features), or start the model with Input(shape=(time, features))"
                )
            previous_shape = (layer.declared_batch_size, *layer.declared_input_shape)
        elif layer.declared_input_shape is not None:
            self._warn_ignored_input_shape(layer, previous_shape)
        try:
            layer.attach(previous_shape)
        except ShapeError as error:
            raise ShapeError(f"{error}{self._stacking_hint(layer, previous_shape)}") from None
        self.layers.append(layer)
        self._names.add(layer.name)
        self._module = None

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self.layers:
            raise ConfigError(f"model '{self.name}' has no layers to pop")
        self._module = None
        return self.layers.pop()

    def _current_output_shape(self) -> ShapeOrList | None:
        if self.layers:
            return self.layers[-1].output_shape
        if self.input_layer is not None:
            return (self.input_layer.batch_size, *self.input_layer.shape)
        return None

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
            stacklevel=3,
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
        if self.input_layer is not None:
            return (self.input_layer.batch_size, *self.input_layer.shape)
        self._require_layers()
        shape = self.layers[0].input_shape
        assert isinstance(shape, tuple)
        return shape

    @property
    def output_shape(self) -> ShapeOrList:
        """The last layer's output shape (a list when it hands on several tensors)."""
        self._require_layers()
        shape = self.layers[-1].output_shape
        assert shape is not None
        return shape

    def count_params(self) -> int:
        """Total number of weights (Keras's count: one bias per gate)."""
        return sum(layer.count_params() for layer in self.layers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or position, as Keras's ``get_layer``."""
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ConfigError(
            f"model '{self.name}' has no layer '{name}'; it has {[layer.name for layer in self.layers]}"
        )

    def summary(self, print_fn: Any = None, line_length: int | None = None) -> None:
        """Print Keras's table: Layer (type) | Output Shape | Param #, and the totals."""
        from .summary import render_summary

        text = render_summary(self, line_length=line_length)
        (print_fn or print)(text)

    def _require_layers(self) -> None:
        if not self.layers:
            raise ConfigError(
                f"model '{self.name}' has no layers yet: add some with model.add(...)"
            )

    # ------------------------------------------------------- weights, engine
    @property
    def module(self) -> SequentialModule:
        """A ``torch.nn.Module`` computing this model (sharing the layers' parameters)."""
        if self._module is None:
            self._require_layers()
            from .engine.sequential import SequentialModule

            self._module = SequentialModule(self)
        return self._module

    def get_weights(self) -> list[np.ndarray]:
        """All weights as numpy arrays, layer by layer, in Keras's order and layout."""
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Load weights in Keras's order and layout, as returned by Keras's ``get_weights()``."""
        from .engine.weights import set_model_weights

        set_model_weights(self, weights)

    def to(self, device: str | torch.device) -> Sequential:
        """Move the weights to ``device`` (``"cpu"``, ``"cuda"``, ...), as ``nn.Module.to``."""
        self.module.to(device)
        return self

    def reset_states(self) -> None:
        """Forget the carried states of stateful recurrent layers."""
        from .engine.sequential import reset_states

        reset_states(self)

    def predict(self, x: Any, batch_size: int | None = 32, verbose: int = 0) -> Any:
        """Numpy in, numpy out (a list for several outputs). Runs in inference mode."""
        from .engine.predict import predict

        return predict(self, x, batch_size=batch_size)

    def __call__(self, x: torch.Tensor) -> Any:
        return self.module(x)

    # --------------------------------------------------- other capabilities
    def explain(self, **options: Any) -> Flow:
        """The data flow, layer by layer and step by step; ``print()`` it or render it."""
        from .explain.flow import build_flow

        return build_flow(self, **options)

    def diagram(self, path: str | Path | None = None, **options: Any) -> str:
        """The unrolled time × layer diagram as SVG text, also written to ``path`` if given."""
        from .explain.svg import write_diagram

        return write_diagram(self, path, **options)

    def compile(
        self, optimizer: Any = "adam", loss: Any = "mse", metrics: Any = None, **options: Any
    ) -> None:
        """Choose optimizer, loss and metrics, as Keras's ``compile``."""
        from .train.compile import compile_model

        compile_model(self, optimizer=optimizer, loss=loss, metrics=metrics, **options)

    def fit(self, x: Any = None, y: Any = None, **options: Any) -> History:
        """Train, as Keras's ``fit``; returns a :class:`History`."""
        from .train.loop import fit

        return fit(self, x, y, **options)

    def evaluate(self, x: Any = None, y: Any = None, **options: Any) -> Any:
        """Loss (and metrics) on data, as Keras's ``evaluate``."""
        from .train.loop import evaluate

        return evaluate(self, x, y, **options)

    def train_on_batch(self, x: Any, y: Any) -> Any:
        """One optimisation step on one batch; returns the loss."""
        from .train.loop import train_on_batch

        return train_on_batch(self, x, y)

    def save(self, path: str | Path) -> None:
        """Write config JSON + safetensors weights (never pickle), atomically."""
        from .io.native import save_model

        save_model(self, path)

    def report(self, x: Any, path: str | Path, **options: Any) -> Path:
        """Write the offline HTML report for inputs ``x``; returns its path."""
        from .report import write_report

        return write_report(self, x, path, **options)

    def get_config(self) -> dict[str, Any]:
        """``{"name": ..., "layers": [{"class_name": ..., "config": ...}, ...]}`` as Keras writes it."""
        from .layers.base import serialize_layer

        layers = [serialize_layer(layer) for layer in self.layers]
        if self.input_layer is not None:
            layers.insert(0, {"class_name": "Input", "config": self.input_layer.get_config()})
        elif self.layers and isinstance(self.layers[0].input_shape, tuple):
            # Like Keras 3: the shape given as input_shape= on the first layer lives in the
            # model, not in that layer's config, so an Input entry carries it.
            batch, *shape = self.layers[0].input_shape
            entry = {"shape": list(shape), "batch_size": batch}
            layers.insert(0, {"class_name": "Input", "config": entry})
        return {"name": self.name, "layers": layers}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Sequential:
        """Rebuild a model from :meth:`get_config` (plain data: nothing is imported or run)."""
        from .layers import layer_from_config

        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ConfigError("a Sequential config needs a list under 'layers'")
        if len(config["layers"]) > MAX_LAYERS:
            raise ConfigError(
                f"the config lists {len(config['layers']):,} layers, more than the "
                f"{MAX_LAYERS:,} rnnlens builds; a config that large is damaged or hostile"
            )
        return cls([layer_from_config(spec) for spec in config["layers"]], name=config.get("name"))

    def __repr__(self) -> str:
        return f"<Sequential '{self.name}' layers={[layer.name for layer in self.layers]}>"
