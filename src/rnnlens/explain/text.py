"""Terminal text for a :class:`~rnnlens.explain.flow.Flow`: one box per layer, plain Unicode.

Lines wrap at ``width`` with a hanging indent so the labels on the left stay readable.
``color=True`` adds ANSI bold to titles and yellow to warnings; nothing else changes.
"""

from __future__ import annotations

import textwrap

from ..show import safe_text
from .flow import Flow, LayerFlow

_LABEL = 11  # width of the label column: "receives   "
_BOLD, _YELLOW, _RESET = "\033[1m", "\033[33m", "\033[0m"


def render_text(flow: Flow, color: bool = False, width: int = 100) -> str:
    """The whole explanation as text, ``width`` characters wide at most."""
    bold = (lambda s: f"{_BOLD}{s}{_RESET}") if color else (lambda s: s)
    warn = (lambda s: f"{_YELLOW}{s}{_RESET}") if color else (lambda s: s)
    out = [bold(f"Model '{flow.model_name}' — how data flows through it, layer by layer")]
    out += _wrap("input", _input_line(flow), width, "")
    out += _wrap("pattern", flow.pattern, width, "")
    out += _wrap("per step", flow.path, width, "")
    for layer in flow.layers:
        out.append("")
        out += _layer_box(layer, width, bold, warn)
    out.append("")
    out += _wrap(
        "parameters",
        f"Keras {flow.params:,} · PyTorch {flow.torch_params:,}"
        + (
            " (PyTorch keeps two bias vectors per recurrent layer where Keras keeps one; same function)"
            if flow.torch_params != flow.params
            else ""
        ),
        width,
        "",
    )
    for warning in flow.warnings:
        out += [warn(line) for line in _wrap("⚠ warning", warning, width, "")]
    for note in flow.notes:
        out += _wrap("note", note, width, "")
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
        f"{_count(flow.features, 'feature')} (None is the batch size, free)"
    )


def _count(n: object, noun: str) -> str:
    """``12 time steps``, ``1 feature``: a shape reads as a sentence."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _layer_box(layer: LayerFlow, width: int, bold: object, warn: object) -> list[str]:
    assert callable(bold) and callable(warn)
    head = f"┌─ {layer.index}. {layer.name} · {layer.title} "
    shapes = f" {layer.input_shape} → {layer.output_shape}"
    fill = max(3, width - len(head) - len(shapes))
    lines = [bold(head + "─" * fill + shapes)]
    rows: list[tuple[str, str]] = [("receives", layer.receives)]
    if layer.keeps:
        rows.append(("keeps", layer.keeps))
    for direction in layer.directions:
        label = "forward →" if direction.arrow == "→" else "backward ←"
        rows.append(
            (label, f"'{direction.name}' reads {direction.reads}; hands on {direction.hands_on}")
        )
    for i, equation in enumerate(layer.equations):
        rows.append(("computes" if i == 0 else "", equation))
    if layer.connection:
        rows.append((f"{layer.width_in} → {layer.units}", layer.connection))
    if layer.merge:
        rows.append(("merge", layer.merge))
    name_width = max((len(w.name) for w in layer.weights), default=0)
    shape_width = max((len(str(w.shape)) for w in layer.weights), default=0)
    count_width = max((len(f"{w.count:,}") for w in layer.weights), default=0)
    for i, weight in enumerate(layer.weights):
        rows.append(
            (
                "weights" if i == 0 else "",
                f"{weight.name.ljust(name_width)}  {str(weight.shape).ljust(shape_width)}  "
                f"{f'{weight.count:,}'.rjust(count_width)}  {weight.role}",
            )
        )
    if layer.formula:
        rows.append(("params", f"Keras {layer.formula}"))
    if layer.torch_note:
        rows.append(("", layer.torch_note))
    rows.append(("hands on", layer.hands_on))
    for note in layer.notes:
        rows.append(("note", note))
    for label, text in rows:
        lines += _wrap(label, text, width, "│ ")
    for warning in layer.warnings:
        lines += [warn(line) for line in _wrap("⚠ warning", warning, width, "│ ")]
    lines.append("└" + "─" * 2)
    return lines


def _wrap(label: str, text: str, width: int, border: str) -> list[str]:
    """``label`` in the left column, ``text`` wrapped beside it with a hanging indent."""
    first = border + label.ljust(_LABEL) + " "
    rest = border + " " * (_LABEL + 1)
    wrapped = textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return wrapped or [first.rstrip()]
