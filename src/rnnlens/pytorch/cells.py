"""``nn.LSTMCell`` / ``nn.GRUCell`` / ``nn.RNNCell``: one step, stepped by ``forward``'s loop.

Pure Python, like :mod:`.recurrent`: parameters as ``named_parameters()`` lists them and the
shapes of ``h`` (and ``c``) for one step's input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ShapeError
from .modules import ModuleSpec, Param, Shape, Size, check_features, size_text
from .recurrent import GATES, check_mode


@dataclass(frozen=True)
class CellSpec(ModuleSpec):
    """``nn.LSTMCell`` / ``nn.GRUCell`` / ``nn.RNNCell``: one step, called in a loop by ``forward``.

    Parameters ``weight_ih (G·h, d)``, ``weight_hh (G·h, h)``, ``bias_ih``, ``bias_hh (G·h,)``.

    >>> cell = CellSpec("LSTM", 10, 20)
    >>> cell.type_name, cell.count_params(), cell.output_shapes((3, 10))
    ('LSTMCell', 2560, {'h': (3, 20), 'c': (3, 20)})
    """

    mode: str
    input_size: Size
    hidden_size: Size
    bias: bool = True
    nonlinearity: str = "tanh"

    def __post_init__(self) -> None:
        check_mode(self.mode)

    @property
    def type_name(self) -> str:
        return f"{self.mode}Cell"

    @property
    def gates(self) -> tuple[str, ...]:
        return GATES[self.mode]

    def returns(self) -> Any:
        return ("h", "c") if self.mode == "LSTM" else "h"

    def parameters(self) -> list[Param]:
        g, h, d = len(self.gates), self.hidden_size, self.input_size
        rows = ", ".join(self.gates)
        params = [
            Param("weight_ih", (g * h, d), f"x(t) ({size_text(d)}) → rows {rows}"),
            Param("weight_hh", (g * h, h), f"h(t−1) ({size_text(h)}) → rows {rows}"),
        ]
        if self.bias:
            params += [
                Param("bias_ih", (g * h,), "bias added to the x(t) part"),
                Param("bias_hh", (g * h,), "bias added to the h(t−1) part"),
            ]
        return params

    def output_shapes(self, input_shape: Shape) -> dict[str, Shape]:
        """``h`` (and ``c``) for an input ``(batch, features)`` or ``(features,)``."""
        shape = tuple(input_shape)
        if len(shape) not in (1, 2):
            raise ShapeError(
                f"nn.{self.type_name} reads one step (batch, features), received shape {shape}: "
                "call it once per time step, on x[:, t]"
            )
        check_features(f"nn.{self.type_name}", shape[-1], self.input_size, "(batch, features)")
        state = (*shape[:-1], self.hidden_size)
        return {"h": state, "c": state} if self.mode == "LSTM" else {"h": state}
