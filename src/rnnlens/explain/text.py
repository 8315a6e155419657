"""Terminal text for a :class:`~rnnlens.explain.flow.Flow`: one box per layer, plain Unicode.

Lines wrap at ``width`` with a hanging indent so the labels on the left stay readable, and
only at sensible points (see :mod:`.wrap`): a formula or a shape never breaks across lines.
``color=True`` adds ANSI bold to titles and yellow to warnings; nothing else changes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from ..show import safe_text
from .flow import Flow, LayerFlow
from .wrap import LABEL, display_width, wrap_row

_BOLD, _YELLOW, _RESET = "\033[1m", "\033[33m", "\033[0m"
Paint = Callable[[str], str]


def render_text(
    flow: Flow, color: bool = False, width: int = 100, *, legend: bool = True, torch: bool = False
) -> str:
    """The whole explanation as text, ``width`` characters wide at most.

    Args:
        flow: the explanation.
        color: ANSI bold titles and yellow warnings.
        width: the widest line, in terminal columns (at least 60 reads well).
        legend: end with the legend of symbols and terms.
        torch: the full PyTorch comparison per layer instead of one line.
    """
    bold: Paint = (lambda s: f"{_BOLD}{s}{_RESET}") if color else (lambda s: s)
    warn: Paint = (lambda s: f"{_YELLOW}{s}{_RESET}") if color else (lambda s: s)
    title = f"Model '{flow.model_name}' — how data flows through it, layer by layer"
    out = [bold(line) for line in textwrap.wrap(title, width=width)]
    if legend and flow.legend:
        out += wrap_row(
            "", "Symbols such as σ, ⊙ and h¹(t) are defined in the legend at the end.", width, ""
        )
    out += wrap_row("input", _input_line(flow), width, "")
    out += wrap_row("pattern", flow.pattern, width, "")
    out += wrap_row("per step", flow.path, width, "")
    for layer in flow.layers:
        out.append("")
        out += _layer_box(layer, width, bold, warn, torch)
    out.append("")
    hint = "" if torch or not any(lf.torch_note for lf in flow.layers) else " (--torch: in full)"
    out += wrap_row(
        "parameters",
        f"Keras {flow.params:,} · PyTorch {flow.torch_params:,}: {flow.torch_difference}{hint}",
        width,
        "",
    )
    for warning in flow.source_warnings:
        out += [warn(line) for line in wrap_row("⚠ warning", warning, width, "")]
    for note in flow.notes:
        out += wrap_row("note", note, width, "")
    if legend and flow.legend:
        out += ["", bold("Legend")]
        pad = min(max(display_width(e.symbol) for e in flow.legend), LABEL + 6)
        for entry in flow.legend:
            out += wrap_row(entry.symbol, entry.meaning, width, "", label_width=pad)
    # Names come from files: no control character of theirs reaches a terminal.
    return "\n".join(safe_text(line, keep_colour=color) for line in out)


def _input_line(flow: Flow) -> str:
    if flow.steps is None and flow.input_shape.count(",") >= 2:
        return (
            f"{flow.input_shape}: batches of sequences of any length, "
            f"{_count(flow.features, 'feature')} per step"
        )
    if flow.steps is None:
        return f"{flow.input_shape}: batches of {flow.features}-vectors"
    return (
        f"{flow.input_shape}: batches of sequences, {_count(flow.steps, 'time step')} × "
        f"{_count(flow.features, 'feature')}; None is the batch size, set by the data. Each "
        "sequence of a batch runs through the model on its own, in parallel with the others"
    )


def _count(n: object, noun: str) -> str:
    """``12 time steps``, ``1 feature``: a shape reads as a sentence."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _header(layer: LayerFlow, width: int) -> list[str]:
    head = f"┌─ {layer.index}. {layer.name} · {layer.title} "
    shapes = f" {layer.input_shape} → {layer.output_shape}"
    fill = width - display_width(head) - display_width(shapes)
    if fill >= 3:
        return [head + "─" * fill + shapes]
    short = f"┌─ {layer.index}. {layer.name} "
    if display_width(head) + 3 > width:  # the title goes on the line below the name
        return [
            short + "─" * (width - display_width(short)),
            *wrap_row("", f"{layer.title}:{shapes}", width, "│ "),
        ]
    return [head + "─" * (width - display_width(head)), *wrap_row("", shapes.strip(), width, "│ ")]


def _layer_box(layer: LayerFlow, width: int, bold: Paint, warn: Paint, torch: bool) -> list[str]:
    lines = [bold(line) for line in _header(layer, width)]
    rows = opening_rows(layer)
    formula_rows = [("computes" if i == 0 else "", e) for i, e in enumerate(layer.equations)]
    if layer.connection:
        connection = [(f"{layer.width_in} → {layer.units}", layer.connection)]
    else:
        connection = []
    for label, text in rows:
        lines += wrap_row(label, text, width, "│ ")
    for label, text in formula_rows:
        lines += wrap_row(label, text, width, "│ ", formula=True)
    rows = connection
    if layer.shares:
        rows.append(("over time", layer.shares))
    for label, text in rows:
        lines += wrap_row(label, text, width, "│ ")
    lines += _weights(layer, width)
    rows = []
    if layer.formula:
        rows.append(("params", f"Keras {layer.formula}"))
    torch_text = layer.torch_note if torch else layer.torch_line
    if torch_text:
        rows.append(("" if layer.formula else "params", torch_text))
    if layer.merge:
        rows.append(("merge", layer.merge))
    rows.append(("hands on", layer.hands_on))
    if layer.final_states:
        rows.append(("at the end", layer.final_states))
    for i, what_if in enumerate(layer.what_ifs):
        rows.append(
            ("what if" if i == 0 else "", f"{what_if.argument}={what_if.value}: {what_if.sentence}")
        )
    for note in layer.notes:
        rows.append(("note", note))
    for label, text in rows:
        lines += wrap_row(label, text, width, "│ ")
    for warning in layer.warnings:
        lines += [warn(line) for line in wrap_row("⚠ warning", warning, width, "│ ")]
    lines.append("└" + "─" * 2)
    return lines


def opening_rows(layer: LayerFlow) -> list[tuple[str, str]]:
    """What a layer's box starts with, as (label, text): its code line, what it receives,
    what it keeps (per direction), what its states do. Shared with :mod:`.html`."""
    rows: list[tuple[str, str]] = []
    if layer.source_line:
        rows.append(("code", layer.source_line))
    rows.append(("receives", layer.receives))
    if layer.keeps and not layer.directions:
        rows.append(("keeps", layer.keeps))
    for direction in layer.directions:
        label = "forward →" if direction.arrow == "→" else "backward ←"
        rows.append((label, f"'{direction.name}' reads {direction.reads}; keeps {direction.keeps}"))
    if layer.state_roles:
        rows.append(("h and c" if "c(t)" in layer.state_roles else "state", layer.state_roles))
    return rows


def _weights(layer: LayerFlow, width: int) -> list[str]:
    """The weight table: name, shape, count aligned; the role wraps under its own column."""
    if not layer.weights:
        return []
    name_w = max(len(w.name) for w in layer.weights)
    shape_w = max(len(str(w.shape)) for w in layer.weights)
    count_w = max(len(f"{w.count:,}") for w in layer.weights)
    lines: list[str] = []
    for i, weight in enumerate(layer.weights):
        cells = (
            f"{weight.name.ljust(name_w)}  {str(weight.shape).ljust(shape_w)}  "
            f"{f'{weight.count:,}'.rjust(count_w)}  "
        )
        indent = LABEL + 1 + len(cells)
        if width - 2 - indent >= 24:  # room for the role beside the columns
            lines += wrap_row(
                "weights" if i == 0 else "", cells + weight.role, width, "│ ", hang=indent
            )
        else:
            lines += wrap_row("weights" if i == 0 else "", cells.rstrip(), width, "│ ")
            lines += wrap_row("", weight.role, width, "│ ", hang=LABEL + 3, label_width=LABEL + 2)
    return lines
