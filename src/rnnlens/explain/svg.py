"""The unrolled time × layer diagram as one self-contained SVG (no scripts, fonts or links).

Time runs left to right, layers bottom to top, the input below and the output above: one
cell per layer per step, arrows for the state carried in time and for what each step hands
up, every arrow labelled with its vector size. Drawn from :class:`~rnnlens.explain.flow.Flow`,
so it shows the real model: many-to-one layers send only their last step up, Bidirectional
layers get a forward row, a backward row with reversed arrows and a merge row, and long
sequences fold into ``t = 1, 2, 3, …, T``.

>>> from rnnlens import Sequential
>>> from rnnlens.layers import LSTM
>>> model = Sequential([LSTM(64, return_sequences=True, input_shape=(10, 2)), LSTM(32)])
>>> svg = model.diagram()
>>> svg.startswith("<svg"), svg.count('class="cell"')
(True, 8)
"""

from __future__ import annotations

import textwrap
from html import escape
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .flow import Flow, LayerFlow, build_flow

COLUMN = 118  # horizontal distance between steps
CELL_W, CELL_H = 78, 40
GAP = 54  # vertical room for the arrows between two rows
LEFT = 200  # room for the row labels
Point = tuple[float, float]

_STYLE = """
text { font-family: 'DejaVu Sans', Arial, sans-serif; fill: #1f2933; }
.title { font-size: 17px; font-weight: bold; }
.sub { font-size: 12px; fill: #52606d; }
.row { font-size: 12px; font-weight: bold; }
.rowsub { font-size: 11px; fill: #52606d; }
.cell rect { stroke-width: 1.6; rx: 7; }
.recurrent rect { fill: #dbeafe; stroke: #1d4ed8; }
.backward rect { fill: #fde68a; stroke: #b45309; }
.per_step rect, .vector rect { fill: #dcfce7; stroke: #15803d; }
.repeat rect { fill: #f3e8ff; stroke: #7e22ce; }
.merge rect { fill: #fce7f3; stroke: #be185d; }
.cell text, .io-cell text { font-size: 12px; text-anchor: middle; }
.io-cell rect { fill: #f1f5f9; stroke: #64748b; stroke-width: 1.2; }
.size { font-size: 11px; fill: #334155; }
.state { stroke: #1d4ed8; stroke-width: 1.8; fill: none; }
.state.back { stroke: #b45309; }
.up { stroke: #334155; stroke-width: 1.4; fill: none; }
.fold { stroke-dasharray: 4 3; }
.dots { font-size: 20px; text-anchor: middle; fill: #64748b; }
"""


def write_diagram(model: Any, path: str | Path | None = None, **options: Any) -> str:
    """Draw ``model`` (a Sequential) and return the SVG text; write it atomically to ``path``.

    Args:
        model: the model to draw.
        path: where to write the SVG (a temp file beside it is renamed into place).
        **options: ``max_steps`` (default 6): longer sequences fold into 1, 2, 3, …, T.

    Returns:
        The SVG document as text.
    """
    svg = render_svg(build_flow(model), **options)
    if path is not None:
        from ..io.atomic import write_atomic  # one writer: fsync, rename, no stale temporaries

        write_atomic(Path(path), svg)
    return svg


def columns(steps: int | None, max_steps: int = 6) -> list[str]:
    """Step labels drawn for a sequence of ``steps``; ``"…"`` marks the folded ones.

    >>> columns(4), columns(10), columns(None)
    (['1', '2', '3', '4'], ['1', '2', '3', '…', '10'], ['1', '2', '3', '…', 'T'])
    """
    if steps is not None and steps <= max_steps:
        return [str(t) for t in range(1, steps + 1)]
    return ["1", "2", "3", "…", "T" if steps is None else str(steps)]


def render_svg(flow: Flow, max_steps: int = 6) -> str:
    """The diagram of ``flow`` as SVG text."""
    if not isinstance(max_steps, int) or max_steps < 4:
        raise ConfigError(
            f"diagram: max_steps must be an integer of at least 4, received {max_steps!r}"
        )
    return _Drawing(flow, max_steps).draw()


class _Drawing:
    """Lays rows out bottom-up, then writes the elements top-down."""

    def __init__(self, flow: Flow, max_steps: int) -> None:
        self.flow = flow
        self.max_steps = max_steps
        self.parts: list[str] = []
        self.y = 0.0  # top of the last row drawn, growing upwards as negative numbers

    # --------------------------------------------------------------- layout
    def x(self, column: int) -> float:
        return LEFT + column * COLUMN + COLUMN / 2

    def row_top(self, height: float = CELL_H) -> float:
        self.y -= GAP + height
        return self.y

    def draw(self) -> str:
        flow = self.flow
        labels = columns(flow.steps, self.max_steps)
        bottom = self.row_top(28)
        outs = self.io_row(labels, bottom, "x", flow.features, below=True)
        self.label(bottom + 14, "input", flow.input_shape)
        width = flow.features
        for layer in flow.layers:
            outs = self.layer(layer, outs, width)
            width = layer.width_out
        last = flow.layers[-1]
        top = self.row_top(28)
        if last.sequence_out:
            ins = self.io_row(
                columns(_out_steps(last, flow), self.max_steps), top, "y", width, below=False
            )
            self.connect(outs, ins, width)
        else:
            column = next(iter(outs))
            box = self.box(column, top, 28, "io", "y", "", column_label=None)
            self.connect(outs, {column: box}, width)
        self.label(top + 14, "output", last.output_shape)
        counts = [len(columns(_out_steps(lf, flow), self.max_steps)) for lf in flow.layers]
        return self.document(max(len(labels), *counts))

    def document(self, n_columns: int) -> str:
        width = LEFT + n_columns * COLUMN + 30
        pattern = textwrap.wrap(self.flow.pattern, width=max(60, (width - 32) // 7))[:2]
        top = self.y - 84 - 16 * (len(pattern) - 1)
        height = -top + 30
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 {top:.0f} {width:.0f} {height:.0f}" font-size="12">'
        )
        title = [
            f'<rect x="0" y="{top:.0f}" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
            f'<text class="title" x="16" y="{top + 26:.0f}">{escape(self.flow.model_name)}: unrolled in time</text>',
            f'<text class="sub" x="16" y="{top + 44:.0f}">time → one column per step · layers ↑ · '
            "every arrow carries a vector, labelled with its size</text>",
            *(
                f'<text class="sub" x="16" y="{top + 60 + 16 * i:.0f}">{escape(line)}</text>'
                for i, line in enumerate(pattern)
            ),
        ]
        defs = (
            "<defs>"
            + "".join(
                f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>'
                for name, color in (("up", "#334155"), ("state", "#1d4ed8"), ("back", "#b45309"))
            )
            + "</defs>"
        )
        return (
            "\n".join([head, f"<style>{_STYLE}</style>", defs, *title, *self.parts, "</svg>"])
            + "\n"
        )

    # ------------------------------------------------------------- elements
    def label(self, y: float, name: str, detail: str) -> None:
        self.parts.append(f'<text class="row" x="12" y="{y:.0f}">{escape(name)}</text>')
        self.parts.append(
            f'<text class="rowsub" x="12" y="{y + 15:.0f}">{escape(_fit(detail, 30))}</text>'
        )

    def box(
        self,
        column: int,
        top: float,
        height: float,
        kind: str,
        text: str,
        size: str,
        column_label: str | None,
        layer: str = "",
    ) -> Point:
        """A cell centred on ``column``; returns its bottom-centre (where input arrives)."""
        cx = self.x(column)
        step = f' data-step="{escape(column_label)}"' if column_label else ""
        data = f' data-layer="{escape(layer)}"' if layer else ""
        cls = "cell" if kind != "io" else "io-cell"
        self.parts.append(
            f'<g class="{cls}"{data}{step}><g class="{kind}"><rect x="{cx - CELL_W / 2:.1f}" y="{top:.1f}" '
            f'width="{CELL_W}" height="{height:.0f}"/>'
            f'<text x="{cx:.1f}" y="{top + (height / 2 - 2 if size else height / 2 + 4):.1f}">{escape(_fit(text, 11))}</text>'
            + (
                f'<text class="size" x="{cx:.1f}" y="{top + height / 2 + 12:.1f}" text-anchor="middle">{escape(size)}</text>'
                if size
                else ""
            )
            + "</g></g>"
        )
        return (cx, top + height)

    def arrow(
        self, points: list[Point], kind: str = "up", label: str = "", dashed: bool = False
    ) -> None:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(points)
        )
        cls = {"up": "up", "state": "state", "back": "state back"}[kind]
        fold = " fold" if dashed else ""
        self.parts.append(f'<path class="{cls}{fold}" d="{path}" marker-end="url(#arrow-{kind})"/>')
        if label:
            (x0, y0), (x1, y1) = points[-2], points[-1]
            if kind == "up":
                self.parts.append(
                    f'<text class="size" x="{(x0 + x1) / 2 + 6:.1f}" y="{(y0 + y1) / 2 + 4:.1f}">{escape(label)}</text>'
                )
            else:
                self.parts.append(
                    f'<text class="size" x="{(x0 + x1) / 2:.1f}" y="{y0 - 6:.1f}" text-anchor="middle">{escape(label)}</text>'
                )

    def dots(self, column: int, top: float, height: float) -> None:
        self.parts.append(
            f'<text class="dots" x="{self.x(column):.1f}" y="{top + height / 2 + 6:.1f}">…</text>'
        )

    def connect(self, outs: dict[int, Point], ins: dict[int, Point], size: int) -> None:
        """Arrows from what the row below hands up to what the row above reads."""
        if len(outs) == 1:
            ((_, source),) = outs.items()
            for target in ins.values():
                self.arrow(
                    [source, (target[0], target[1])],
                    label=str(size) if target is next(iter(ins.values())) else "",
                )
            return
        for column, source in outs.items():
            if column in ins:
                self.arrow([source, ins[column]], label=str(size))

    # ----------------------------------------------------------------- rows
    def io_row(
        self, labels: list[str], top: float, name: str, size: int, below: bool
    ) -> dict[int, Point]:
        anchors: dict[int, Point] = {}
        for column, step in enumerate(labels):
            if step == "…":
                self.dots(column, top, 28)
                continue
            bottom = self.box(column, top, 28, "io", f"{name}({step})", "", column_label=None)
            anchors[column] = (bottom[0], top) if below else bottom
            if below:
                self.parts.append(
                    f'<text class="sub" x="{self.x(column):.1f}" y="{top + 46:.0f}" text-anchor="middle">t = {escape(step)}</text>'
                )
        return anchors

    def layer(self, layer: LayerFlow, outs: dict[int, Point], width_in: int) -> dict[int, Point]:
        if layer.kind == "bidirectional":
            return self.bidirectional(layer, outs, width_in)
        labels = columns(layer.steps, self.max_steps) if layer.sequence_in else []
        if layer.kind == "repeat":
            labels = columns(_out_steps(layer, self.flow), self.max_steps)
        top = self.row_top()
        self.label(
            top + 16, f"{layer.index}. {layer.name}", f"{layer.title} → {layer.output_shape}"
        )
        if not labels:  # one box for the whole sequence
            column = next(iter(outs)) if len(outs) == 1 else 0
            ins = {
                column: self.box(
                    column, top, CELL_H, "vector", layer.name, str(layer.width_out), "1", layer.name
                )
            }
            self.connect(outs, ins, width_in)
            return {column: (self.x(column), top)}
        ins, tops = self.cells(
            layer, labels, top, "recurrent" if layer.kind == "recurrent" else layer.kind
        )
        self.connect(outs, ins, width_in)
        if layer.kind == "recurrent":
            backwards = any(note.startswith("go_backwards") for note in layer.notes)
            self.states(labels, top, _state_label(layer), reverse=backwards)
            if not layer.sequence_out:
                last = min(tops) if backwards else max(tops)
                return {last: tops[last]}
        return tops

    def cells(
        self,
        layer: LayerFlow,
        labels: list[str],
        top: float,
        kind: str,
        name: str = "",
        size: int = 0,
    ) -> tuple[dict[int, Point], dict[int, Point]]:
        ins: dict[int, Point] = {}
        tops: dict[int, Point] = {}
        for column, step in enumerate(labels):
            if step == "…":
                self.dots(column, top, CELL_H)
                continue
            ins[column] = self.box(
                column,
                top,
                CELL_H,
                kind,
                name or layer.name,
                str(size or layer.width_out),
                step,
                layer.name,
            )
            tops[column] = (self.x(column), top)
        return ins, tops

    def states(self, labels: list[str], top: float, label: str, reverse: bool) -> None:
        """State arrows between neighbouring cells; dashed across the fold."""
        y = top + CELL_H / 2
        kind = "back" if reverse else "state"
        for column in range(len(labels) - 1):
            left, right = self.x(column) + CELL_W / 2, self.x(column + 1) - CELL_W / 2
            dashed = "…" in (labels[column], labels[column + 1])
            if dashed:
                left, right = (
                    (left, self.x(column + 1) - 10)
                    if labels[column + 1] == "…"
                    else (self.x(column) + 10, right)
                )
            points = [(right, y), (left, y)] if reverse else [(left, y), (right, y)]
            self.arrow(points, kind, label if column == 0 else "", dashed)

    def bidirectional(
        self, layer: LayerFlow, outs: dict[int, Point], width_in: int
    ) -> dict[int, Point]:
        labels = columns(layer.steps, self.max_steps)
        u = layer.units or 0
        fwd, back = layer.directions
        forward_top = self.row_top()
        self.label(
            forward_top + 16, f"{layer.index}. {layer.name} →", f"{fwd.name}, reads x(1)…x(T)"
        )
        forward_in, forward_out = self.cells(layer, labels, forward_top, "recurrent", "forward", u)
        self.states(labels, forward_top, _state_label(layer), reverse=False)
        self.connect(outs, forward_in, width_in)
        self.y += GAP - 22  # the backward row sits close above the forward row
        backward_top = self.row_top()
        self.label(
            backward_top + 16, f"{layer.index}. {layer.name} ←", f"{back.name}, reads x(T)…x(1)"
        )
        backward_in, backward_out = self.cells(
            layer, labels, backward_top, "backward", "backward", u
        )
        self.states(labels, backward_top, _state_label(layer), reverse=True)
        gap = CELL_W / 2 + (COLUMN - CELL_W) / 2
        for (
            column,
            source,
        ) in outs.items():  # input also reaches the backward row, beside the forward cell
            if column in backward_in:
                x, y = backward_in[column]
                self.arrow(
                    [
                        (source[0] + 8, source[1]),
                        (x + gap - 6, forward_top + CELL_H + 6),
                        (x + gap - 6, y + 8),
                        (x + 14, y),
                    ]
                )
        merge_top = self.row_top(30)
        merge = (layer.merge or "").split(":")[0]
        self.label(merge_top + 14, "merge", f"{merge} → {layer.output_shape}")
        if layer.sequence_out:
            merge_in, merge_out = self.cells(
                layer, labels, merge_top, "merge", merge, layer.width_out
            )
            for column, target in merge_in.items():
                fx, fy = forward_out[column]
                self.arrow(
                    [
                        (fx - 12, fy),
                        (fx - gap + 6, fy - 6),
                        (fx - gap + 6, target[1] + 10),
                        (target[0] - 14, target[1]),
                    ],
                    label="",
                )
                self.arrow([backward_out[column], (target[0], target[1])], label=str(u))
            return merge_out
        last = max(forward_out)
        target = self.box(
            last, merge_top, CELL_H, "merge", merge, str(layer.width_out), "1", layer.name
        )
        fx, fy = forward_out[last]
        self.arrow(
            [
                (fx - 12, fy),
                (fx - gap + 6, fy - 6),
                (fx - gap + 6, target[1] + 10),
                (target[0] - 14, target[1]),
            ],
        )
        self.parts.append(
            f'<text class="size" x="{fx - gap + 10:.1f}" y="{fy - 24:.1f}">h→ {u}</text>'
        )
        bx, by = backward_out[min(backward_out)]
        self.arrow(
            [(bx, by), (bx, by - 16), (target[0] + 14, by - 16), (target[0] + 14, target[1])],
            label=f"h← {u}",
        )
        return {last: (self.x(last), merge_top)}


def _state_label(layer: LayerFlow) -> str:
    return f"h,c {layer.units}" if layer.keeps and "c(t)" in layer.keeps else f"h {layer.units}"


def _out_steps(layer: LayerFlow, flow: Flow) -> int | None:
    """Steps in the layer's output: its input steps, or RepeatVector's n."""
    if layer.kind == "repeat":
        shape = layer.output_shape.strip("()").split(",")
        return int(shape[1]) if shape[1].strip().isdigit() else None
    if layer.sequence_in:
        return layer.steps
    # A per-step layer after RepeatVector: the steps of the layer below it.
    index = flow.layers.index(layer)
    return _out_steps(flow.layers[index - 1], flow) if index else flow.steps


def _fit(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters so it stays inside its box."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
