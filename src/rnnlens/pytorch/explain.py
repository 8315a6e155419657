"""A torch model explained in PyTorch's own terms, as data (renderers: :mod:`.render`).

Per recurrent module: its parameters (``weight_ih_l0 (4·64, 2)``, rows i, f, g, o), the
count ``4·h·(d + h) + 8·h`` with numbers, the shapes of ``out`` / ``h_n`` / ``c_n``, the table
of which ``h_n`` index is which layer and direction, how layer k's output reaches layer k+1,
what ``batch_first``, ``dropout`` and ``proj_size`` do, and the same stack's count under
Keras's convention in one line. Per module: input and output shapes, parameters. Plus the
mistakes of :mod:`.mistakes`.

>>> from rnnlens.pytorch.spec import NetworkSpec, RNNSpec, Linear, Step
>>> net = NetworkSpec("Net", {"lstm": RNNSpec("LSTM", 2, 64, batch_first=True), "fc": Linear(64, 1)},
...     [Step("input", (), "x", shape=(32, 10, 2)), Step("call", ("x",), "r", module="lstm")])
>>> e = explain_network(net)
>>> e.params, e.recurrent[0].shapes["h_n"], e.recurrent[0].layers[0].formula
(17473, (1, 32, 64), '4·h·(d + h) + 8·h = 4·64·(2 + 64) + 8·64 = 17,408')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .cells import CellSpec
from .mistakes import TorchWarning, find_mistakes
from .modules import Shape, Size, known, size_text
from .network import NetworkSpec
from .notes import constructor, equations, keras_line, recurrent_notes
from .recurrent import GATE_ROLES, RNNSpec, StateIndex

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ParamRow:
    name: str
    shape: tuple[Size, ...]
    count: Size
    role: str


@dataclass(frozen=True)
class LayerInfo:
    """One stacked layer of a recurrent module (its directions share the shapes)."""

    layer: int
    reads: str  # "x(t): 2 features" or "layer 0's out: 2·64 = 128 numbers per step"
    params: list[ParamRow]  # every direction's, in named_parameters() order
    formula: str  # one direction
    count: Size  # all directions


@dataclass(frozen=True)
class RecurrentExplanation:
    path: str
    type_name: str
    constructor: str
    input_shape: Shape | None
    shapes: dict[str, Shape]
    layers: list[LayerInfo]
    state_table: list[StateIndex]
    equations: list[str]
    notes: list[str]
    keras_line: str | None
    params: Size


@dataclass(frozen=True)
class ModuleRow:
    path: str
    type_name: str
    input_shape: Any
    output_shape: Any
    params: Size
    calls: int = 1


@dataclass
class TorchExplanation:
    """The whole explanation; ``str(e)`` is the terminal text."""

    name: str
    rows: list[ModuleRow]
    recurrent: list[RecurrentExplanation]
    params: Size
    warnings: list[TorchWarning] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_text(self, width: int = 100) -> str:
        from .render import render_text

        return render_text(self, width=width)

    def to_markdown(self) -> str:
        from .render import render_markdown

        return render_markdown(self)

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "convention": "pytorch", **asdict(self)}

    def to_json(self, indent: int | None = 2) -> str:
        import json

        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, default=str)

    def __str__(self) -> str:
        return self.to_text()


def _layers(m: RNNSpec) -> list[LayerInfo]:
    out = []
    for k in range(m.num_layers):
        params = [
            ParamRow(p.name, p.shape, p.count, p.role)
            for d in range(m.num_directions)
            for p in m.direction_params(k, d)
        ]
        total: Size = 0
        for p in params:
            total = total + p.count
        if k == 0:
            reads = f"x(t): {size_text(m.input_size)} features per step"
        else:
            both = (
                f"{m.num_directions}·{size_text(m.state_size)} = "
                if m.bidirectional and known(m.state_size)
                else ""
            )
            reads = f"layer {k - 1}'s out(t): {both}{size_text(m.out_size)} numbers per step"
        out.append(LayerInfo(k, reads, params, m.formula(k), total))
    return out


def explain_recurrent(
    path: str, m: RNNSpec, input_shape: Shape | None = None
) -> RecurrentExplanation:
    """Open up one ``nn.LSTM/GRU/RNN``; ``input_shape`` gives the concrete shapes."""
    shapes = m.output_shapes(input_shape) if input_shape is not None else _free_shapes(m)
    return RecurrentExplanation(
        path=path,
        type_name=m.mode,
        constructor=constructor(m),
        input_shape=input_shape,
        shapes=shapes,
        layers=_layers(m),
        state_table=m.state_index(),
        equations=equations(m),
        notes=recurrent_notes(m),
        keras_line=keras_line(m),
        params=m.count_params(),
    )


def _free_shapes(m: RNNSpec) -> dict[str, Shape]:
    time_batch = ("batch", "time") if m.batch_first else ("time", "batch")
    return m.output_shapes((*time_batch, m.input_size))


def explain_cell(path: str, m: CellSpec) -> RecurrentExplanation:
    gates = ", ".join(f"{g} ({GATE_ROLES[g]})" for g in m.gates)
    params = [ParamRow(p.name, p.shape, p.count, p.role) for p in m.parameters()]
    return RecurrentExplanation(
        path=path,
        type_name=m.type_name,
        constructor=constructor(m),
        input_shape=None,
        shapes=m.output_shapes(("batch", m.input_size)),
        layers=[
            LayerInfo(
                0,
                f"x(t): {size_text(m.input_size)} features, one step per call",
                params,
                "",
                m.count_params(),
            )
        ],
        state_table=[],
        equations=equations(m),
        notes=[
            f"one step per call: forward's loop feeds x[:, t] and the previous state; rows {gates}",
            "the loop, not the cell, decides the order of steps and which states are kept",
        ],
        keras_line=None,
        params=m.count_params(),
    )


def explain_network(net: NetworkSpec, rows: list[ModuleRow] | None = None) -> TorchExplanation:
    """Explain a whole network; ``rows`` (observed shapes, in memory) replace those of ``steps``."""
    rows = rows if rows is not None else _rows(net)
    inputs = {r.path: r.input_shape for r in rows}
    recurrent = []
    for path, m in net.recurrent().items():
        if isinstance(m, RNNSpec):
            shape = inputs.get(path)
            recurrent.append(explain_recurrent(path, m, shape if _plain(shape) else None))
        elif isinstance(m, CellSpec):
            recurrent.append(explain_cell(path, m))
    return TorchExplanation(
        name=net.name,
        rows=rows,
        recurrent=recurrent,
        params=net.count_params(),
        warnings=find_mistakes(net),
        notes=list(net.notes),
    )


def _plain(shape: Any) -> bool:
    return (
        isinstance(shape, tuple)
        and len(shape) in (2, 3)
        and not any(isinstance(d, tuple) for d in shape)
    )


def _rows(net: NetworkSpec) -> list[ModuleRow]:
    rows: dict[str, ModuleRow] = {}
    for step in net.steps:
        if step.op != "call" or step.module is None or step.module not in net.modules:
            continue
        module = net.modules[step.module]
        shape_in = net.shape(step.inputs[0]) if step.inputs else None
        if step.module in rows:
            old = rows[step.module]
            rows[step.module] = ModuleRow(
                old.path,
                old.type_name,
                old.input_shape,
                old.output_shape,
                old.params,
                old.calls + 1,
            )
        else:
            rows[step.module] = ModuleRow(
                step.module, module.type_name, shape_in, step.shape, module.count_params()
            )
    for path, module in net.leaves().items():
        rows.setdefault(
            path, ModuleRow(path, module.type_name, None, None, module.count_params(), 0)
        )
    order = list(net.modules)
    return sorted(
        rows.values(), key=lambda r: order.index(r.path) if r.path in order else len(order)
    )
