"""The data behind ``model.explain()``: what flows into, through and out of every layer.

Built from the layer specs alone (shapes, weight specs, options), so it works for a model
that has never allocated a weight — ``LSTM(10**6)`` included — and never imports torch.
Renderers (:mod:`.text`, :mod:`.markdown`, :mod:`.json`, :mod:`.svg`) only format it.

>>> from rnnlens import Sequential
>>> from rnnlens.layers import LSTM
>>> model = Sequential([LSTM(64, return_sequences=True, input_shape=(10, 2)), LSTM(32)])
>>> flow = model.explain()
>>> [layer.params for layer in flow.layers], [layer.torch_params for layer in flow.layers]
([17152, 12416], [17408, 12544])
>>> flow.layers[1].formula
'4·u·(d + u + 1) = 4·32·(64 + 32 + 1) = 12,416'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..layers import Layer, RepeatVector
from ..shapes import Shape, ShapeOrList, first_shape, format_shape

if TYPE_CHECKING:
    from ..graph import ModelSpec
    from .legend import LegendEntry
    from .whatif import WhatIf

#: Bumped when the JSON layout changes in a way readers must know about.
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class WeightFlow:
    """One weight tensor: Keras's name, its shape, how many numbers, and what it maps."""

    name: str
    shape: tuple[int, ...]
    count: int
    role: str


@dataclass(frozen=True)
class DirectionFlow:
    """One direction of a Bidirectional layer (the forward or the backward row)."""

    name: str
    arrow: str  # "→" or "←"
    reads: str
    units: int
    hands_on: str
    keeps: str = ""


@dataclass(frozen=True)
class LayerFlow:
    """Everything ``explain`` says about one layer, plus the sizes the diagram draws.

    ``kind`` tells the diagram how to draw the layer: ``recurrent`` (a cell per step with the
    state carried right), ``bidirectional`` (two rows and a merge), ``per_step`` (the same map
    at every step, no state), ``vector`` (one box, no time axis) or ``repeat`` (one vector
    copied to every step).

    ``source_line`` is the code the layer came from when it was read from a file: a reader
    sets ``layer.source_line`` (e.g. ``"line 7: model.add(LSTM(32))"``); None otherwise.
    ``shares``, ``state_roles`` and ``final_states`` are the sentences on weight sharing over
    time, on what h and c each do, and on what happens to the last state; ``what_ifs`` the
    computed counterfactuals; ``torch_line`` the one-line PyTorch count, ``torch_note`` the
    long comparison (``--torch``).
    """

    index: int
    name: str
    layer_type: str
    title: str
    kind: str
    input_shape: str
    output_shape: str
    receives: str
    keeps: str | None
    equations: list[str]
    connection: str | None
    weights: list[WeightFlow]
    formula: str | None
    params: int
    torch_params: int
    torch_note: str | None
    directions: list[DirectionFlow]
    merge: str | None
    hands_on: str
    notes: list[str]
    warnings: list[str]
    steps: int | None  # time steps of the input (None: unknown length or no time axis)
    width_in: int
    width_out: int
    units: int | None  # per direction, for recurrent layers
    sequence_in: bool
    sequence_out: bool
    source_line: str | None = None
    shares: str | None = None
    state_roles: str | None = None
    final_states: str | None = None
    what_ifs: list[WhatIf] = field(default_factory=list)
    torch_line: str | None = None


@dataclass(frozen=True)
class Flow:
    """The explanation of a whole model; ``str(flow)`` is the terminal text.

    ``warnings`` holds every warning, those of a layer prefixed with its name; renderers print
    a layer's own warnings in its box and only ``source_warnings`` (the reader's, about no one
    layer) at the end, so each warning appears once. ``torch_difference`` says where torch's
    total differs from Keras's; ``legend`` defines every symbol the explanation uses.
    """

    model_name: str
    input_shape: str
    steps: int | None
    features: int
    layers: list[LayerFlow]
    params: int
    torch_params: int
    pattern: str
    path: str
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source_warnings: list[str] = field(default_factory=list)
    torch_difference: str = ""
    legend: list[LegendEntry] = field(default_factory=list)

    def to_text(
        self, color: bool = False, width: int = 100, *, legend: bool = True, torch: bool = False
    ) -> str:
        """Terminal text with box-drawing characters (ANSI colour if ``color``).

        ``legend=False`` leaves the legend out; ``torch=True`` gives each recurrent layer the
        full PyTorch comparison instead of one line.
        """
        from .text import render_text

        return render_text(self, color=color, width=width, legend=legend, torch=torch)

    def to_markdown(self, *, legend: bool = True, torch: bool = False) -> str:
        from .markdown import render_markdown

        return render_markdown(self, legend=legend, torch=torch)

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, **asdict(self)}

    def to_json(self, indent: int | None = 2) -> str:
        from .json import render_json

        return render_json(self, indent=indent)

    def to_html(self, *, legend: bool = True, torch: bool = False) -> str:
        """A self-contained HTML panel (``<div class="rnnlens-explain">``)."""
        from .html import render_html

        return render_html(self, legend=legend, torch=torch)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        # What a REPL shows for model.explain(): the explanation, not the dataclass fields.
        return self.to_text()

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def build_flow(
    model: ModelSpec, *, notes: list[str] | None = None, warnings: list[str] | None = None
) -> Flow:
    """Explain ``model`` layer by layer from its specs (no weights are allocated).

    Args:
        model: a Sequential model with at least one layer.
        notes: extra lines to show, e.g. what the source reader skipped.
        warnings: extra warnings, e.g. those caught while reading a source file; warnings the
            flow finds itself (ignored ``input_shape``, many-to-many heads, width-changing
            merges) are always included.

    Returns:
        A :class:`Flow`.
    """
    from .describe import describe_layer
    from .legend import legend_for, strings_in

    model._require_layers()
    source = first_shape(model.input_shape)
    steps = source[1] if len(source) == 3 else None
    features = source[-1] or 0
    layers: list[LayerFlow] = []
    said_in: str | None = None  # the layer whose box holds the "nothing is cut" paragraph
    for index, (layer, previous, following, after, has_input, links) in enumerate(_members(model)):
        described = describe_layer(
            index + 1, layer, previous, following, has_input, after=after, said_in=said_in
        )
        described.notes.extend(links)
        if said_in is None and described.units is not None:
            said_in = described.name
        layers.append(described)
    flow_warnings = [f"'{lf.name}': {w}" for lf in layers for w in lf.warnings]
    # The reader's warnings about an ignored input_shape repeat what the layer box says.
    source_warnings = [w for w in warnings or [] if "is ignored" not in w]
    flow = Flow(
        model_name=model.name,
        input_shape=format_shape(source),
        steps=steps,
        features=features,
        layers=layers,
        params=sum(lf.params for lf in layers),
        torch_params=sum(lf.torch_params for lf in layers),
        pattern=_pattern(model),
        path=_path(source, layers),
        warnings=flow_warnings + source_warnings,
        notes=list(notes or []),
        source_warnings=source_warnings,
        torch_difference=_torch_difference(layers),
    )
    legend = legend_for(strings_in(asdict(flow)))
    return replace(flow, legend=legend)


Member = tuple[Layer, "Layer | None", "Layer | None", list[Layer], bool, list[str]]


def _members(model: ModelSpec) -> list[Member]:
    """Per box: the layer, where it reads from, where it hands on to, the layers after it
    (for counterfactuals), whether its input is fixed, and sentences on its graph links.

    A Sequential is a chain. A graph model is explained node by node in the order it runs
    (a shared layer once per call); each box names the tensors it receives and, for a
    recurrent layer given ``initial_state=``, the layer whose final state it starts from.
    """
    from ..graph import SequentialSpec
    from ..layers import InputLayer

    nodes = getattr(model, "nodes", None)
    if isinstance(model, SequentialSpec) or nodes is None:
        chain = model.layers
        has_input = getattr(model, "input_layer", None) is not None
        return [
            (
                layer,
                chain[i - 1] if i else None,
                chain[i + 1] if i + 1 < len(chain) else None,
                chain[i + 1 :],
                i > 0 or has_input,
                [],
            )
            for i, layer in enumerate(chain)
        ]
    steps = [node for node in nodes if not node.is_input]
    members: list[Member] = []
    for node in steps:
        sources = node.input_tensors
        main = node.args[0] if not isinstance(node.args[0], list) else node.args[0][0]
        previous = None if isinstance(main.layer, InputLayer) else main.layer
        readers = [n.layer for n in steps if any(t in n.input_tensors for t in node.outputs)]
        links = [f"receives from {', '.join(t.name for t in sources)}"]
        state = node.kwargs.get("initial_state")
        if state:
            states = state if isinstance(state, list) else [state]
            owners = sorted({t.layer.name for t in states})
            links.append(
                f"starts from initial_state [{', '.join(t.name for t in states)}]: the state "
                f"{', '.join(repr(o) for o in owners)} hands over after its last step becomes "
                "this layer's state before its first step (instead of zeros)"
            )
        members.append((node.layer, previous, readers[0] if readers else None, [], True, links))
    return members


def _torch_difference(layers: list[LayerFlow]) -> str:
    """Where torch's count differs from Keras's, layer by layer (empty when it never does)."""
    extra = [
        (lf.name, lf.torch_params - lf.params) for lf in layers if lf.torch_params != lf.params
    ]
    if not extra:
        return "PyTorch counts the same"
    total = sum(n for _, n in extra)
    where = ", ".join(f"'{name}' +{n:,}" for name, n in extra)
    return (
        f"PyTorch counts {total:,} more: a second bias vector per direction in {where}; "
        "the function is the same"
    )


def _pattern(model: ModelSpec) -> str:
    """many-to-one, many-to-many or encoder-decoder, in words."""
    out = first_shape(model.output_shape)
    source = first_shape(model.input_shape)
    steps = source[1] if len(source) == 3 else None
    length = "?" if steps is None else str(steps)
    if any(isinstance(layer, RepeatVector) for layer in model.layers):
        repeat = next(layer for layer in model.layers if isinstance(layer, RepeatVector))
        return (
            f"encoder–decoder (sequence to sequence): {length} steps in are summed up in one "
            f"vector, which RepeatVector copies to {repeat.n} decoder steps; output {format_shape(out)}"
        )
    if len(out) == 3:
        return f"many-to-many: {length} steps in, one output per step out, {format_shape(out)}"
    return f"many-to-one: {length} steps in, one output per sequence, {format_shape(out)}"


def _path(source: Shape, layers: list[LayerFlow]) -> str:
    """One line of sizes per step: ``x(t) 2 → lstm 64 → lstm_1 32 (last step only)``."""
    parts = [f"x(t) {source[-1]}"]
    for lf in layers:
        tail = "" if lf.sequence_out or not lf.sequence_in else " (last step only)"
        if lf.kind == "repeat":
            tail = " (copied to every step)"
        parts.append(f"{lf.name} {lf.width_out}{tail}")
    return " → ".join(parts)


def layer_widths(layer: Layer) -> tuple[int, int]:
    """Feature sizes in and out (last axis; the first output of several)."""
    assert layer.input_shape is not None and layer.output_shape is not None
    width_in = first_shape(layer.input_shape)[-1]
    width_out = first_shape(layer.output_shape)[-1]
    return int(width_in or 0), int(width_out or 0)


def shape_text(shape: ShapeOrList | None) -> str:
    return format_shape(shape) if shape is not None else "?"


__all__ = [
    "DirectionFlow",
    "Flow",
    "LayerFlow",
    "WeightFlow",
    "build_flow",
    "layer_widths",
    "shape_text",
]
