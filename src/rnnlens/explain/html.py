"""HTML for a :class:`~rnnlens.explain.flow.Flow`: the panel a notebook shows.

The same facts as the terminal text, in the same order: a section per layer with a table of
labelled rows, the equations as preformatted text, the weights as a table, warnings marked.
Everything is escaped (layer names come from files); the styles are scoped to the panel's
class so they cannot restyle the notebook around it.
"""

from __future__ import annotations

from html import escape

from .flow import Flow, LayerFlow
from .text import opening_rows

_STYLE = """<style>
.rnnlens-explain{font-family:system-ui,sans-serif;font-size:13px;line-height:1.4;max-width:60em}
.rnnlens-explain section{border:1px solid #ccc;border-radius:6px;margin:.6em 0;padding:.4em .8em}
.rnnlens-explain h3{font-size:14px;margin:.2em 0}
.rnnlens-explain .shapes{color:#555;font-family:monospace}
.rnnlens-explain table{border-collapse:collapse;margin:.3em 0}
.rnnlens-explain th{text-align:left;vertical-align:top;padding:2px 10px 2px 0;color:#333;white-space:nowrap}
.rnnlens-explain td{vertical-align:top;padding:2px 6px 2px 0}
.rnnlens-explain pre{background:#f6f6f6;padding:.4em;margin:.3em 0;white-space:pre-wrap}
.rnnlens-explain .warning{color:#8a4b00}
.rnnlens-explain .weights td,.rnnlens-explain .weights th{border-bottom:1px solid #eee}
</style>"""


def render_html(flow: Flow, *, legend: bool = True, torch: bool = False) -> str:
    """The explanation as one self-contained HTML ``<div class="rnnlens-explain">``."""
    out = [
        '<div class="rnnlens-explain">',
        _STYLE,
        f"<h2>Model <code>{escape(flow.model_name)}</code>: how data flows through it</h2>",
        _rows(
            [
                (
                    "input",
                    f"{flow.input_shape}: batch first; None is the batch size, set by the data",
                ),
                ("pattern", flow.pattern),
                ("per step", flow.path),
                (
                    "parameters",
                    f"Keras {flow.params:,} · PyTorch {flow.torch_params:,}: {flow.torch_difference}",
                ),
            ]
        ),
    ]
    out += [_layer(layer, torch) for layer in flow.layers]
    out += [f'<p class="warning">⚠ {escape(w)}</p>' for w in flow.source_warnings]
    out += [f"<p>Note: {escape(note)}</p>" for note in flow.notes]
    if legend and flow.legend:
        out.append("<h3>Legend</h3>")
        out.append(_rows([(entry.symbol, entry.meaning) for entry in flow.legend]))
    out.append("</div>")
    return "\n".join(out)


def _rows(rows: list[tuple[str, str]], css: str = "") -> str:
    cells = "".join(
        f"<tr{css}><th>{escape(label)}</th><td>{escape(text)}</td></tr>" for label, text in rows
    )
    return f"<table>{cells}</table>"


def _layer(layer: LayerFlow, torch: bool) -> str:
    rows = opening_rows(layer)
    if layer.connection:
        rows.append((f"{layer.width_in} → {layer.units}", layer.connection))
    if layer.shares:
        rows.append(("over time", layer.shares))
    if layer.merge:
        rows.append(("merge", layer.merge))
    rows.append(("hands on", layer.hands_on))
    if layer.final_states:
        rows.append(("at the end", layer.final_states))
    if layer.formula:
        rows.append(("params", f"Keras {layer.formula}"))
    torch_text = layer.torch_note if torch else layer.torch_line
    if torch_text:
        rows.append(("PyTorch", torch_text))
    rows += [(f"what if {w.argument}={w.value}", w.sentence) for w in layer.what_ifs]
    rows += [("note", note) for note in layer.notes]
    parts = [
        "<section>",
        f"<h3>{layer.index}. <code>{escape(layer.name)}</code> · {escape(layer.title)}</h3>",
        f'<div class="shapes">{escape(layer.input_shape)} → {escape(layer.output_shape)}</div>',
        _rows(rows),
    ]
    if layer.equations:
        parts.append(f"<pre>{escape(chr(10).join(layer.equations))}</pre>")
    if layer.weights:
        body = "".join(
            f"<tr><td><code>{escape(w.name)}</code></td><td>{escape(str(w.shape))}</td>"
            f'<td style="text-align:right">{w.count:,}</td><td>{escape(w.role)}</td></tr>'
            for w in layer.weights
        )
        parts.append(
            '<table class="weights"><tr><th>weight</th><th>shape</th><th>count</th>'
            f"<th>maps</th></tr>{body}</table>"
        )
    parts += [f'<p class="warning">⚠ {escape(w)}</p>' for w in layer.warnings]
    parts.append("</section>")
    return "\n".join(parts)
