"""Recurrent cells (one time step) for ``RNN(cell)``: LSTMCell, GRUCell, SimpleRNNCell, and
StackedRNNCells.

A cell holds the options of one step; :class:`~rnnlens.layers.rnn.RNN` owns the loop over
time. Each cell states which recurrent layer runs the same step (``LSTMCell`` -> ``LSTM``),
so ``RNN(LSTMCell(n))`` computes exactly what ``LSTM(n)`` computes, fused kernel included.
A cell on its own is not a layer of a model: it has no time axis to loop over.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..errors import ConfigError
from ..shapes import Shape, ShapeOrList
from .base import Layer
from .recurrent import GRU, LSTM, Recurrent, SimpleRNN

_CELL_LAYER_KWARGS = (
    "name",
    "trainable",
    "dtype",
    "input_shape",
    "batch_input_shape",
    "batch_size",
    "input_dim",
)
# Loop options belong to RNN(...), not to a cell.
_LOOP_OPTIONS = ("return_sequences", "return_state", "go_backwards", "stateful")


class Cell(Layer):
    """Base of the single cells: the options are validated by the matching recurrent layer."""

    #: The recurrent layer that loops this cell.
    layer_class: ClassVar[type[Recurrent]]

    def __init__(self, units: int, **options: Any) -> None:
        kind = type(self).__name__
        common = {k: options.pop(k) for k in _CELL_LAYER_KWARGS if k in options}
        for key in _LOOP_OPTIONS:
            if key in options:
                raise ConfigError(f"{kind} got an unknown argument '{key}'; it belongs to RNN(...)")
        options.pop("seed", None)  # seeds only pick initial weights
        super().__init__(**common)
        self._options = options
        try:  # the matching layer validates every option (named, so no auto name is used up)
            checked = self.layer_class(units, name=self.name, **options)
        except ConfigError as error:
            raise ConfigError(str(error).replace(self.layer_class.__name__, kind, 1)) from None
        self.units = checked.units
        for key, value in checked.get_config().items():
            if key not in (*_LOOP_OPTIONS, "name", "trainable", "dtype"):
                setattr(self, key, value)

    @property
    def state_size(self) -> list[int]:
        """Width of each carried state (h, and c for LSTMCell)."""
        return [self.units] * len(self.layer_class.state_names)

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        raise ConfigError(
            f"{self.describe()} computes one time step; wrap it to loop over time: "
            f"RNN({type(self).__name__}({self.units}))"
        )

    def recurrent_layer(self, **loop: Any) -> Recurrent:
        """The recurrent layer running this cell at every step, named after the cell."""
        options = {k: getattr(self, k) for k in self._constructor_arguments() if k != "units"}
        return self.layer_class(
            self.units, name=self.name, trainable=self.trainable, **options, **loop
        )


class LSTMCell(Cell):
    """One LSTM step (gates i, f, c, o); ``RNN(LSTMCell(u))`` is ``LSTM(u)``.

    >>> from rnnlens.layers import RNN
    >>> layer = RNN(LSTMCell(32))
    >>> layer.build((None, 10, 64))
    >>> layer.count_params(), layer.weight_specs()[0].name
    (12416, 'lstm_cell/kernel')
    """

    layer_class = LSTM

    def __init__(
        self,
        units: int,
        activation: str | None = "tanh",
        recurrent_activation: str | None = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: str = "glorot_uniform",
        recurrent_initializer: str = "orthogonal",
        bias_initializer: str = "zeros",
        unit_forget_bias: bool = True,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            **kwargs,
        )


class GRUCell(Cell):
    """One GRU step (gates z, r, h); ``RNN(GRUCell(u))`` is ``GRU(u)``."""

    layer_class = GRU

    def __init__(
        self,
        units: int,
        activation: str | None = "tanh",
        recurrent_activation: str | None = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: str = "glorot_uniform",
        recurrent_initializer: str = "orthogonal",
        bias_initializer: str = "zeros",
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        reset_after: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            reset_after=reset_after,
            **kwargs,
        )


class SimpleRNNCell(Cell):
    """One fully connected step ``h = tanh(x W + h U + b)``; ``RNN(SimpleRNNCell(u))`` is
    ``SimpleRNN(u)``."""

    layer_class = SimpleRNN

    def __init__(
        self,
        units: int,
        activation: str | None = "tanh",
        use_bias: bool = True,
        kernel_initializer: str = "glorot_uniform",
        recurrent_initializer: str = "orthogonal",
        bias_initializer: str = "zeros",
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            **kwargs,
        )


class StackedRNNCells(Layer):
    """Several cells run one after the other inside each step: cell k reads cell k-1's output.

    Over a whole sequence this equals stacking the matching recurrent layers with
    ``return_sequences=True`` (the step order does not change any number), which is how the
    engine runs it. Weights: each cell's, in order, named ``stacked_rnn_cells/<cell>/kernel``.

    >>> from rnnlens.layers import RNN
    >>> layer = RNN(StackedRNNCells([LSTMCell(8), GRUCell(4)]))
    >>> layer.build((None, 5, 3))
    >>> layer.output_shape, layer.count_params()
    ((None, 4), 552)
    """

    def __init__(self, cells: list[Cell], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(cells, (list, tuple)) or not cells:
            raise ConfigError("StackedRNNCells needs a non-empty list of cells, e.g. [LSTMCell(8)]")
        for cell in cells:
            if not isinstance(cell, Cell):
                raise ConfigError(
                    "StackedRNNCells takes LSTMCell, GRUCell or SimpleRNNCell objects, received "
                    f"{type(cell).__name__}"
                )
        self.cells = list(cells)

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        raise ConfigError(
            f"{self.describe()} computes one time step; wrap it: RNN(StackedRNNCells([...]))"
        )

    def get_config(self) -> dict[str, Any]:
        from .base import serialize_layer

        return {
            "name": self.name,
            "trainable": self.trainable,
            "cells": [serialize_layer(c) for c in self.cells],
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        from . import layer_from_config

        config = dict(config)
        cells = config.get("cells")
        if not isinstance(cells, list):
            raise ConfigError("a StackedRNNCells config needs a list under 'cells'")
        config["cells"] = [layer_from_config(entry) for entry in cells]
        return cls(**config)
