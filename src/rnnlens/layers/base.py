"""The spec side of a layer: configuration, shapes and weight shapes, no torch.

A layer here is a description. It knows its options, what shape it hands on for a given input
shape, and which weight tensors it owns, so that ``summary()`` and ``explain()`` work without
allocating anything. The torch module that computes the layer is built on first use
(:attr:`Layer.module`) by the engine, reached through :mod:`rnnlens.hooks`: this module never
imports the engine (nor torch), not even lazily.
"""

from __future__ import annotations

import difflib
import inspect
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import ConfigError, ShapeError
from ..hooks import runtime
from ..naming import snake_case, unique_name
from ..shapes import Shape, ShapeOrList, as_shape, first_shape, format_shape
from .calling import call_layer
from .objects import KerasObject, serialize
from .options import regularizer_option

if TYPE_CHECKING:
    import numpy as np

    from ..nodes import Node

# Keyword arguments every Keras layer accepts.
_LAYER_KWARGS = (
    "name",
    "input_shape",
    "batch_input_shape",
    "batch_size",
    "input_dim",
    "trainable",
    "dtype",
    "activity_regularizer",
)
# Keras arguments rnnlens accepts and ignores on purpose (they change nothing it computes).
_IGNORED_KWARGS = ("unroll", "implementation", "time_major")


@dataclass(frozen=True)
class WeightSpec:
    """One weight tensor as Keras names and lays it out.

    ``name`` is Keras's (``kernel``, ``recurrent_kernel``, ``bias``), prefixed by the inner
    layer's name for wrappers (``forward_lstm/kernel``).
    """

    name: str
    shape: tuple[int, ...]
    initializer: Any  # a Keras name or a rnnlens.layers.objects.Initializer
    #: False for state the optimizer never changes (BatchNormalization's moving statistics).
    trainable: bool = True

    @property
    def size(self) -> int:
        """Number of numbers in the tensor (the product of its shape)."""
        return math.prod(self.shape)


class Layer:
    """Base class: a named, configured layer whose shapes are known once it has an input shape."""

    #: True when the layer passes a time-step mask on (Keras's ``supports_masking``).
    supports_masking: ClassVar[bool] = True
    #: True for layers called on a list of tensors (Concatenate, Add, Attention, ...).
    takes_several_inputs: ClassVar[bool] = False
    #: Keyword arguments a call may carry besides the input (``layer(x, mask=m)``).
    call_arguments: ClassVar[tuple[str, ...]] = ("mask", "training")
    #: Weightless layers Keras builds when they are created (Dropout, Masking).
    built_at_init: ClassVar[bool] = False

    def __init__(self, **kwargs: Any) -> None:
        unknown = sorted(set(kwargs) - set(_LAYER_KWARGS) - set(_IGNORED_KWARGS))
        if unknown:
            raise ConfigError(self._unknown_argument_message(unknown[0]))
        name = kwargs.get("name")
        if name is not None and (not isinstance(name, str) or not name):
            raise ConfigError(
                f"{type(self).__name__}: name must be a non-empty string, received {name!r}"
            )
        self.name: str = name or unique_name(snake_case(type(self).__name__))
        self.trainable: bool = bool(kwargs.get("trainable", True))
        self.activity_regularizer = regularizer_option(
            type(self).__name__, "activity_regularizer", kwargs.get("activity_regularizer")
        )
        self.dtype = kwargs.get("dtype")
        self.declared_input_shape: Shape | None = _declared_shape(type(self).__name__, kwargs)
        batch_size = kwargs.get("batch_size")
        if kwargs.get("batch_input_shape") is not None:
            batch_size = next(iter(kwargs["batch_input_shape"]))
        self.declared_batch_size: int | None = batch_size
        self.input_shape: ShapeOrList | None = None
        self.output_shape: ShapeOrList | None = None
        # The engine's module once built: opaque here (the spec does not know torch).
        self._module: Any = None
        #: One node per call on symbolic tensors; several for a shared layer.
        self.inbound_nodes: list[Node] = []

    # ----------------------------------------------------------------- shapes
    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        """Shape handed on for ``input_shape`` (batch first). Raises :class:`ShapeError`."""
        return input_shape

    def weight_specs(self) -> list[WeightSpec]:
        """The weight tensors, in Keras's ``get_weights()`` order. Needs an input shape."""
        return []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the layer on symbolic tensors (``y = LSTM(32)(x)``): records a node, returns
        the output tensor (a list with ``return_state=True``). See :mod:`rnnlens.nodes`."""
        return call_layer(self, list(args), kwargs)

    def check_call(self, input_shape: ShapeOrList, kwargs: dict[str, Any]) -> None:
        """Validate a call's keyword arguments (tensors as their shapes); raise ShapeError."""

    def call_output_shape(self, input_shape: ShapeOrList, kwargs: dict[str, Any]) -> ShapeOrList:
        """The output shape of one call (differs from ``compute_output_shape`` only for
        arguments such as ``return_attention_scores``)."""
        return self.compute_output_shape(input_shape)  # type: ignore[arg-type]

    def attach(self, input_shape: ShapeOrList) -> ShapeOrList:
        """Fix this layer's input shape and return its output shape (done on first call)."""
        if isinstance(input_shape, list) and not self.takes_several_inputs:
            raise ShapeError(
                f"layer '{self.name}' ({type(self).__name__}) received several tensors "
                f"{format_shape(input_shape)}; a Sequential model passes one tensor between layers: "
                "set return_state=False (or merge_mode other than None) on the layer before it"
            )
        output = self.compute_output_shape(input_shape)  # type: ignore[arg-type]
        self.input_shape, self.output_shape = input_shape, output
        self._module = None
        return output

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Give a stand-alone layer its input shape (batch first), as Keras's ``build``."""
        self.attach(tuple(input_shape))

    @property
    def built(self) -> bool:
        """Keras's ``built``: the layer knows its input shape (so its weights' shapes), or it
        is a weightless layer Keras builds at creation. Nothing is allocated for this."""
        return self.built_at_init or self.input_shape is not None

    @property
    def materialized(self) -> bool:
        """Whether the torch module (and so the weights' memory) exists yet."""
        return self._module is not None

    def count_params(self) -> int:
        """Number of weights, counted as Keras counts them."""
        self._require_input_shape("count_params()")
        return sum(spec.size for spec in self.weight_specs())

    # ---------------------------------------------------------------- weights
    @property
    def module(self) -> Any:
        """The ``torch.nn.Module`` computing this layer, built (and initialised) on first use."""
        if self._module is None:
            self._require_input_shape("building its weights")
            self._module = runtime().build_layer_module(self)
        return self._module

    def get_weights(self) -> list[np.ndarray]:
        """Weights as numpy arrays, in Keras's order and layout."""
        return runtime().get_layer_weights(self)

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Load weights given in Keras's order and layout (shapes are checked)."""
        runtime().set_layer_weights(self, weights)

    @property
    def weights(self) -> list[Any]:
        """Every weight tensor, in ``get_weights()`` order (Keras's ``layer.weights``)."""
        return [p for p, _ in self._variables()]

    @property
    def trainable_weights(self) -> list[Any]:
        """The weights ``fit`` updates: none when this layer or one around it is frozen."""
        return [p for p, trains in self._variables() if trains]

    @property
    def non_trainable_weights(self) -> list[Any]:
        """The weights ``fit`` leaves alone (``trainable=False``)."""
        return [p for p, trains in self._variables() if not trains]

    def _variables(self) -> list[tuple[Any, bool]]:
        if self.input_shape is None:
            return []
        return runtime().layer_variables(self)

    # ----------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this layer (Keras's ``get_config``)."""
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable}
        if self.dtype is not None:
            config["dtype"] = self.dtype
        for name in self._constructor_arguments():
            value = getattr(self, name)
            if isinstance(value, Layer):
                value = serialize_layer(value)
            config[name] = serialize(value) if isinstance(value, KerasObject) else value
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Rebuild a layer from :meth:`get_config`'s output (unknown keys raise ConfigError)."""
        return cls(**config)

    @classmethod
    def _constructor_arguments(cls) -> list[str]:
        names: list[str] = []
        for klass in cls.__mro__:
            if klass is Layer or "__init__" not in vars(klass):
                continue
            for param in inspect.signature(vars(klass)["__init__"]).parameters.values():
                if param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL) or param.name == "self":
                    continue
                if param.name not in names:
                    names.append(param.name)
        return names

    # ------------------------------------------------------------------ helpers
    def describe(self) -> str:
        """``layer 'lstm_1' (LSTM)``: how error messages name this layer."""
        return f"layer '{self.name}' ({type(self).__name__})"

    def _require_input_shape(self, doing: str) -> None:
        if self.input_shape is None:
            raise ShapeError(
                f"{self.describe()} has no input shape yet, needed for {doing}: add it to a model "
                "that starts with input_shape=... or Input(shape=...), or call layer.build(shape)"
            )

    def _unknown_argument_message(self, argument: str) -> str:
        known = [*self._constructor_arguments(), *_LAYER_KWARGS]
        close = difflib.get_close_matches(argument, known, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; it accepts: {', '.join(known)}"
        return f"{type(self).__name__} got an unknown argument '{argument}'{hint}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} '{self.name}' output={format_shape(self.output_shape) if self.output_shape else '?'}>"


def _declared_shape(layer_type: str, kwargs: dict[str, Any]) -> Shape | None:
    """Read ``input_shape`` / ``batch_input_shape`` / ``input_dim`` as Keras 2 did."""
    if kwargs.get("batch_input_shape") is not None:
        full = as_shape(
            tuple(kwargs["batch_input_shape"])[1:], what=f"{layer_type} batch_input_shape"
        )
        return full
    if kwargs.get("input_shape") is not None:
        return as_shape(kwargs["input_shape"], what=f"{layer_type} input_shape")
    if kwargs.get("input_dim") is not None:
        return as_shape((kwargs["input_dim"],), what=f"{layer_type} input_dim")
    return None


def require_rank(layer: Layer, input_shape: Shape, rank: int, expected: str) -> None:
    """Raise a :class:`ShapeError` naming the layer when ``input_shape`` has the wrong rank."""
    if len(input_shape) != rank:
        raise ShapeError(
            f"{layer.describe()} expects input {expected}, received shape {format_shape(input_shape)}"
        )


def serialize_layer(layer: Layer) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}`` as Keras writes it."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def positive_int(layer_type: str, argument: str, value: object) -> int:
    """Validate counts such as ``units``: a plain positive integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(
            f"{layer_type}: {argument} must be a positive integer, received {value!r}"
        )
    return value


def fraction(layer_type: str, argument: str, value: object) -> float:
    """Validate rates such as ``dropout``: a number in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ConfigError(
            f"{layer_type}: {argument} must be a number in [0, 1), received {value!r}"
        )
    return float(value)


__all__ = [
    "Layer",
    "WeightSpec",
    "first_shape",
    "fraction",
    "positive_int",
    "require_rank",
    "serialize_layer",
]
