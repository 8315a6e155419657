"""The diagram's recurrent rows: state arrows through time, and Bidirectional's three rows.

State arrows are labelled once per row with their sizes (``h 32``, ``c 32``) and the matrix
that carries h (``recurrent_kernel 32 × 128``); the other arrows of the row show the letter
only, since the same state and the same matrix pass at every step.
"""

from __future__ import annotations

from .flow import LayerFlow
from .svg_drawing import CELL_H, GAP, Drawing, Point, kernel_label


def recurrent_states(
    d: Drawing, layer: LayerFlow, labels: list[str], top: float, reverse: bool
) -> None:
    """State arrows between neighbouring cells (dashed across the fold), h and c apart."""
    lstm = bool(layer.state_roles and "c(t)" in layer.state_roles)
    kind = "back" if reverse else "state"
    h_y = top + (36 if lstm else 32)
    gaps = [c for c in range(len(labels) - 1) if "…" not in (labels[c], labels[c + 1])]
    labelled = (max(gaps) if reverse else min(gaps)) if gaps else -1
    matrix = kernel_label(layer, "recurrent_kernel")
    for column in range(len(labels) - 1):
        left, right = d.x(column) + d.cell_w / 2, d.x(column + 1) - d.cell_w / 2
        dashed = column not in gaps
        if dashed:
            left, right = (
                (left, d.x(column + 1) - 12)
                if labels[column + 1] == "…"
                else (d.x(column) + 12, right)
            )
        for y, arrow in ((h_y, kind), (top + 8, "cell")) if lstm else ((h_y, kind),):
            points = [(right, y), (left, y)] if reverse else [(left, y), (right, y)]
            d.arrow(points, arrow, dashed)
        if dashed:
            continue
        mid = (left + right) / 2
        first = column == labelled
        d.text(mid, h_y - 5, f"h {layer.units}" if first else "h", "middle")
        if lstm:
            d.text(mid, top + 4, f"c {layer.units}" if first else "c", "middle")
        if first and matrix:
            name, dims = matrix.split(" ", 1)
            d.text(mid, top + CELL_H + 11, name, "middle", "matrix")
            d.text(mid, top + CELL_H + 22, dims, "middle", "matrix")


def bidirectional(
    d: Drawing, layer: LayerFlow, outs: dict[int, Point], width_in: int
) -> dict[int, Point]:
    """Forward row, backward row (its arrows reversed), then the merge row."""
    labels = d.columns_of(layer.steps)
    u = layer.units or 0
    fwd, back = layer.directions
    kernel = kernel_label(layer, "kernel")
    forward_top = d.row_top()
    d.label(
        forward_top + 14,
        [*d._row_lines(layer)[:1], f"→ {fwd.name}, reads x(1)…x(T)", *d._row_lines(layer)[2:]],
    )
    forward_in, forward_out = d.cells(layer, labels, forward_top, "recurrent", "forward", u)
    recurrent_states(d, layer, labels, forward_top, reverse=False)
    d.connect(outs, forward_in, width_in, kernel)
    d.y += GAP - 30  # the backward row sits close above the forward row
    backward_top = d.row_top()
    d.label(backward_top + 14, [f"← {back.name}", "reads x(T)…x(1), its own weights"])
    backward_in, backward_out = d.cells(layer, labels, backward_top, "backward", "backward", u)
    recurrent_states(d, layer, labels, backward_top, reverse=True)
    side = d.cell_w / 2 + (d.column - d.cell_w) / 2
    # The same x(t) also reaches the backward row, up the right-hand side of the forward cell.
    for column, source in outs.items():
        if column in backward_in:
            x, y = backward_in[column]
            d.arrow(
                [
                    (source[0] + 8, source[1]),
                    (x + side - 8, forward_top + CELL_H + 6),
                    (x + side - 8, y + 8),
                    (x + 16, y),
                ]
            )
    merge_top = d.row_top(30)
    merge = (layer.merge or "").split(":")[0]
    d.label(merge_top + 14, ["merge", f"{merge} → {layer.output_shape}"])
    if layer.sequence_out:
        merge_in, merge_out = d.cells(layer, labels, merge_top, "merge", merge, layer.width_out)
        for column, target in merge_in.items():
            fx, fy = forward_out[column]
            d.arrow(
                [
                    (fx - 14, fy),
                    (fx - side + 8, fy - 6),
                    (fx - side + 8, target[1] + 10),
                    (target[0] - 16, target[1]),
                ]
            )
            d.arrow([backward_out[column], target])
        first = min(merge_in)
        d.text(merge_in[first][0] + 6, merge_in[first][1] + 14, f"h← {u}")
        d.text(forward_out[first][0] - side + 12, forward_out[first][1] - 22, f"h→ {u}")
        return merge_out
    last = max(forward_out)
    target = d.box(last, merge_top, CELL_H, "merge", [merge, str(layer.width_out)], "1", layer.name)
    fx, fy = forward_out[last]
    d.arrow(
        [
            (fx - 14, fy),
            (fx - side + 8, fy - 6),
            (fx - side + 8, target[1] + 10),
            (target[0] - 16, target[1]),
        ]
    )
    d.text(fx - side + 12, fy - 22, f"h→ {u}")
    bx, by = backward_out[min(backward_out)]
    d.arrow([(bx, by), (bx, by - 16), (target[0] + 16, by - 16), (target[0] + 16, target[1])])
    d.text(bx + 6, by - 20, f"h← {u}")
    return {last: (d.x(last), merge_top)}
