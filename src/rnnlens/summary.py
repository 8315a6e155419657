"""``model.summary()``: rows built as data, then drawn as Keras 3 draws them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .shapes import format_shape

if TYPE_CHECKING:
    from .model import Sequential

# Keras 3's column widths (text inside the borders) for a Sequential summary.
_WIDTHS = (31, 22, 13)


@dataclass(frozen=True)
class SummaryRow:
    name: str
    layer_type: str
    output_shape: str
    params: int


def summary_rows(model: Sequential) -> list[SummaryRow]:
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


def render_summary(model: Sequential, line_length: int | None = None) -> str:
    """The summary table as text, character for character like Keras 3's (float32 weights)."""
    rows = summary_rows(model)
    cells = [(f"{r.name} ({r.layer_type})", r.output_shape, f"{r.params:,}") for r in rows]
    widths = [max(w, *(len(c[i]) for c in cells)) if cells else w for i, w in enumerate(_WIDTHS)]
    if line_length is not None:
        extra = line_length - (sum(widths) + 3 * 2 + 4)
        if extra > 0:
            widths[0] += extra

    def line(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def row(values: tuple[str, str, str], bar: str) -> str:
        name, shape, count = values
        parts = [name.ljust(widths[0]), shape.ljust(widths[1]), count.rjust(widths[2])]
        return bar + bar.join(f" {p} " for p in parts) + bar

    out = [
        f'Model: "{model.name}"',
        line("┏", "━", "┳", "┓"),
        row(("Layer (type)", "Output Shape", "Param #"), "┃"),
    ]
    out.append(line("┡", "━", "╇", "┩"))
    for i, values in enumerate(cells):
        if i:
            out.append(line("├", "─", "┼", "┤"))
        out.append(row(values, "│"))
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
