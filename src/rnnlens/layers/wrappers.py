"""Wrappers that reuse another layer: Bidirectional and TimeDistributed."""

from __future__ import annotations

import copy
from typing import Any

from ..errors import ConfigError, ShapeError
from ..shapes import Shape, ShapeOrList, format_shape
from .base import Layer, WeightSpec, require_rank, serialize_layer
from .input import InputLayer
from .recurrent import Recurrent, check_initial_state

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy of it backwards, then merges the two.

    The backward copy has ``go_backwards`` flipped; with ``return_sequences`` its output is
    flipped back so that step t of both directions lines up. ``merge_mode`` decides what is
    handed on: ``concat`` (width ``2u``), ``sum``, ``mul``, ``ave`` (width ``u``) or ``None``
    (a list of both outputs). Parameters: twice the wrapped layer's.

    >>> from rnnlens.layers import LSTM
    >>> layer = Bidirectional(LSTM(32, return_sequences=True))
    >>> layer.build((None, 10, 2))
    >>> layer.output_shape, layer.count_params()
    ((None, 10, 64), 8960)
    """

    def __init__(
        self,
        layer: Layer,
        merge_mode: str | None = "concat",
        backward_layer: Layer | None = None,
        **kwargs: Any,
    ) -> None:
        given, given_backward = layer, backward_layer
        layer = _as_recurrent(layer)  # RNN(LSTMCell(u)) runs as LSTM(u)
        backward_layer = None if backward_layer is None else _as_recurrent(backward_layer)
        if not isinstance(layer, Recurrent):
            raise ConfigError(
                "Bidirectional wraps a recurrent layer (LSTM, GRU, SimpleRNN, or RNN of one "
                f"cell), received {type(layer).__name__}"
            )
        if merge_mode not in MERGE_MODES:
            raise ConfigError(
                f"Bidirectional: unknown merge_mode {merge_mode!r}; choose one of concat, sum, mul, ave, None"
            )
        super().__init__(**kwargs)
        if self.declared_input_shape is None:
            self.declared_input_shape = layer.declared_input_shape
        self.layer = given
        self.merge_mode = merge_mode
        self.given_backward_layer = given_backward
        self.forward = _renamed_copy(layer, f"forward_{layer.name}", layer.go_backwards)
        if backward_layer is None:
            # As Keras 3: the copy reads backwards, so a layer that already does is refused.
            if layer.go_backwards:
                raise ConfigError(
                    f"Bidirectional({type(layer).__name__}(..., go_backwards=True)): the wrapper "
                    "already runs a copy backwards; remove go_backwards=True from the wrapped layer"
                )
            self.backward = _renamed_copy(layer, f"backward_{layer.name}", True)
        else:
            _check_pair(layer, backward_layer)
            self.backward = _renamed_copy(
                backward_layer, f"backward_{backward_layer.name}", backward_layer.go_backwards
            )

    call_arguments = ("mask", "training", "initial_state")

    def check_call(self, input_shape: ShapeOrList, kwargs: dict[str, Any]) -> None:
        names = tuple(
            f"{direction}_{name}"
            for direction in ("forward", "backward")
            for name in self.forward.state_names
        )
        check_initial_state(self, kwargs.get("initial_state"), names, self.forward.units)

    @property
    def trainable(self) -> bool:
        """Whether ``fit`` updates this layer; setting it sets both directions too (as Keras)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for inner in (self.__dict__.get("forward"), self.__dict__.get("backward")):
            if inner is not None:
                inner.trainable = bool(value)

    @property
    def forward_layer(self) -> Recurrent:
        """The forward direction (a copy of ``layer`` named ``forward_<name>``), as Keras."""
        return self.forward

    @property
    def backward_layer(self) -> Recurrent:
        """The backward direction (``go_backwards`` flipped, named ``backward_<name>``)."""
        return self.backward

    @property
    def states(self) -> list[Any]:
        """The forward direction's carried states, then the backward's."""
        return [*self.forward.states, *self.backward.states]

    def reset_states(self) -> None:
        """Forget both directions' carried states."""
        self.forward.reset_states()
        self.backward.reset_states()

    def reset_state(self) -> None:
        """Keras 3's spelling of :meth:`reset_states`."""
        self.reset_states()

    @property
    def return_sequences(self) -> bool:
        """The wrapped layer's option (both directions share it)."""
        return self.forward.return_sequences

    @property
    def return_state(self) -> bool:
        """The wrapped layer's option: hand on forward states, then backward states."""
        return self.forward.return_state

    def attach(self, input_shape: ShapeOrList) -> ShapeOrList:
        # The two directions read the same input; give each its shapes too.
        self.forward.attach(input_shape)
        self.backward.attach(input_shape)
        return super().attach(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        inner = self.forward.compute_output_shape(input_shape)
        back = self.backward.compute_output_shape(input_shape)
        out, states = (inner[0], inner[1:]) if isinstance(inner, list) else (inner, [])
        back_out, back_states = (back[0], back[1:]) if isinstance(back, list) else (back, [])
        if out[-1] != back_out[-1] and self.merge_mode in ("sum", "mul", "ave"):
            raise ShapeError(
                f"{self.describe()}: merge_mode={self.merge_mode!r} needs both directions of one width, "
                f"received {format_shape(out)} and {format_shape(back_out)}"
            )
        if self.merge_mode is None:
            merged: list[Shape] = [out, back_out]
        elif self.merge_mode == "concat":
            last = out[-1]
            assert isinstance(last, int) and isinstance(back_out[-1], int)
            merged = [(*out[:-1], last + back_out[-1])]
        else:
            merged = [out]
        if not self.return_state and len(merged) == 1:
            return merged[0]
        return [*merged, *states, *back_states]

    def weight_specs(self) -> list[WeightSpec]:
        return [
            WeightSpec(f"{inner.name}/{spec.name}", spec.shape, spec.initializer, spec.trainable)
            for inner in (self.forward, self.backward)
            for spec in inner.weight_specs()
        ]

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        if self.given_backward_layer is None:
            config.pop("backward_layer", None)
        else:
            config["backward_layer"] = serialize_layer(self.given_backward_layer)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        from . import layer_from_config

        config = dict(config)
        config["layer"] = layer_from_config(config["layer"])
        if config.get("backward_layer") is not None:
            config["backward_layer"] = layer_from_config(config["backward_layer"])
        return cls(**config)


class TimeDistributed(Layer):
    """Applies the same layer to every time step: ``(batch, time, ...)`` -> ``(batch, time, ...)``.

    The wrapped layer sees one step at a time, ``(batch, ...)``: any single-output layer,
    including a recurrent one (``TimeDistributed(LSTM(8))`` on ``(batch, time, steps, d)``
    runs the LSTM over the inner ``steps`` of every outer step). The time-step mask passes on.

    >>> from rnnlens.layers import Dense
    >>> layer = TimeDistributed(Dense(3))
    >>> layer.build((None, 5, 8))
    >>> layer.output_shape, layer.count_params()
    ((None, 5, 3), 27)
    """

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        if not isinstance(layer, Layer) or isinstance(layer, InputLayer):
            raise ConfigError(
                f"TimeDistributed wraps a layer such as Dense(3) or LSTM(8); received {type(layer).__name__}"
            )
        super().__init__(**kwargs)
        if self.declared_input_shape is None:
            # Keras 2 read the wrapped layer's input_shape (Keras 3 ignores it: a legacy note)
            self.declared_input_shape = layer.declared_input_shape
        self.layer = layer

    @property
    def trainable(self) -> bool:
        """Whether ``fit`` updates this layer; setting it sets the wrapped layer's too (as Keras)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        if "layer" in self.__dict__:
            self.layer.trainable = bool(value)

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        if len(input_shape) < 3:
            require_rank(self, input_shape, 3, "(batch, time, features)")
        inner = self.layer.attach((input_shape[0], *input_shape[2:]))
        if isinstance(inner, list):
            raise ShapeError(
                f"{self.describe()}: the wrapped {self.layer.describe()} hands on several "
                f"tensors {format_shape(inner)}; TimeDistributed needs one (set return_state=False)"
            )
        return (input_shape[0], input_shape[1], *inner[1:])

    def weight_specs(self) -> list[WeightSpec]:
        return self.layer.weight_specs()

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        from . import layer_from_config

        config = dict(config)
        config["layer"] = layer_from_config(config["layer"])
        return cls(**config)


def _check_pair(forward: Recurrent, backward: object) -> None:
    """Keras's rules for an explicit ``backward_layer``."""
    if not isinstance(backward, Recurrent):
        raise ConfigError(
            f"Bidirectional: backward_layer must be LSTM, GRU or SimpleRNN, received {type(backward).__name__}"
        )
    if backward.go_backwards == forward.go_backwards:
        raise ConfigError(
            "Bidirectional: backward_layer must have go_backwards opposite to the forward "
            f"layer's (both are {forward.go_backwards})"
        )
    for option in ("stateful", "return_sequences", "return_state"):
        if getattr(forward, option) != getattr(backward, option):
            raise ConfigError(
                f"Bidirectional: layer and backward_layer must agree on {option} "
                f"({getattr(forward, option)} vs {getattr(backward, option)})"
            )


def _as_recurrent(layer: Any) -> Any:
    """The recurrent layer an ``RNN`` of one cell runs as; anything else unchanged."""
    from .rnn import RNN

    if isinstance(layer, RNN) and len(layer.chain) == 1:
        return layer.as_recurrent()
    return layer


def _renamed_copy(layer: Recurrent, name: str, go_backwards: bool) -> Recurrent:
    clone = copy.copy(layer)
    clone.name = name
    clone.go_backwards = go_backwards
    clone._module = None
    clone.inbound_nodes = []
    return clone


def weight_owners(layer: Layer, trainable: bool = True) -> list[tuple[Layer, bool]]:
    """The layers that own ``layer``'s weights, each with whether it trains (Keras's rule).

    A wrapper's weights belong to the layers inside it (Bidirectional's two directions,
    TimeDistributed's layer); a weight trains only when its layer and every layer around it
    have ``trainable=True``.

    >>> from rnnlens.layers import LSTM
    >>> wrapper = Bidirectional(LSTM(2, name="encoder"), trainable=False)
    >>> [(owner.name, trains) for owner, trains in weight_owners(wrapper)]
    [('forward_encoder', False), ('backward_encoder', False)]
    """
    trainable = trainable and layer.trainable
    if isinstance(layer, Bidirectional):
        return [*weight_owners(layer.forward, trainable), *weight_owners(layer.backward, trainable)]
    if isinstance(layer, TimeDistributed):
        return weight_owners(layer.layer, trainable)
    return [(layer, trainable)]
