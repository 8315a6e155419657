"""``RNN(cell)``: Keras's generic recurrent layer, the loop around one cell or a stack of cells."""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError, ShapeError
from ..shapes import Shape, ShapeOrList, format_shape
from .base import Layer, WeightSpec
from .cells import Cell, StackedRNNCells
from .recurrent import Recurrent


class RNN(Layer):
    """Runs ``cell`` over the time axis: ``(batch, time, d)`` -> ``(batch, units)``.

    ``cell`` is an ``LSTMCell``, ``GRUCell``, ``SimpleRNNCell``, a ``StackedRNNCells`` or a
    list of cells (stacked). The loop options are Keras's: ``return_sequences`` (every step
    ``(batch, time, units)``), ``return_state`` (then a list ``[output, *states]``, the
    states of every cell in order, flattened), ``go_backwards`` (read the sequence reversed
    and hand it on in that order), ``stateful``. ``RNN(LSTMCell(u))`` computes exactly what
    ``LSTM(u)`` computes; a stack of cells exactly what the matching stack of layers with
    ``return_sequences=True`` computes. Weights are the cells', named ``<cell>/kernel``
    (``<stack>/<cell>/kernel`` for a stack), in order.

    >>> from rnnlens.layers import GRUCell
    >>> layer = RNN(GRUCell(4), return_sequences=True)
    >>> layer.build((None, 5, 3))
    >>> layer.output_shape, layer.count_params()
    ((None, 5, 4), 108)

    Raises:
        ConfigError: ``cell`` is not a cell rnnlens has (custom cells are Python code).
        ShapeError: an input that is not ``(batch, time, features)``.
    """

    def __init__(
        self,
        cell: Cell | StackedRNNCells | list[Cell],
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(list(cell))
        if not isinstance(cell, (Cell, StackedRNNCells)):
            raise ConfigError(
                "RNN(cell): cell must be LSTMCell, GRUCell, SimpleRNNCell or StackedRNNCells, "
                f"received {type(cell).__name__} (custom cells are Python code rnnlens does not run)"
            )
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)  # changes speed only, never the numbers
        self.zero_output_for_mask = bool(zero_output_for_mask)
        cells = cell.cells if isinstance(cell, StackedRNNCells) else [cell]
        prefix = f"{cell.name}/" if isinstance(cell, StackedRNNCells) else ""
        self.prefixes = [f"{prefix}{c.name}/" for c in cells]
        # One recurrent layer per cell, each reading every step of the one before; the
        # engine flips the input once for go_backwards, so none of them reverses on its own.
        last = len(cells) - 1
        self.chain: list[Recurrent] = [
            c.recurrent_layer(
                return_sequences=self.return_sequences or i < last, stateful=self.stateful
            )
            for i, c in enumerate(cells)
        ]

    @property
    def units(self) -> int:
        """Width of the output: the last cell's units."""
        return self.chain[-1].units

    def as_recurrent(self) -> Recurrent:
        """The LSTM/GRU/SimpleRNN that computes this RNN of one cell, loop options included
        (how ``Bidirectional(RNN(LSTMCell(u)))`` runs)."""
        if len(self.chain) != 1:
            raise ConfigError(
                f"{self.describe()} stacks {len(self.chain)} cells; it is no single layer"
            )
        cell = self.cell.cells[0] if isinstance(self.cell, StackedRNNCells) else self.cell
        layer = cell.recurrent_layer(
            return_sequences=self.return_sequences,
            return_state=self.return_state,
            go_backwards=self.go_backwards,
            stateful=self.stateful,
        )
        layer.name = self.name
        return layer

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ShapeError(
                f"{self.describe()} expects input (batch, time, features) with a known feature "
                f"size, received shape {format_shape(input_shape)}"
            )
        shape: ShapeOrList = input_shape
        for layer in self.chain:
            shape = layer.attach(shape)
        batch = input_shape[0]
        states = [(batch, layer.units) for layer in self.chain for _ in layer.state_names]
        return [shape, *states] if self.return_state else shape  # type: ignore[list-item]

    def weight_specs(self) -> list[WeightSpec]:
        self._require_input_shape("its weight shapes")
        return [
            WeightSpec(prefix + spec.name, spec.shape, spec.initializer, spec.trainable)
            for prefix, layer in zip(self.prefixes, self.chain)
            for spec in layer.weight_specs()
        ]

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("unroll", None)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        from . import layer_from_config

        config = dict(config)
        cell = config.get("cell")
        if isinstance(cell, list):
            config["cell"] = [layer_from_config(entry) for entry in cell]
        elif isinstance(cell, dict):
            config["cell"] = layer_from_config(cell)
        else:
            raise ConfigError("an RNN config needs its cell under 'cell'")
        return cls(**config)
