"""Layout of the unrolled diagram: rows bottom-up, sizes measured from the labels they hold.

Every text that must stay inside a shape carries ``data-fit="ID"`` naming that shape's
``id``; the browser test measures each one in Chromium against its shape.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from .flow import Flow, LayerFlow
from .svg_style import LEGEND, STYLE, markers
from .textwidth import text_width

CELL_H = 44
GAP = 64  # vertical room between two rows: the up arrows and their labels
Point = tuple[float, float]


def kernel_label(layer: LayerFlow, name: str) -> str:
    """``kernel 64 × 128``: the named weight's shape, as it acts on an arrow."""
    for weight in layer.weights:
        if weight.name.split("/")[-1] == name and len(weight.shape) == 2:
            return f"{name} {weight.shape[0]} × {weight.shape[1]}"
    return ""


class Drawing:
    """Lays rows out bottom-up, then writes the elements top-down."""

    def __init__(self, flow: Flow, columns_of: Callable[[int | None], list[str]]) -> None:
        self.flow = flow
        self.columns_of = columns_of
        self.parts: list[str] = []
        self.y = 0.0  # top of the last row drawn, growing upwards as negative numbers
        self.count = 0
        names = [lf.name for lf in flow.layers] + ["forward", "backward", "concat", "y(10)"]
        self.cell_w = max(78.0, *(text_width(n, 12) + 18 for n in names))
        ups = [kernel_label(lf, "kernel") for lf in flow.layers] + ["recurrent_kernel 00 × 000"]
        widest = max(text_width(u, 10) for u in ups)
        self.column = max(
            self.cell_w + text_width("recurrent_kernel", 10) + 20,
            widest + 24,
            self.cell_w / 2 + widest / 2 + 30,
        )
        rows = [self._row_lines(lf) for lf in flow.layers]
        label_widths = [
            text_width(line, 12 if i == 0 else 11, bold=i == 0)
            for lines in rows
            for i, line in enumerate(lines)
        ]
        label_widths.append(text_width(f"input {flow.input_shape}", 11))
        self.left = max(170.0, max(label_widths) + 28)

    @staticmethod
    def _row_lines(layer: LayerFlow) -> list[str]:
        lines = [f"{layer.index}. {layer.name}", f"{layer.title} → {layer.output_shape}"]
        matrices = [kernel_label(layer, n) for n in ("kernel", "recurrent_kernel")]
        if any(matrices):
            lines.append(" · ".join(m for m in matrices if m) + ", same at every step")
        return lines

    # --------------------------------------------------------------- layout
    def x(self, column: int) -> float:
        return self.left + column * self.column + self.column / 2

    def row_top(self, height: float = CELL_H) -> float:
        self.y -= GAP + height
        return self.y

    def draw(self) -> str:
        flow = self.flow
        labels = self.columns_of(flow.steps)
        bottom = self.row_top(28)
        outs = self.io_row(labels, bottom, "x", below=True)
        self.label(bottom + 14, [f"input {flow.input_shape}"])
        width = flow.features
        for layer in flow.layers:
            band_bottom = self.y
            outs = self.layer(layer, outs, width)
            self.band(self.y - 10, band_bottom - self.y + 4 - GAP + 16)
            width = layer.width_out
        last = flow.layers[-1]
        top = self.row_top(28)
        if last.sequence_out:
            ins = self.io_row(self.columns_of(_out_steps(last, flow)), top, "y", below=False)
            self.connect(outs, ins, width)
        else:
            column = next(iter(outs))
            box = self.box(column, top, 28, "io", ["y"], None)
            self.connect(outs, {column: box}, width)
        self.label(top + 14, ["output", last.output_shape])
        counts = [len(self.columns_of(_out_steps(lf, flow))) for lf in flow.layers]
        return self.document(max(len(labels), *counts))

    def document(self, n_columns: int) -> str:
        width = self.left + n_columns * self.column + 20
        legend = [line for line in LEGEND if self._legend_applies(line)]
        widest = max(text_width(line, 11) for line in legend) + 40
        width = max(width, widest, text_width(self.flow.pattern, 12) + 40)
        top = self.y - 70
        bottom = 30 + 16 * len(legend) + 24
        height = bottom - top
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 {top:.0f} {width:.0f} {height:.0f}" font-size="12">'
        )
        title = [
            f'<rect id="page" x="0" y="{top:.0f}" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
            f'<rect id="labels" x="0" y="{top:.0f}" width="{self.left - 8:.0f}" height="{height:.0f}" fill="none"/>',
            f'<text class="title" data-fit="page" x="16" y="{top + 26:.0f}">{escape(self.flow.model_name)}: unrolled in time</text>',
            f'<text class="sub" data-fit="page" x="16" y="{top + 44:.0f}">time → one column per step · layers ↑ · '
            "every arrow carries a vector, labelled with its size</text>",
            f'<text class="sub" data-fit="page" x="16" y="{top + 60:.0f}">{escape(self.flow.pattern)}</text>',
        ]
        notes = [
            f'<text class="legend-title" data-fit="page" x="16" y="{34:.0f}">How to read it</text>'
        ]
        notes += [
            f'<text class="legend" data-fit="page" x="16" y="{50 + 16 * i:.0f}">{escape(line)}</text>'
            for i, line in enumerate(legend)
        ]
        return (
            "\n".join(
                [head, f"<style>{STYLE}</style>", markers(), *title, *self.parts, *notes, "</svg>"]
            )
            + "\n"
        )

    def _legend_applies(self, line: str) -> bool:
        kinds = {lf.kind for lf in self.flow.layers}
        lstm = any(lf.state_roles and "c(t)" in lf.state_roles for lf in self.flow.layers)
        if line.startswith("purple"):
            return lstm
        if line.startswith("orange") or line.startswith("pink"):
            return "bidirectional" in kinds
        if line.startswith("dashed"):
            return any("…" in self.columns_of(lf.steps) for lf in self.flow.layers)
        return True

    # ------------------------------------------------------------- elements
    def band(self, top: float, height: float) -> None:
        """A light strip behind one layer's rows, so deep stacks read layer by layer."""
        self.parts.insert(
            0,
            f'<rect class="band" x="4" y="{top:.1f}" width="99999" height="{height:.1f}"/>',
        )

    def label(self, y: float, lines: list[str]) -> None:
        for i, line in enumerate(lines):
            cls = "row" if i == 0 else "rowsub"
            self.parts.append(
                f'<text class="{cls}" data-fit="labels" x="12" y="{y + 15 * i:.0f}">{escape(line)}</text>'
            )

    def box(
        self,
        column: int,
        top: float,
        height: float,
        kind: str,
        texts: list[str],
        step: str | None,
        layer: str = "",
    ) -> Point:
        """A cell centred on ``column``; returns its bottom-centre (where input arrives)."""
        cx = self.x(column)
        self.count += 1
        ident = f"box{self.count}"
        attrs = f' data-layer="{escape(layer)}"' if layer else ""
        attrs += f' data-step="{escape(step)}"' if step else ""
        cls = "cell" if kind != "io" else "io-cell"
        width = self.cell_w
        body = [
            f'<g class="{cls}"{attrs}><g class="{kind}"><rect id="{ident}" x="{cx - width / 2:.1f}" '
            f'y="{top:.1f}" width="{width:.0f}" height="{height:.0f}"/>'
        ]
        first = top + (height / 2 - 2 if len(texts) > 1 else height / 2 + 4)
        for i, text in enumerate(texts):
            cls_text = ' class="size"' if i else ""
            body.append(
                f'<text{cls_text} data-fit="{ident}" x="{cx:.1f}" y="{first + 14 * i:.1f}">{escape(text)}</text>'
            )
        self.parts.append("".join(body) + "</g></g>")
        return (cx, top + height)

    def arrow(self, points: list[Point], kind: str = "up", dashed: bool = False) -> None:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(points)
        )
        cls = {"up": "up", "state": "state", "back": "state back", "cell": "state cstate"}[kind]
        fold = " fold" if dashed else ""
        marker = {"cell": "c"}.get(kind, kind)
        self.parts.append(
            f'<path class="{cls}{fold}" d="{path}" marker-end="url(#arrow-{marker})"/>'
        )

    def text(self, x: float, y: float, text: str, anchor: str = "start", cls: str = "size") -> None:
        self.parts.append(
            f'<text class="{cls}" data-fit="page" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(text)}</text>'
        )

    def dots(self, column: int, top: float) -> None:
        """The folded steps: "…" above the dashed state arrows, not on them."""
        self.text(self.x(column), top + 4, "…", "middle", "dots")

    def connect(
        self, outs: dict[int, Point], ins: dict[int, Point], size: int, kernel: str = ""
    ) -> None:
        """Arrows from what the row below hands up to what the row above reads.

        The first arrow is labelled with the vector's size and the matrix that takes it
        (``kernel 64 × 128``); the others with the size only: the same matrix acts on each.
        """
        pairs = (
            [(next(iter(outs.values())), target) for target in ins.values()]
            if len(outs) == 1
            else [(source, ins[c]) for c, source in outs.items() if c in ins]
        )
        for i, (source, target) in enumerate(pairs):
            self.arrow([source, target])
            # Near the lower row: the top of the gap holds the state labels of the row above.
            x = target[0] + 6
            self.text(x, source[1] - (20 if kernel else 8), str(size))
            if kernel:
                self.text(x, source[1] - 8, kernel if i == 0 else "kernel", cls="matrix")

    # ----------------------------------------------------------------- rows
    def io_row(self, labels: list[str], top: float, name: str, below: bool) -> dict[int, Point]:
        anchors: dict[int, Point] = {}
        for column, step in enumerate(labels):
            if step == "…":
                self.dots(column, top + 14)
                continue
            bottom = self.box(column, top, 28, "io", [f"{name}({step})"], None)
            anchors[column] = (bottom[0], top) if below else bottom
            if below:
                self.text(self.x(column), top + 46, f"t = {step}", "middle", "sub")
        return anchors

    def layer(self, layer: LayerFlow, outs: dict[int, Point], width_in: int) -> dict[int, Point]:
        from .svg_rows import bidirectional, recurrent_states

        if layer.kind == "bidirectional":
            return bidirectional(self, layer, outs, width_in)
        labels = self.columns_of(layer.steps) if layer.sequence_in else []
        if layer.kind == "repeat":
            labels = self.columns_of(_out_steps(layer, self.flow))
        top = self.row_top()
        self.label(top + 14, self._row_lines(layer))
        kernel = kernel_label(layer, "kernel")
        if not labels:  # one box for the whole sequence
            column = next(iter(outs)) if len(outs) == 1 else 0
            box = self.box(
                column, top, CELL_H, "vector", [layer.name, str(layer.width_out)], "1", layer.name
            )
            self.connect(outs, {column: box}, width_in, kernel)
            return {column: (self.x(column), top)}
        kind = "recurrent" if layer.kind == "recurrent" else layer.kind
        ins, tops = self.cells(layer, labels, top, kind)
        self.connect(outs, ins, width_in, kernel)
        if layer.kind == "recurrent":
            backwards = any(note.startswith("go_backwards") for note in layer.notes)
            recurrent_states(self, layer, labels, top, reverse=backwards)
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
                self.dots(column, top + CELL_H / 2)
                continue
            texts = [name or layer.name, str(size or layer.width_out)]
            ins[column] = self.box(column, top, CELL_H, kind, texts, step, layer.name)
            tops[column] = (self.x(column), top)
        return ins, tops


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
