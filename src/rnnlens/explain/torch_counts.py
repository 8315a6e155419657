"""How PyTorch's ``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN`` count the same layer's parameters.

PyTorch keeps two bias vectors per layer and direction (``b_ih`` and ``b_hh``), Keras one
for LSTM and SimpleRNN; Keras's GRU with ``reset_after=True`` already keeps two rows, so its
count equals torch's. The one-line form goes in every layer box, the long form behind
``--torch``.

>>> from rnnlens.layers import LSTM
>>> layer = LSTM(32)
>>> layer.build((None, 10, 64))
>>> torch_count(layer)[:2]
(12544, 'PyTorch nn.LSTM(64, 32): 12,544, 128 more (a second bias vector, 4·32)')
"""

from __future__ import annotations

from ..layers import GRU, Recurrent


def torch_extra(layer: Recurrent) -> int:
    """Parameters torch counts beyond Keras for one direction of ``layer``."""
    g, u = len(layer.gates), layer.units
    if not layer.use_bias or (isinstance(layer, GRU) and layer.reset_after):
        return 0
    return g * u


def torch_count(layer: Recurrent, directions: int = 1) -> tuple[int, str, str]:
    """torch's count for ``layer`` (both directions when ``directions=2``), one line, details."""
    d, u, g = layer.input_features, layer.units, len(layer.gates)
    kind = type(layer).__name__.replace("SimpleRNN", "RNN")
    bidi = ", bidirectional=True" if directions == 2 else ""
    call = f"nn.{kind}({d}, {u}{bidi}{'' if layer.use_bias else ', bias=False'})"
    one = g * u * (d + u) + (2 * g * u if layer.use_bias else 0)
    total, extra = directions * one, directions * torch_extra(layer)
    each = " per direction" if directions == 2 else ""
    count = f"{directions} × {one:,} = {total:,}" if directions == 2 else f"{total:,}"
    gate_order = (
        " Gate order differs: torch r, z, n; Keras z, r, h." if isinstance(layer, GRU) else ""
    )
    if extra == 0:
        line = f"PyTorch {call}: {count}, the same as Keras"
        if isinstance(layer, GRU) and layer.use_bias:
            note = (
                f"PyTorch {call} counts {count}, the same as Keras: torch's b_ih and b_hh are "
                f"Keras's two bias rows (reset_after=True is torch's GRU).{gate_order}"
            )
        else:
            note = f"PyTorch {call} counts {count}, the same as Keras.{gate_order}"
        return total, line, note
    gu = f"{g}·{u}" if g > 1 else f"{u}"
    line = f"PyTorch {call}: {count}, {extra:,} more (a second bias vector, {gu}{each})"
    formula = f"{g}·{u}·({d} + {u}) + 2·{g}·{u}" if g > 1 else f"{u}·({d} + {u}) + 2·{u}"
    note = (
        f"PyTorch {call} counts {count}; per direction {one:,} = {formula}. It keeps two bias "
        "vectors, b_ih added to the x(t) part and b_hh added to the h part, where this Keras "
        f"layer keeps one. Only their sum acts, so the extra {extra:,} numbers ({gu}{each}) add "
        "no capacity; the Keras model maps onto torch with its bias in b_ih and zeros in b_hh."
    )
    if isinstance(layer, GRU):
        note += (
            " torch's GRU is the reset_after=True variant, so this reset_after=False layer has "
            f"no torch equivalent and runs on rnnlens's step loop.{gate_order}"
        )
    return total, line, note
