"""What a recurrent cell does with this layer's sizes: state, equations, weights, counts.

Shared by plain recurrent layers and by each direction of a Bidirectional layer. A layer that
reads its sequence backwards (``go_backwards=True``, or the backward half of Bidirectional)
is described in its own time order: its state goes from step t+1 to step t.

>>> from rnnlens.layers import LSTM
>>> layer = LSTM(32)
>>> layer.build((None, 10, 64))
>>> cell = describe_cell(layer)
>>> cell.formula, cell.torch_params
('4·u·(d + u + 1) = 4·32·(64 + 32 + 1) = 12,416', 12544)
>>> [(w.name, w.shape) for w in cell.weights]
[('kernel', (64, 128)), ('recurrent_kernel', (32, 128)), ('bias', (128,))]
"""

from __future__ import annotations

from dataclasses import dataclass

from ..layers import GRU, LSTM, Recurrent
from .flow import WeightFlow
from .torch_counts import torch_count

#: Gate letters in Keras's column order, named in words at first use.
GATE_WORDS = {
    "LSTM": ("input gate i", "forget gate f", "candidate c̃", "output gate o"),
    "GRU": ("update gate z", "reset gate r", "candidate h̃"),
}


@dataclass(frozen=True)
class CellFlow:
    keeps: str
    equations: list[str]
    connection: str
    weights: list[WeightFlow]
    formula: str
    torch_params: int
    torch_line: str
    torch_note: str
    state_roles: str
    shares: str


def act(name: str | None) -> str:
    """Activation as the equations write it (σ for the logistic sigmoid)."""
    return {"sigmoid": "σ", None: "identity", "linear": "identity"}.get(name, name or "identity")


def previous_step(backwards: bool) -> str:
    """The step whose state step t reads: t−1 forwards, t+1 for a layer reading backwards."""
    return "t+1" if backwards else "t−1"


def describe_cell(
    layer: Recurrent,
    prefix: str = "",
    *,
    backwards: bool | None = None,
    said_in: str | None = None,
) -> CellFlow:
    """The cell of ``layer`` (shapes attached) with its real sizes filled in.

    Args:
        layer: a recurrent layer with its input shape attached.
        prefix: put before weight names (``forward_lstm/``) for Bidirectional's halves.
        backwards: describe the state as carried from t+1 to t (default: ``go_backwards``).
        said_in: the layer whose box already holds the "nothing is cut" paragraph; this one
            then refers to it instead of repeating it (None: say it here).
    """
    back = layer.go_backwards if backwards is None else backwards
    p = previous_step(back)
    d, u, g = layer.input_features, layer.units, len(layer.gates)
    candidate = {"LSTM": "c", "GRU": "h"}.get(type(layer).__name__)
    letters = " ".join(f"{x}\u0303" if x == candidate else x for x in layer.gates)
    states = " and ".join(f"{name}(t)" for name in layer.state_names)
    each = f"{u} numbers each" if len(layer.state_names) > 1 else f"{u} numbers"
    steps = layer.input_shape[1] if isinstance(layer.input_shape, tuple) else None
    start = f"its first step, t = {'T' if steps is None else steps}" if back else "the first step"
    keeps = (
        f"{states}, {each}, carried from step {p} to step t; every sequence of the batch "
        f"has its own state, zeros at {start}"
    )
    if layer.stateful:
        keeps += " (stateful=True: the last state of one batch starts the next instead)"
    widths = f"{g} gates × {u} units" if g > 1 else f"{u} units"
    kernel, recurrent = f"kernel ({d}, {g * u})", f"recurrent_kernel ({u}, {g * u})"
    if said_in is None:
        connection = (
            f"nothing is cut or truncated: each of the {g * u} columns ({widths}) weighs all "
            f"{d} numbers of x(t) through {kernel} and all {u} numbers of h({p}) through "
            f"{recurrent}. The input size only sets the kernel's rows; units = {u} sets the "
            "output size."
        )
    else:
        connection = (
            f"as in '{said_in}', nothing is cut: {kernel} takes all {d} numbers of x(t) to "
            f"{widths}; units = {u} sets the output size."
        )
    weights = [
        WeightFlow(prefix + spec.name, spec.shape, spec.size, _role(layer, spec.name, letters, p))
        for spec in layer.weight_specs()
    ]
    symbolic, numbers = layer.param_formula()
    params = sum(w.count for w in weights)
    torch_params, torch_line, torch_note = torch_count(layer)
    if isinstance(layer, LSTM):
        roles = (
            f"c(t) is the cell's memory: it stays inside the layer; h(t) is what the layer "
            f"outputs at step t and also feeds step {'t−1' if back else 't+1'} through "
            "recurrent_kernel"
        )
    else:
        roles = "h(t) is both the state carried to the next step and the output at step t"
    names = ", ".join(w.name.split("/")[-1] for w in weights)
    shares = f"one set of weights ({names}) is used at every step; the steps do not have weights of their own"
    return CellFlow(
        keeps=keeps,
        equations=_equations(layer, p),
        connection=connection,
        weights=weights,
        formula=f"{symbolic} = {numbers} = {params:,}",
        torch_params=torch_params,
        torch_line=torch_line,
        torch_note=torch_note,
        state_roles=roles,
        shares=shares,
    )


def _role(layer: Recurrent, name: str, letters: str, p: str) -> str:
    d, u, g = layer.input_features, layer.units, len(layer.gates)
    target = f"{g} gates ({letters}) × {u} units" if g > 1 else f"{u} units"
    if name == "kernel":
        return f"x(t), {d} numbers → {target}"
    if name == "recurrent_kernel":
        return f"h({p}), {u} numbers → {target}"
    if isinstance(layer, GRU) and layer.reset_after:
        return f"row 0 added to the x(t) part, row 1 to the h({p}) part (reset_after=True)"
    if isinstance(layer, LSTM) and layer.unit_forget_bias:
        return "one per gate per unit; the forget part starts at 1 (unit_forget_bias)"
    return "one per gate per unit"


def _gates(layer: Recurrent, parts: list[str]) -> str:
    words = GATE_WORDS.get(type(layer).__name__)
    if words is None:
        return ", ".join(parts)
    return ", ".join(f"{w.rsplit(' ', 1)[0]} {part}" for w, part in zip(words, parts))


def _equations(layer: Recurrent, p: str) -> list[str]:
    d, u, g = layer.input_features, layer.units, len(layer.gates)
    gu = g * u
    bias = " + bias" if layer.use_bias else ""
    bias_size = f" + ({gu})" if layer.use_bias else ""
    a, ra = act(layer.activation), act(getattr(layer, "recurrent_activation", "sigmoid"))
    h = f"h({p})"
    if isinstance(layer, LSTM):
        s = [f"z[{k * u}:{(k + 1) * u}]" for k in range(4)]
        return [
            f"z(t) = x(t)·kernel + {h}·recurrent_kernel{bias}",
            f"sizes: ({d})·({d}×{gu}) + ({u})·({u}×{gu}){bias_size} → {gu} = 4 × {u}",
            _gates(
                layer,
                [f"i = {ra}({s[0]})", f"f = {ra}({s[1]})", f"c̃ = {a}({s[2]})", f"o = {ra}({s[3]})"],
            )
            + f"; {u} each",
            f"c(t) = f ⊙ c({p}) + i ⊙ c̃,    h(t) = o ⊙ {a}(c(t)); {u} each",
        ]
    if isinstance(layer, GRU):
        if layer.reset_after:
            b0, b1 = (" + bias[0]", " + bias[1]") if layer.use_bias else ("", "")
            return [
                f"a(t) = x(t)·kernel{b0},    sizes ({d})·({d}×{gu}){bias_size} → {gu} = 3 × {u}",
                f"b(t) = {h}·recurrent_kernel{b1},    sizes ({u})·({u}×{gu}){bias_size} → {gu}",
                _gates(
                    layer,
                    [f"z = {ra}(a_z + b_z)", f"r = {ra}(a_r + b_r)", f"h̃ = {a}(a_h + r ⊙ b_h)"],
                )
                + f"; {u} each",
                f"h(t) = z ⊙ {h} + (1 − z) ⊙ h̃; {u}",
            ]
        return [
            f"a(t) = x(t)·kernel{bias},    sizes ({d})·({d}×{gu}){bias_size} → {gu} = 3 × {u}",
            _gates(
                layer,
                [
                    f"z = {ra}(a_z + {h}·U_z)",
                    f"r = {ra}(a_r + {h}·U_r)",
                    f"h̃ = {a}(a_h + (r ⊙ {h})·U_h)",
                ],
            )
            + f"; U_z, U_r, U_h = the {u}×{u} blocks of recurrent_kernel",
            f"h(t) = z ⊙ {h} + (1 − z) ⊙ h̃; {u} each",
        ]
    return [
        f"h(t) = {a}(x(t)·kernel + {h}·recurrent_kernel{bias})",
        f"sizes: ({d})·({d}×{u}) + ({u})·({u}×{u}){bias_size} → {u}",
    ]
