"""What each ``nn.LSTM/GRU/RNN`` option does, in sentences and equations (PyTorch's notation).

Plain text built from a spec, for :mod:`.explain`: the step's equations, the constructor
call as a person would write it, one note per option (``batch_first``, stacking, ``dropout``,
``proj_size``, ``bidirectional``) and the Keras-convention count in one line.

>>> from rnnlens.pytorch.spec import RNNSpec
>>> constructor(RNNSpec("GRU", 2, 8, batch_first=True))
'nn.GRU(2, 8, batch_first=True)'
>>> keras_line(RNNSpec("LSTM", 2, 64)).split(",")[0]
'Keras LSTM(64) stack: 17'
"""

from __future__ import annotations

from .cells import CellSpec
from .modules import size_text
from .recurrent import RNNSpec


def equations(m: RNNSpec | CellSpec) -> list[str]:
    """The step in torch's notation; ``W_i·`` is rows of ``weight_ih``/``weight_hh``."""
    h = size_text(m.hidden_size)
    if m.mode == "LSTM":
        lines = [
            f"i, f, g, o = split(weight_ih·x(t) + bias_ih + weight_hh·h(t−1) + bias_hh)    4 blocks of {h} rows",
            "i = σ(i)  f = σ(f)  g = tanh(g)  o = σ(o)",
            "c(t) = f ⊙ c(t−1) + i ⊙ g    h(t) = o ⊙ tanh(c(t))",
        ]
        if isinstance(m, RNNSpec) and m.proj_size:
            lines.append(f"h(t) = weight_hr·h(t)    {h} → {size_text(m.proj_size)} (proj_size)")
        return lines
    if m.mode == "GRU":
        return [
            "r = σ(W_ir·x(t) + b_ir + W_hr·h(t−1) + b_hr)   z = σ(W_iz·x(t) + b_iz + W_hz·h(t−1) + b_hz)",
            "n = tanh(W_in·x(t) + b_in + r ⊙ (W_hn·h(t−1) + b_hn))",
            f"h(t) = (1 − z) ⊙ n + z ⊙ h(t−1)    rows r, z, n of weight_ih/weight_hh, {h} each",
        ]
    return [
        f"h(t) = {m.nonlinearity}(weight_ih·x(t) + bias_ih + weight_hh·h(t−1) + bias_hh)    {h}"
    ]


def constructor(m: RNNSpec | CellSpec) -> str:
    args = [size_text(m.input_size), size_text(m.hidden_size)]
    if isinstance(m, CellSpec):
        return f"nn.{m.type_name}({', '.join(args)}{'' if m.bias else ', bias=False'})"
    defaults = RNNSpec(m.mode, m.input_size, m.hidden_size)
    for name in (
        "num_layers",
        "bias",
        "batch_first",
        "dropout",
        "bidirectional",
        "proj_size",
        "nonlinearity",
    ):
        value = getattr(m, name)
        if value != getattr(defaults, name):
            args.append(
                f"{name}={value!r}"
                if isinstance(value, str)
                else f"{name}={size_text(value) if not isinstance(value, (bool, float)) else value}"
            )
    return f"nn.{m.mode}({', '.join(args)})"


def recurrent_notes(m: RNNSpec) -> list[str]:
    """What each option does to this module, in PyTorch's terms."""
    h, p, stacked = (
        size_text(m.hidden_size),
        size_text(m.state_size),
        m.num_layers * m.num_directions,
    )
    notes = [
        f"batch_first={m.batch_first}: the input and out are {m.layout()}; h_n"
        + (" and c_n are" if m.mode == "LSTM" else " is")
        + f" always (num_layers·num_directions = {stacked}, batch, {p}) whatever batch_first says"
    ]
    if m.num_layers > 1:
        both = f" (forward ‖ backward, {m.num_directions}·{p})" if m.bidirectional else ""
        notes.append(
            f"stacking: layer k > 0 reads layer k−1's whole out sequence, {size_text(m.out_size)} "
            f"numbers per step{both}; only the last layer's sequence leaves as out"
        )
        if float(m.dropout) > 0:
            notes.append(
                f"dropout={m.dropout}: in training, zeroes that fraction of each layer's out before "
                "the next layer reads it (scaling the rest by 1/(1−p)); never after the last "
                "layer, never in eval()"
            )
    if m.proj_size:
        notes.append(
            f"proj_size={p}: weight_hr maps h from {h} to {p} numbers every step, so out and h_n "
            f"carry {p} per direction and weight_hh reads {p}; c_n keeps {h}"
        )
    if m.bidirectional:
        last = "out[:, -1]" if m.batch_first else "out[-1]"
        notes.append(
            f"bidirectional: out[..., :{p}] is the forward direction, out[..., {p}:] the backward "
            f"one at the same time step; {last} is NOT both final states: its backward half has "
            f"read only the last step. The backward final state sits at time 0 and in h_n[2·k + 1]"
        )
    elif m.mode != "LSTM" or not m.proj_size:
        last = "out[:, -1]" if m.batch_first else "out[-1]"
        notes.append(f"{last} equals h_n[-1] (the last layer's final state)")
    return notes


def keras_line(m: RNNSpec) -> str | None:
    """The same stack under Keras's convention, in one line (None where Keras has none)."""
    if m.proj_size:
        return None
    keras = m.keras_count()
    kind = {"LSTM": "LSTM", "GRU": "GRU", "RNN": "SimpleRNN"}[m.mode]
    if m.mode == "GRU" or not m.bias:
        return f"Keras {kind}({size_text(m.hidden_size)}) stack: the same {size_text(keras)} parameters"
    g = len(m.gates)
    return (
        f"Keras {kind}({size_text(m.hidden_size)}) stack: {size_text(keras)} parameters, "
        f"{g}·u·(d + u + 1) per layer and direction: Keras keeps one bias per gate row where "
        f"torch keeps two (bias_ih + bias_hh; only their sum acts)"
    )
