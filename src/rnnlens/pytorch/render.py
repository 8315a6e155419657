"""Text and Markdown for a :class:`~rnnlens.pytorch.explain.TorchExplanation`.

The text reuses the label-column wrapping of :mod:`rnnlens.explain.wrap`, so a torch model
reads like a Keras one: a box per recurrent module, then the module table and the warnings.
"""

from __future__ import annotations

from typing import Any

from ..explain.wrap import wrap_row as _wrap
from .explain import RecurrentExplanation, TorchExplanation
from .modules import size_text


def shape_text(shape: Any) -> str:
    """``(32, 10, 128)``; a tuple of shapes as ``((4, 32, 64), (4, 32, 64))``; ``?`` unknown."""
    if shape is None:
        return "?"
    if isinstance(shape, tuple) and shape and all(isinstance(s, tuple) or s is None for s in shape):
        return "(" + ", ".join(shape_text(s) for s in shape) + ")"
    if isinstance(shape, tuple):
        inner = ", ".join(size_text(d) if d is not None else "?" for d in shape)
        return f"({inner},)" if len(shape) == 1 else f"({inner})"
    return str(shape)


def render_text(e: TorchExplanation, width: int = 100) -> str:
    """The explanation as plain Unicode text, ``width`` columns at most."""
    out = [f"PyTorch module '{e.name}' — {size_text(e.params)} parameters (sum of p.numel())"]
    for r in e.recurrent:
        out += ["", *_recurrent_box(r, width)]
    if e.rows:
        out += ["", "modules (as forward calls them)"]
        path_w = max(len(r.path) for r in e.rows)
        type_w = max(len(r.type_name) for r in e.rows)
        for row in e.rows:
            calls = (
                f"  ×{row.calls}" if row.calls > 1 else ("  (not called)" if row.calls == 0 else "")
            )
            out.append(
                f"  {row.path.ljust(path_w)}  {row.type_name.ljust(type_w)}  "
                f"{shape_text(row.input_shape)} → {shape_text(row.output_shape)}  "
                f"{size_text(row.params)} params{calls}"
            )
    for warning in e.warnings:
        out += _wrap("⚠ warning", warning.message, width, "")
    for note in e.notes:
        out += _wrap("note", note, width, "")
    return "\n".join(out)


def _recurrent_box(r: RecurrentExplanation, width: int) -> list[str]:
    head = f"┌─ {r.path} · {r.constructor} "
    lines = [head + "─" * max(3, width - len(head))]
    rows: list[tuple[str, str]] = []
    if r.input_shape is not None:
        rows.append(("input", shape_text(r.input_shape)))
    rows.append(("returns", ", ".join(f"{k} {shape_text(v)}" for k, v in r.shapes.items())))
    for i, eq in enumerate(r.equations):
        rows.append(("computes" if i == 0 else "", eq))
    for layer in r.layers:
        label = f"layer {layer.layer}" if r.state_table else "cell"
        rows.append((label, f"reads {layer.reads}"))
        name_w = max(len(p.name) for p in layer.params)
        shape_w = max(len(shape_text(p.shape)) for p in layer.params)
        for p in layer.params:
            rows.append(
                (
                    "",
                    f"{p.name.ljust(name_w)}  {shape_text(p.shape).ljust(shape_w)}  {size_text(p.count)}  {p.role}",
                )
            )
        if layer.formula:
            rows.append(("", f"params per direction: {layer.formula}"))
    if r.state_table:
        table = ", ".join(
            f"h_n[{row.index}] = layer {row.layer} {row.direction}" for row in r.state_table
        )
        rows.append(("h_n index", f"{table} (index = layer·num_directions + direction)"))
    for note in r.notes:
        rows.append(("note", note))
    rows.append(("params", f"{size_text(r.params)} in all"))
    if r.keras_line:
        rows.append(("Keras", r.keras_line))
    for label, text in rows:
        lines += _wrap(label, text, width, "│ ")
    lines.append("└──")
    return lines


def render_markdown(e: TorchExplanation) -> str:
    """The explanation as GitHub-flavoured Markdown."""
    out = [
        f"# PyTorch module `{e.name}`",
        "",
        f"- **Parameters** {size_text(e.params)} (sum of `p.numel()`)",
    ]
    for r in e.recurrent:
        out += ["", f"## `{r.path}`: `{r.constructor}`", ""]
        if r.input_shape is not None:
            out.append(f"- **Input** `{shape_text(r.input_shape)}`")
        out.append(
            "- **Returns** " + ", ".join(f"`{k}` `{shape_text(v)}`" for k, v in r.shapes.items())
        )
        out += [
            "",
            "```",
            *r.equations,
            "```",
            "",
            "| parameter | shape | count | role |",
            "|---|---|---:|---|",
        ]
        for layer in r.layers:
            out += [
                f"| `{p.name}` | `{shape_text(p.shape)}` | {size_text(p.count)} | {p.role} |"
                for p in layer.params
            ]
        out.append("")
        out += [
            f"- layer {layer.layer} reads {layer.reads}; per direction {layer.formula}"
            for layer in r.layers
            if layer.formula
        ]
        if r.state_table:
            out += ["", "| `h_n` index | layer | direction |", "|---:|---:|---|"]
            out += [f"| {row.index} | {row.layer} | {row.direction} |" for row in r.state_table]
        out += ["", *[f"- {note}" for note in r.notes]]
        if r.keras_line:
            out.append(f"- *Keras's convention:* {r.keras_line}")
    if e.rows:
        out += [
            "",
            "## Modules",
            "",
            "| module | type | input | output | params |",
            "|---|---|---|---|---:|",
        ]
        out += [
            f"| `{r.path}` | {r.type_name} | `{shape_text(r.input_shape)}` | `{shape_text(r.output_shape)}` | {size_text(r.params)} |"
            for r in e.rows
        ]
    if e.warnings:
        out += ["", "## Warnings", "", *[f"- ⚠ {w.message}" for w in e.warnings]]
    if e.notes:
        out += ["", "## Notes", "", *[f"- {n}" for n in e.notes]]
    return "\n".join(out) + "\n"
