"""Markdown for a :class:`~rnnlens.explain.flow.Flow`: a section per layer, weights as a table.

The same facts as the terminal text, in the same order, each said once: the legend at the
end, every warning in its layer's section, the PyTorch comparison in one line unless
``torch=True``.
"""

from __future__ import annotations

from .flow import Flow, LayerFlow


def render_markdown(flow: Flow, *, legend: bool = True, torch: bool = False) -> str:
    """The explanation as GitHub-flavoured Markdown."""
    out = [
        f"# Model `{flow.model_name}`: how data flows through it",
        "",
        f"- **Input** `{flow.input_shape}`: batch first; `None` is the batch size, set by the "
        "data. Each sequence of a batch runs through the model on its own.",
        f"- **Pattern** {flow.pattern}",
        f"- **Per step** {flow.path}",
        f"- **Parameters** Keras {flow.params:,} · PyTorch {flow.torch_params:,}: "
        f"{flow.torch_difference}",
    ]
    if legend and flow.legend:
        out.append("- Symbols (σ, ⊙, h¹(t), …) are defined in the [legend](#legend) at the end.")
    for layer in flow.layers:
        out += ["", *_layer(layer, torch)]
    if flow.source_warnings:
        out += ["", "## Warnings", ""]
        out += [f"- ⚠ {warning}" for warning in flow.source_warnings]
    if flow.notes:
        out += ["", "## Notes", ""]
        out += [f"- {note}" for note in flow.notes]
    if legend and flow.legend:
        out += ["", "## Legend", "", "| symbol | meaning |", "|---|---|"]
        out += [f"| `{_cell(e.symbol)}` | {_cell(e.meaning)} |" for e in flow.legend]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    """Table-cell text: a pipe would end the cell."""
    return text.replace("|", "\\|")


def _layer(layer: LayerFlow, torch: bool) -> list[str]:
    out = [
        f"## {layer.index}. `{layer.name}` — {layer.title}",
        "",
        f"`{layer.input_shape}` → `{layer.output_shape}`",
        "",
    ]
    if layer.source_line:
        out.append(f"- **Code** `{layer.source_line}`")
    out.append(f"- **Receives** {layer.receives}")
    if layer.keeps and not layer.directions:
        out.append(f"- **Keeps** {layer.keeps}")
    for direction in layer.directions:
        out.append(
            f"- **{'Forward →' if direction.arrow == '→' else 'Backward ←'}** `{direction.name}` "
            f"reads {direction.reads}; keeps {direction.keeps}"
        )
    if layer.state_roles:
        out.append(f"- **State** {layer.state_roles}")
    if layer.connection:
        out.append(f"- **How {layer.width_in} becomes {layer.units}:** {layer.connection}")
    if layer.shares:
        out.append(f"- **Over time** {layer.shares}")
    if layer.merge:
        out.append(f"- **Merge** {layer.merge}")
    out.append(f"- **Hands on** {layer.hands_on}")
    if layer.final_states:
        out.append(f"- **At the end** {layer.final_states}")
    if layer.equations:
        out += ["", "```", *layer.equations, "```"]
    if layer.weights:
        out += ["", "| weight | shape | count | maps |", "|---|---|---:|---|"]
        out += [f"| `{w.name}` | `{w.shape}` | {w.count:,} | {w.role} |" for w in layer.weights]
    if layer.formula:
        out += ["", f"**Parameters (Keras)** {layer.formula}"]
    torch_text = layer.torch_note if torch else layer.torch_line
    if torch_text:
        out += ["", f"**PyTorch** {torch_text}"]
    if layer.what_ifs:
        out += ["", "**What if**", ""]
        out += [f"- `{w.argument}={w.value}`: {w.sentence}" for w in layer.what_ifs]
    for note in layer.notes:
        out += ["", f"*Note:* {note}"]
    for warning in layer.warnings:
        out += ["", f"> ⚠ **Warning** {warning}"]
    return out
