"""``model.summary()``: rows built as data, then drawn as Keras 3 draws them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import ConfigError
from .graph import SequentialSpec
from .layers.wrappers import weight_owners
from .shapes import format_shape
from .show import safe_text

if TYPE_CHECKING:
    from .graph import ModelSpec

# Keras 3's summary width when it does not print to a terminal (min(88, 80 - 4)).
DEFAULT_LINE_LENGTH = 76


@dataclass(frozen=True)
class SummaryRow:
    """One layer's line in the summary table."""

    name: str
    layer_type: str
    output_shape: str
    params: int
    #: Keras's "Connected to" cell (``lstm[0][1], lstm[0][2]``); None when the table has none.
    connected_to: str | None = None
    #: False for a layer of a model that has not seen its input yet (Keras: "0 (unbuilt)").
    built: bool = True


def is_sequential_like(model: ModelSpec) -> bool:
    """Whether Keras prints the three-column table rather than the one with "Connected to":
    a Sequential, a subclassed model, or a functional chain (one node per depth, each reading
    one tensor, no layer called twice)."""
    nodes = getattr(model, "nodes", None)
    if isinstance(model, SequentialSpec) or nodes is None or getattr(model, "built_by_call", False):
        return True
    in_model = {id(node) for node in nodes}
    if any(len(node.input_tensors) > 1 for node in nodes):
        return False
    for layer in model.layers:
        if sum(1 for node in layer.inbound_nodes if id(node) in in_model) > 1:
            return False
    depth: dict[int, int] = {}
    counts: dict[int, int] = {}
    for node in nodes:  # each node follows its parents
        parents = [depth[id(p)] for p in node.parents if id(p) in depth]
        depth[id(node)] = 1 + max(parents) if parents else 0
        counts[depth[id(node)]] = counts.get(depth[id(node)], 0) + 1
    return all(count == 1 for count in counts.values())


def summary_rows(model: ModelSpec) -> list[SummaryRow]:
    """One row per layer in ``model.layers`` (a functional model lists its InputLayers, as
    Keras 3 does), with "Connected to" for a model that is not a chain."""
    connected = not is_sequential_like(model)
    in_model = {id(node) for node in getattr(model, "nodes", [])}
    rows = []
    for layer in model.layers:
        nodes = layer.inbound_nodes
        if layer.input_shape is None and not nodes:  # a model that has not seen its input yet
            rows.append(SummaryRow(layer.name, type(layer).__name__, "?", 0, None, built=False))
            continue
        # Keras shows the output of the layer's last call.
        shape = nodes[-1].output_shape if nodes else (layer.output_shape or ())
        cell = None
        if connected:
            sources = [
                tensor.name
                for node in nodes
                if id(node) in in_model
                for tensor in node.input_tensors
            ]
            cell = ", ".join(sources) or "-"
        rows.append(
            SummaryRow(
                layer.name, type(layer).__name__, format_shape(shape), layer.count_params(), cell
            )
        )
    return rows


def trainable_count(model: ModelSpec) -> int:
    """The weights ``fit`` updates: trainable weights of layers that are not frozen, where a
    wrapper's inner layer may be frozen on its own (Keras's rule, :func:`weight_owners`)."""
    return sum(
        spec.size
        for layer in model.layers
        for owner, trains in weight_owners(layer)
        if trains and owner.input_shape is not None
        for spec in owner.weight_specs()
        if spec.trainable
    )


def readable_size(n_bytes: float) -> str:
    """Keras's memory figure: 1024-based units, two decimals.

    >>> readable_size(29568 * 4), readable_size(0)
    ('115.50 KB', '0.00 B')
    """
    units = ["B", "KB", "MB", "GB", "TB"]
    if not isinstance(n_bytes, (int, float)):
        return f"{n_bytes} B"  # a size from data (rnnlens.symbolic.Size) stays a formula
    value = float(n_bytes)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            return f"{value:.2f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


SEQUENTIAL_POSITIONS = (0.45, 0.80, 1.0)
GRAPH_POSITIONS = (0.3, 0.56, 0.74, 1.0)


def column_widths(
    line_length: int = DEFAULT_LINE_LENGTH, positions: tuple[float, ...] = SEQUENTIAL_POSITIONS
) -> list[int]:
    """Text width of each column inside the borders, as Keras 3 (through rich) lays them out.

    Keras cuts ``line_length`` at ``positions``; rich adds one space of padding on each side
    of every cell and one border between and around them, and takes the excess
    (``3·columns + 1``) back evenly, rounding as Python's ``round`` does, first column first.

    >>> column_widths(76), column_widths(88), column_widths(76, GRAPH_POSITIONS)
    ([31, 22, 13], [36, 27, 15], [19, 17, 10, 17])
    """
    asked, current = [], 0
    for position in positions:
        asked.append(int(position * line_length) - current)
        current += asked[-1]
    excess, left = 3 * len(asked) + 1, len(asked)
    widths = []
    for width in asked:
        cut = round(excess / left)
        widths.append(width - cut)
        excess, left = excess - cut, left - 1
    if min(widths) < 1:
        raise ConfigError(f"summary line_length={line_length} is too narrow; use 40 or more")
    return widths


def wrap_cell(text: str, width: int) -> list[str]:
    """Split ``text`` into lines of at most ``width`` characters, as rich does in Keras's table.

    Words move to the next line when they do not fit; a word longer than the whole width
    gets a line of its own, cut with an ellipsis.

    >>> wrap_cell("time_distributed (TimeDistributed)", 31)
    ['time_distributed', '(TimeDistributed)']
    >>> wrap_cell("4,000,012,000,000", 13)
    ['4,000,012,00…']
    """
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        if len(word) > width:
            lines.append(word[: width - 1] + "…")
            current = ""
    if current or not lines:
        lines.append(current)
    return lines


def render_summary(model: ModelSpec, line_length: int | None = None) -> str:
    """The summary table as text, character for character like Keras 3's (float32 weights).

    Keras prints 76 characters wide when its output is not a terminal (a log, a notebook,
    ``print_fn``); rnnlens always does unless ``line_length`` says otherwise, so that the
    same model prints the same text everywhere.
    """
    rows = summary_rows(model)
    connected = bool(rows) and rows[0].connected_to is not None
    positions = GRAPH_POSITIONS if connected else SEQUENTIAL_POSITIONS
    widths = column_widths(line_length or DEFAULT_LINE_LENGTH, positions)
    header = ("Layer (type)", "Output Shape", "Param #", "Connected to")[: len(widths)]
    cells = [
        (
            f"{r.name} ({r.layer_type})",
            r.output_shape,
            f"{r.params:,}" if r.built else "0 (unbuilt)",
            r.connected_to or "",
        )[: len(widths)]
        for r in rows
    ]

    def line(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def row(values: tuple[str, ...], bar: str) -> list[str]:
        wrapped = [wrap_cell(value, width) for value, width in zip(values, widths)]
        height = max(len(lines) for lines in wrapped)
        out = []
        for i in range(height):
            texts = [lines[i] if i < len(lines) else "" for lines in wrapped]
            parts = [
                text.rjust(width) if column == 2 else text.ljust(width)
                for column, (text, width) in enumerate(zip(texts, widths))
            ]
            out.append(bar + bar.join(f" {p} " for p in parts) + bar)
        return out

    out = [
        f'Model: "{model.name}"',
        line("┏", "━", "┳", "┓"),
        *row(header, "┃"),
    ]
    out.append(line("┡", "━", "╇", "┩"))
    for i, values in enumerate(cells):
        if i:
            out.append(line("├", "─", "┼", "┤"))
        out.extend(row(values, "│"))
    out.append(line("└", "─", "┴", "┘"))
    out += [f" {line}" for line in total_lines(model, rows)]
    # Names come from files: no control character of theirs reaches a terminal.
    return "\n".join(safe_text(line) for line in out)


def total_lines(model: ModelSpec, rows: list[SummaryRow]) -> list[str]:
    """Keras's three totals under the table: total, trainable, non-trainable (float32 bytes)."""
    total = sum(r.params for r in rows)
    trainable = trainable_count(model)
    return [
        f"{label} params: {count:,} ({readable_size(count * 4)})"
        for label, count in (
            ("Total", total),
            ("Trainable", trainable),
            ("Non-trainable", total - trainable),
        )
    ]


def render_summary_html(model: ModelSpec) -> str:
    """The summary as an HTML table, the same rows and totals as :func:`render_summary`.

    What a notebook shows as a model's display. Layer names come from files, so every cell is
    escaped.
    """
    from html import escape

    rows = summary_rows(model)
    body = "".join(
        f"<tr><td>{escape(r.name)} ({escape(r.layer_type)})</td><td><code>"
        f"{escape(r.output_shape)}</code></td><td style='text-align:right'>{r.params:,}</td></tr>"
        for r in rows
    )
    totals = "<br>".join(total_lines(model, rows))
    return (
        f'<div class="rnnlens-summary"><b>Model: "{escape(model.name)}"</b>'
        "<table><tr><th style='text-align:left'>Layer (type)</th>"
        "<th style='text-align:left'>Output Shape</th><th style='text-align:right'>Param #</th>"
        f"</tr>{body}</table><p>{totals}</p></div>"
    )
