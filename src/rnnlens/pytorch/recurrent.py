"""``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN`` and their cells, in PyTorch's own vocabulary.

Pure Python (no torch): parameter names and shapes exactly as ``module.named_parameters()``
lists them, counts, output shapes, and which index of ``h_n`` is which layer and direction.

The math, per layer ``k`` and direction (``G`` gates: 4 for LSTM rows i, f, g, o; 3 for GRU
rows r, z, n; 1 for RNN)::

    weight_ih_l{k}  (G·h, d_k)     d_0 = input_size, d_k = num_directions · (proj_size or h)
    weight_hh_l{k}  (G·h, p)       p = proj_size or h
    bias_ih_l{k}, bias_hh_l{k}  (G·h,)
    weight_hr_l{k}  (proj_size, h) only when proj_size > 0
    count = G·h·(d_k + p) + 2·G·h [+ proj_size·h]      LSTM(2, 64): 4·64·(2 + 64) + 8·64 = 17,408

``h_n`` is ``(num_layers · num_directions, batch, p)`` and ``c_n`` ``(num_layers ·
num_directions, batch, h)``; index ``layer · num_directions + direction``. ``batch_first``
changes the input and ``out`` only, never ``h_n`` / ``c_n``.

>>> lstm = RNNSpec("LSTM", 2, 64, num_layers=2, batch_first=True, bidirectional=True)
>>> [(p.name, p.shape) for p in lstm.parameters()][:2]
[('weight_ih_l0', (256, 2)), ('weight_hh_l0', (256, 64))]
>>> lstm.count_params(), lstm.output_shapes((32, 10, 2))
(134144, {'out': (32, 10, 128), 'h_n': (4, 32, 64), 'c_n': (4, 32, 64)})
>>> [(row.index, row.layer, row.direction) for row in lstm.state_index()][:2]
[(0, 0, 'forward'), (1, 0, 'backward')]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import ConfigError, ShapeError
from .modules import ModuleSpec, Param, Shape, Size, check_features, known, size_text

GATES = {"LSTM": ("i", "f", "g", "o"), "GRU": ("r", "z", "n"), "RNN": ("h",)}
GATE_ROLES = {
    "i": "input gate",
    "f": "forget gate",
    "g": "cell candidate",
    "o": "output gate",
    "r": "reset gate",
    "z": "update gate",
    "n": "new-state candidate",
    "h": "new state",
}


@dataclass(frozen=True)
class StateIndex:
    """One row of the ``h_n`` index table: ``h_n[index]`` is this layer and direction."""

    index: int
    layer: int
    direction: str  # "forward" or "backward"


def check_mode(mode: str) -> None:
    if mode not in GATES:
        raise ConfigError(f"recurrent mode must be one of LSTM, GRU, RNN, received {mode!r}")


@dataclass(frozen=True)
class RNNSpec(ModuleSpec):
    """``nn.LSTM`` (``mode="LSTM"``), ``nn.GRU`` or ``nn.RNN``, with torch's argument names.

    Args:
        mode: "LSTM", "GRU" or "RNN" (``type_name`` is the same).
        input_size, hidden_size: ints or symbolic sizes.
        num_layers, bias, batch_first, dropout, bidirectional, proj_size (LSTM only),
        nonlinearity ("tanh" or "relu", RNN only): as in ``torch.nn``.

    Raises:
        ConfigError: an option torch itself refuses (``proj_size`` on a GRU, a bad
            nonlinearity, ``proj_size >= hidden_size``, ``dropout`` outside [0, 1]).
    """

    mode: str
    input_size: Size
    hidden_size: Size
    num_layers: int = 1
    bias: bool = True
    batch_first: bool = False
    dropout: float = 0.0
    bidirectional: bool = False
    proj_size: Size = 0
    nonlinearity: str = "tanh"

    RETURNS: ClassVar[Any] = None  # set per mode in returns()

    def __post_init__(self) -> None:
        check_mode(self.mode)
        if self.mode != "RNN" and self.nonlinearity != "tanh":
            raise ConfigError(f"nn.{self.mode} has no nonlinearity option")
        if self.nonlinearity not in ("tanh", "relu"):
            raise ConfigError(
                f"nn.RNN nonlinearity must be 'tanh' or 'relu', received {self.nonlinearity!r}"
            )
        if self.proj_size and self.mode != "LSTM":
            raise ConfigError(f"proj_size is an nn.LSTM option; nn.{self.mode} has none")
        if known(self.proj_size) and known(self.hidden_size) and self.proj_size >= self.hidden_size:
            raise ConfigError(
                f"nn.LSTM proj_size={self.proj_size} must be smaller than hidden_size={self.hidden_size}"
            )
        if (
            isinstance(self.num_layers, bool)
            or not isinstance(self.num_layers, int)
            or self.num_layers < 1
        ):
            raise ConfigError(
                f"num_layers must be a positive integer, received {self.num_layers!r}"
            )
        if not 0 <= float(self.dropout) <= 1:
            raise ConfigError(f"dropout must be in [0, 1], received {self.dropout!r}")

    @property
    def type_name(self) -> str:
        return self.mode

    @property
    def gates(self) -> tuple[str, ...]:
        """Row blocks of ``weight_ih`` / ``weight_hh`` in torch's order (LSTM i, f, g, o)."""
        return GATES[self.mode]

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def state_size(self) -> Size:
        """Size of ``h`` (``proj_size`` when set, else ``hidden_size``)."""
        return self.proj_size if self.proj_size else self.hidden_size

    @property
    def out_size(self) -> Size:
        """Features of ``out`` per step: ``num_directions · state_size``."""
        return self.num_directions * self.state_size

    def layer_input_size(self, layer: int) -> Size:
        """Features layer ``layer`` reads: ``input_size`` for 0, else ``num_directions · p``."""
        return self.input_size if layer == 0 else self.out_size

    def returns(self) -> Any:
        """Names of what ``forward`` returns, nested as torch returns them."""
        return ("out", ("h_n", "c_n")) if self.mode == "LSTM" else ("out", "h_n")

    def direction_params(self, layer: int, direction: int = 0) -> list[Param]:
        """The parameters of one layer and direction, in ``named_parameters()`` order."""
        g, h, p = len(self.gates), self.hidden_size, self.state_size
        d = self.layer_input_size(layer)
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        where = f"layer {layer}" + (", backward" if direction else "")
        rows = ", ".join(self.gates)
        params = [
            Param(
                f"weight_ih{suffix}", (g * h, d), f"x(t) ({size_text(d)}) → rows {rows}, {where}"
            ),
            Param(
                f"weight_hh{suffix}", (g * h, p), f"h(t−1) ({size_text(p)}) → rows {rows}, {where}"
            ),
        ]
        if self.bias:
            params += [
                Param(f"bias_ih{suffix}", (g * h,), f"bias added to the x(t) part, {where}"),
                Param(f"bias_hh{suffix}", (g * h,), f"bias added to the h(t−1) part, {where}"),
            ]
        if self.proj_size:
            params.append(
                Param(
                    f"weight_hr{suffix}",
                    (p, h),
                    f"projects h ({size_text(h)}) to {size_text(p)}, {where}",
                )
            )
        return params

    def parameters(self) -> list[Param]:
        return [
            param
            for layer in range(self.num_layers)
            for direction in range(self.num_directions)
            for param in self.direction_params(layer, direction)
        ]

    def formula(self, layer: int = 0) -> str:
        """The count of one layer and direction, symbols then numbers: ``4·h·(d + h) + 8·h = …``."""
        g, h, d, p = (
            len(self.gates),
            self.hidden_size,
            self.layer_input_size(layer),
            self.state_size,
        )
        count = sum_counts(self.direction_params(layer))
        gh = f"{g}·h" if g > 1 else "h"
        symbols = f"{gh}·(d + {'p' if self.proj_size else 'h'})"
        numbers = (
            f"{g}·{size_text(h)}·({size_text(d)} + {size_text(p)})"
            if g > 1
            else (f"{size_text(h)}·({size_text(d)} + {size_text(p)})")
        )
        if self.bias:
            symbols += f" + {2 * g}·h"
            numbers += f" + {2 * g}·{size_text(h)}"
        if self.proj_size:
            symbols += " + p·h"
            numbers += f" + {size_text(p)}·{size_text(h)}"
        return f"{symbols} = {numbers} = {size_text(count)}"

    def output_shapes(self, input_shape: Shape) -> dict[str, Shape]:
        """Shapes of ``out``, ``h_n`` (and ``c_n``) for an input of ``input_shape``.

        ``input_shape`` is ``(batch, time, features)`` when ``batch_first`` else ``(time,
        batch, features)``, or ``(time, features)`` unbatched. ``None`` is an unknown size.

        Raises:
            ShapeError: not 2 or 3 axes, or the last axis is not ``input_size``.
        """
        shape = tuple(input_shape)
        if len(shape) not in (2, 3):
            raise ShapeError(
                f"nn.{self.mode} expects {self.layout()} (3 axes) or (time, features), "
                f"received shape {shape}"
            )
        check_features(f"nn.{self.mode}", shape[-1], self.input_size, self.layout())
        stacked = self.num_layers * self.num_directions
        if len(shape) == 2:
            out: Shape = (shape[0], self.out_size)
            h_n: Shape = (stacked, self.state_size)
            c_n: Shape = (stacked, self.hidden_size)
        else:
            batch = shape[0] if self.batch_first else shape[1]
            out = (*shape[:2], self.out_size)
            h_n, c_n = (stacked, batch, self.state_size), (stacked, batch, self.hidden_size)
        shapes = {"out": out, "h_n": h_n}
        if self.mode == "LSTM":
            shapes["c_n"] = c_n
        return shapes

    def layout(self) -> str:
        """The axes this module reads: ``(batch, time, features)`` or ``(time, batch, features)``."""
        return "(batch, time, features)" if self.batch_first else "(time, batch, features)"

    def state_index(self) -> list[StateIndex]:
        """Which index of ``h_n`` / ``c_n`` is which layer and direction (index = l·D + d)."""
        names = ("forward", "backward")
        return [
            StateIndex(layer * self.num_directions + d, layer, names[d])
            for layer in range(self.num_layers)
            for d in range(self.num_directions)
        ]

    def keras_count(self) -> Size:
        """Parameters of the same stack under Keras's convention (one bias per gate)."""
        if self.proj_size:
            raise ConfigError("Keras has no LSTM with proj_size")
        g, h = len(self.gates), self.hidden_size
        per_bias = 2 * g * h if self.mode == "GRU" else g * h  # Keras GRU reset_after keeps both
        total: Size = 0
        for layer in range(self.num_layers):
            d = self.layer_input_size(layer)
            total = total + self.num_directions * (g * h * (d + h) + (per_bias if self.bias else 0))
        return total


def sum_counts(params: list[Param]) -> Size:
    total: Size = 0
    for param in params:
        total = total + param.count
    return total
