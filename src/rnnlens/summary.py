"""``model.summary()``: rows built as data, then drawn as Keras 3 draws them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import ConfigError
from .shapes import format_shape

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


def summary_rows(model: ModelSpec) -> list[SummaryRow]:
    """One row per layer, Input excluded (as Keras 3 prints it)."""
    return [
        SummaryRow(
            layer.name,
            type(layer).__name__,
            format_shape(layer.output_shape or ()),
            layer.count_params(),
        )
        for layer in model.layers
    ]


def readable_size(n_bytes: float) -> str:
    """Keras's memory figure: 1024-based units, two decimals.

    >>> readable_size(29568 * 4), readable_size(0)
    ('115.50 KB', '0.00 B')
    """
    units = ["B", "KB", "MB", "GB", "TB"]
    value = float(n_bytes)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            return f"{value:.2f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def column_widths(line_length: int = DEFAULT_LINE_LENGTH) -> list[int]:
    """Text width of each column inside the borders, as Keras 3 (through rich) lays them out.

    Keras splits ``line_length`` at 45 % and 80 %; rich then takes borders and padding out
    of the first and last column (3 characters) and the middle one (4).

    >>> column_widths(76), column_widths(88)
    ([31, 22, 13], [36, 27, 15])
    """
    first, second = int(0.45 * line_length), int(0.80 * line_length)
    widths = [first - 3, second - first - 4, line_length - second - 3]
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
    widths = column_widths(line_length or DEFAULT_LINE_LENGTH)
    cells = [(f"{r.name} ({r.layer_type})", r.output_shape, f"{r.params:,}") for r in rows]

    def line(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def row(values: tuple[str, str, str], bar: str) -> list[str]:
        wrapped = [wrap_cell(value, width) for value, width in zip(values, widths)]
        height = max(len(lines) for lines in wrapped)
        out = []
        for i in range(height):
            name, shape, count = (lines[i] if i < len(lines) else "" for lines in wrapped)
            parts = [name.ljust(widths[0]), shape.ljust(widths[1]), count.rjust(widths[2])]
            out.append(bar + bar.join(f" {p} " for p in parts) + bar)
        return out

    out = [
        f'Model: "{model.name}"',
        line("┏", "━", "┳", "┓"),
        *row(("Layer (type)", "Output Shape", "Param #"), "┃"),
    ]
    out.append(line("┡", "━", "╇", "┩"))
    for i, values in enumerate(cells):
        if i:
            out.append(line("├", "─", "┼", "┤"))
        out.extend(row(values, "│"))
    out.append(line("└", "─", "┴", "┘"))
    total = sum(r.params for r in rows)
    trainable = sum(layer.count_params() for layer in model.layers if layer.trainable)
    for label, count in (
        ("Total", total),
        ("Trainable", trainable),
        ("Non-trainable", total - trainable),
    ):
        out.append(f" {label} params: {count:,} ({readable_size(count * 4)})")
    return "\n".join(out)
