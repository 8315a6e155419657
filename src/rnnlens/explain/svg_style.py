"""The diagram's look: CSS, arrow heads and the legend lines under the picture."""

from __future__ import annotations

STYLE = """
text { font-family: 'DejaVu Sans', Arial, sans-serif; fill: #1f2933; }
.title { font-size: 17px; font-weight: bold; }
.sub { font-size: 12px; fill: #52606d; }
.row { font-size: 12px; font-weight: bold; }
.rowsub { font-size: 11px; fill: #52606d; }
.band { fill: #f8fafc; stroke: #e2e8f0; }
.cell rect { stroke-width: 1.6; rx: 7; }
.recurrent rect { fill: #dbeafe; stroke: #1d4ed8; }
.backward rect { fill: #fde68a; stroke: #b45309; }
.per_step rect, .vector rect { fill: #dcfce7; stroke: #15803d; }
.repeat rect { fill: #f3e8ff; stroke: #7e22ce; }
.merge rect { fill: #fce7f3; stroke: #be185d; }
.cell text, .io-cell text { font-size: 12px; text-anchor: middle; }
.cell text.size { font-size: 11px; }
.io-cell rect { fill: #f1f5f9; stroke: #64748b; stroke-width: 1.2; }
.size { font-size: 11px; fill: #334155; }
.matrix { font-size: 10px; fill: #0f766e; }
.state { stroke: #1d4ed8; stroke-width: 1.8; fill: none; }
.state.back { stroke: #b45309; }
.state.cstate { stroke: #7e22ce; }
.up { stroke: #334155; stroke-width: 1.4; fill: none; }
.fold { stroke-dasharray: 4 3; }
.dots { font-size: 20px; fill: #64748b; }
.legend-title { font-size: 12px; font-weight: bold; }
.legend { font-size: 11px; fill: #334155; }
"""

#: Under the picture; a line that starts with a colour word is shown only when it applies.
LEGEND = [
    "number in a box: how many numbers that cell hands on at that step (its units, or the merged width)",
    "number beside an up arrow: the size of the vector it carries up; x(t) is the input at step t",
    "kernel d × n (green, on an up arrow): the matrix that takes the d numbers coming up; "
    "the same matrix at every step",
    "blue arrow →: the hidden state h carried to the next step through recurrent_kernel "
    "(one matrix, the same at every step)",
    "purple arrow: the LSTM cell state c, carried to the next step inside the layer; "
    "it is never handed up",
    "orange row ←: the backward direction, which reads x(T) first; "
    "its state goes from step t+1 to step t",
    "pink row: the merge of the forward and backward h at each step (no weights)",
    "dashed arrows and …: steps not drawn; every one of them is computed the same way",
]


def markers() -> str:
    """Arrow heads, one per arrow colour."""
    colors = (("up", "#334155"), ("state", "#1d4ed8"), ("back", "#b45309"), ("c", "#7e22ce"))
    return (
        "<defs>"
        + "".join(
            f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>'
            for name, color in colors
        )
        + "</defs>"
    )
