"""Markdown for a :class:`~rnnlens.explain.flow.Flow`: a section per layer, weights as a table."""

from __future__ import annotations

from .flow import Flow, LayerFlow


def render_markdown(flow: Flow) -> str:
    """The explanation as GitHub-flavoured Markdown."""
    out = [
        f"# Model `{flow.model_name}`: how data flows through it",
        "",
        f"- **Input** `{flow.input_shape}` (batch first; `None` is the free batch size)",
        f"- **Pattern** {flow.pattern}",
        f"- **Per step** {flow.path}",
        f"- **Parameters** Keras {flow.params:,} · PyTorch {flow.torch_params:,}",
    ]
    for layer in flow.layers:
        out += ["", *_layer(layer)]
    if flow.warnings:
        out += ["", "## Warnings", ""]
        out += [f"- ⚠ {warning}" for warning in flow.warnings]
    if flow.notes:
        out += ["", "## Notes", ""]
        out += [f"- {note}" for note in flow.notes]
    return "\n".join(out) + "\n"


def _layer(layer: LayerFlow) -> list[str]:
    out = [
        f"## {layer.index}. `{layer.name}` — {layer.title}",
        "",
        f"`{layer.input_shape}` → `{layer.output_shape}`",
        "",
        f"- **Receives** {layer.receives}",
    ]
    if layer.keeps:
        out.append(f"- **Keeps** {layer.keeps}")
    for direction in layer.directions:
        out.append(
            f"- **{'Forward →' if direction.arrow == '→' else 'Backward ←'}** `{direction.name}` "
            f"reads {direction.reads}; hands on {direction.hands_on}"
        )
    if layer.merge:
        out.append(f"- **Merge** {layer.merge}")
    if layer.connection:
        out.append(f"- **How {layer.width_in} becomes {layer.units}:** {layer.connection}")
    out.append(f"- **Hands on** {layer.hands_on}")
    if layer.equations:
        out += ["", "```", *layer.equations, "```"]
    if layer.weights:
        out += ["", "| weight | shape | count | maps |", "|---|---|---:|---|"]
        out += [f"| `{w.name}` | `{w.shape}` | {w.count:,} | {w.role} |" for w in layer.weights]
    if layer.formula:
        out += ["", f"**Parameters (Keras)** {layer.formula}"]
    if layer.torch_note:
        out += ["", f"**PyTorch** {layer.torch_note}"]
    for note in layer.notes:
        out += ["", f"*Note:* {note}"]
    for warning in layer.warnings:
        out += ["", f"> ⚠ **Warning** {warning}"]
    return out
