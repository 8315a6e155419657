"""What a recurrent cell does with this layer's sizes: state, equations, weights, counts.

Shared by plain recurrent layers and by each direction of a Bidirectional layer.

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


@dataclass(frozen=True)
class CellFlow:
    keeps: str
    equations: list[str]
    connection: str
    weights: list[WeightFlow]
    formula: str
    torch_params: int
    torch_note: str


def act(name: str | None) -> str:
    """Activation as the equations write it (σ for the logistic sigmoid)."""
    return {"sigmoid": "σ", None: "identity", "linear": "identity"}.get(name, name or "identity")


def describe_cell(layer: Recurrent, prefix: str = "") -> CellFlow:
    """The cell of ``layer`` (shapes attached) with its real sizes filled in."""
    d, u, g = layer.input_features, layer.units, len(layer.gates)
    gates = " ".join(
        "c̃" if (isinstance(layer, LSTM) and gate == "c") else gate for gate in layer.gates
    )
    kind = type(layer).__name__
    states = " and ".join(f"{name}(t)" for name in layer.state_names)
    each = f"{u} numbers each" if len(layer.state_names) > 1 else f"{u} numbers"
    keeps = f"{states}, {each}, carried from step t−1 to step t; zeros at the first step of every sequence"
    if layer.stateful:
        keeps += " (stateful=True: the last state of one batch starts the next instead)"
    widths = f"{g} gates × {u} units" if g > 1 else f"{u} units"
    connection = (
        f"nothing is cut or truncated: every one of the {u} units"
        f"{' of each gate' if g > 1 else ''} weighs all {d} numbers of x(t) through kernel "
        f"({d}, {g * u}) = {widths}, and all {u} numbers of h(t−1) through recurrent_kernel "
        f"({u}, {g * u}). The input size only sets the kernel's rows; the output size is units = {u}."
    )
    weights = [
        WeightFlow(prefix + spec.name, spec.shape, spec.size, _role(layer, spec.name, gates))
        for spec in layer.weight_specs()
    ]
    symbolic, numbers = layer.param_formula()
    params = sum(w.count for w in weights)
    torch_params, torch_note = _torch_count(layer)
    return CellFlow(
        keeps=keeps,
        equations=_equations(layer),
        connection=connection,
        weights=weights,
        formula=f"{symbolic} = {numbers} = {params:,}",
        torch_params=torch_params,
        torch_note=torch_note.replace("KIND", kind),
    )


def _role(layer: Recurrent, name: str, gates: str) -> str:
    d, u, g = layer.input_features, layer.units, len(layer.gates)
    target = f"{g} gates ({gates}) × {u} units" if g > 1 else f"{u} units"
    if name == "kernel":
        return f"x(t), {d} numbers → {target}"
    if name == "recurrent_kernel":
        return f"h(t−1), {u} numbers → {target}"
    if isinstance(layer, GRU) and layer.reset_after:
        return "row 0 added to the x(t) part, row 1 to the h(t−1) part (reset_after=True)"
    if isinstance(layer, LSTM) and layer.unit_forget_bias:
        return "one per gate per unit; the forget part starts at 1 (unit_forget_bias)"
    return "one per gate per unit"


def _equations(layer: Recurrent) -> list[str]:
    d, u, g = layer.input_features, layer.units, len(layer.gates)
    gu = g * u
    bias = " + bias" if layer.use_bias else ""
    bias_size = f" + ({gu})" if layer.use_bias else ""
    a, ra = act(layer.activation), act(getattr(layer, "recurrent_activation", "sigmoid"))
    if isinstance(layer, LSTM):
        return [
            f"z(t) = x(t)·kernel + h(t−1)·recurrent_kernel{bias}"
            f"    ({d})·({d}×{gu}) + ({u})·({u}×{gu}){bias_size} → {gu} = 4 × {u}",
            f"i = {ra}(z[0:{u}])  f = {ra}(z[{u}:{2 * u}])  c̃ = {a}(z[{2 * u}:{3 * u}])"
            f"  o = {ra}(z[{3 * u}:{gu}])    {u} each",
            f"c(t) = f ⊙ c(t−1) + i ⊙ c̃    h(t) = o ⊙ {a}(c(t))    {u} each",
        ]
    if isinstance(layer, GRU):
        if layer.reset_after:
            b0, b1 = (" + bias[0]", " + bias[1]") if layer.use_bias else ("", "")
            return [
                f"a(t) = x(t)·kernel{b0}    ({d})·({d}×{gu}){bias_size} → {gu} = 3 × {u}",
                f"b(t) = h(t−1)·recurrent_kernel{b1}    ({u})·({u}×{gu}){bias_size} → {gu}",
                f"z = {ra}(a_z + b_z)  r = {ra}(a_r + b_r)  h̃ = {a}(a_h + r ⊙ b_h)    {u} each",
                f"h(t) = z ⊙ h(t−1) + (1 − z) ⊙ h̃    {u}",
            ]
        return [
            f"a(t) = x(t)·kernel{bias}    ({d})·({d}×{gu}){bias_size} → {gu} = 3 × {u}",
            f"z = {ra}(a_z + h(t−1)·U_z)  r = {ra}(a_r + h(t−1)·U_r)    U_* = {u}×{u} blocks of recurrent_kernel",
            f"h̃ = {a}(a_h + (r ⊙ h(t−1))·U_h)    h(t) = z ⊙ h(t−1) + (1 − z) ⊙ h̃    {u} each",
        ]
    return [
        f"h(t) = {a}(x(t)·kernel + h(t−1)·recurrent_kernel{bias})"
        f"    ({d})·({d}×{u}) + ({u})·({u}×{u}){bias_size} → {u}",
    ]


def _torch_count(layer: Recurrent) -> tuple[int, str]:
    d, u, g = layer.input_features, layer.units, len(layer.gates)
    weights = g * u * (d + u)
    if not layer.use_bias:
        return weights, f"PyTorch nn.KIND({d}, {u}, bias=False) counts the same {weights:,}."
    torch_params = weights + 2 * g * u
    if isinstance(layer, GRU) and layer.reset_after:
        return torch_params, (
            f"PyTorch nn.GRU({d}, {u}) counts the same {torch_params:,}: its b_ih and b_hh are "
            "Keras's two bias rows (reset_after=True is torch's GRU). Gate order differs: torch "
            "r, z, n; Keras z, r, h."
        )
    formula = f"{g}·{u}·({d} + {u}) + 2·{g}·{u}" if g > 1 else f"{u}·({d} + {u}) + 2·{u}"
    note = (
        f"PyTorch nn.KIND({d}, {u}) counts {torch_params:,} = {formula}: it keeps two bias "
        f"vectors, b_ih added to the x(t) part and b_hh added to the h(t−1) part, where Keras "
        f"keeps one. Only their sum acts, so the extra {g * u} numbers add no capacity; a Keras "
        "model maps onto torch with its bias in b_ih and zeros in b_hh."
    )
    if isinstance(layer, GRU):
        note += " (torch's GRU is the reset_after=True variant; this layer runs on rnnlens's step loop.)"
    return torch_params, note
