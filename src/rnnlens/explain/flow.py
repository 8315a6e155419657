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

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..layers import Layer, RepeatVector
from ..shapes import Shape, ShapeOrList, first_shape, format_shape

if TYPE_CHECKING:
    from ..graph import ModelSpec

#: Bumped when the JSON layout changes in a way readers must know about.
SCHEMA_VERSION = 1


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


@dataclass(frozen=True)
class LayerFlow:
    """Everything ``explain`` says about one layer, plus the sizes the diagram draws.

    ``kind`` tells the diagram how to draw the layer: ``recurrent`` (a cell per step with the
    state carried right), ``bidirectional`` (two rows and a merge), ``per_step`` (the same map
    at every step, no state), ``vector`` (one box, no time axis) or ``repeat`` (one vector
    copied to every step).
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


@dataclass(frozen=True)
class Flow:
    """The explanation of a whole model; ``str(flow)`` is the terminal text."""

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

    def to_text(self, color: bool = False, width: int = 100) -> str:
        """Terminal text with box-drawing characters (ANSI colour if ``color``)."""
        from .text import render_text

        return render_text(self, color=color, width=width)

    def to_markdown(self) -> str:
        from .markdown import render_markdown

        return render_markdown(self)

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, **asdict(self)}

    def to_json(self, indent: int | None = 2) -> str:
        from .json import render_json

        return render_json(self, indent=indent)

    def __str__(self) -> str:
        return self.to_text()


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

    model._require_layers()
    source = first_shape(model.input_shape)
    steps = source[1] if len(source) == 3 else None
    features = source[-1] or 0
    layers: list[LayerFlow] = []
    for index, layer in enumerate(model.layers):
        previous = model.layers[index - 1] if index else None
        following = model.layers[index + 1] if index + 1 < len(model.layers) else None
        has_input = index > 0 or getattr(model, "input_layer", None) is not None
        layers.append(describe_layer(index + 1, layer, previous, following, has_input))
    flow_warnings = [f"'{lf.name}': {w}" for lf in layers for w in lf.warnings]
    # Warnings the reader caught repeat what the layers say; keep only the new ones.
    for extra in warnings or []:
        if "is ignored" not in extra:
            flow_warnings.append(extra)
    return Flow(
        model_name=model.name,
        input_shape=format_shape(source),
        steps=steps,
        features=features,
        layers=layers,
        params=sum(lf.params for lf in layers),
        torch_params=sum(lf.torch_params for lf in layers),
        pattern=_pattern(model),
        path=_path(source, layers),
        warnings=flow_warnings,
        notes=list(notes or []),
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
    # A size from data (rnnlens.symbolic.Size) stays symbolic; it computes and prints like an int.
    return (width_in or 0), (width_out or 0)


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
