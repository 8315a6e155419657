"""``History``: what ``fit`` returns — per-epoch logs, and a loss-curve picture."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


class History:
    """Keras's ``History``: ``history[name]`` is one value per epoch, ``epoch`` the indices.

    >>> h = History()
    >>> h.append(0, {"loss": 1.0, "val_loss": 1.5})
    >>> h.append(1, {"loss": 0.5, "val_loss": 0.9})
    >>> h.epoch, h.history["loss"]
    ([0, 1], [1.0, 0.5])
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.params: dict[str, Any] = {}
        self.model: Any = None

    def append(self, epoch: int, logs: dict[str, float]) -> None:
        self.epoch.append(epoch)
        for name, value in logs.items():
            self.history.setdefault(name, []).append(float(value))

    def plot(self, path: str | Path | None = None, keys: list[str] | None = None) -> Any:
        """Draw ``keys`` (default: every log ending in ``loss``) per epoch.

        A ``.svg`` path gets a self-contained SVG chart written by rnnlens itself (no
        dependency); any other path, or none, uses matplotlib (the ``rnnlens[plot]`` extra):
        with a path the figure is saved there, without one the matplotlib ``Axes`` is
        returned for further styling in a notebook.

        Args:
            path: where to write the chart; ``None`` returns a matplotlib ``Axes``.
            keys: which logs to draw.

        Returns:
            The path written, or the matplotlib ``Axes``.

        Raises:
            MissingExtraError: matplotlib is needed and not installed.
        """
        from ..io.atomic import write_atomic

        if path is not None and Path(path).suffix.lower() == ".svg":
            return write_atomic(path, render_svg(self, keys), make_parents=True)
        from ..extras import require

        require("matplotlib", extra="plot", feature="History.plot() without an .svg path")
        import matplotlib

        if path is not None:
            matplotlib.use("Agg")  # saving a file needs no display
        import matplotlib.pyplot as plt

        figure, axes = plt.subplots(figsize=(6.4, 4.0))
        for name in keys or [k for k in self.history if k.endswith("loss")]:
            if name in self.history:
                axes.plot([e + 1 for e in self.epoch], self.history[name], label=name)
        axes.set_xlabel("epoch")
        axes.legend()
        if path is None:
            return axes
        buffer = io.BytesIO()
        figure.savefig(buffer, format=Path(path).suffix.lstrip(".") or "png")
        plt.close(figure)
        return write_atomic(path, buffer.getvalue())

    def to_pandas(self) -> Any:
        """The logs as a ``pandas.DataFrame``, one row per epoch (the ``rnnlens[plot]`` extra)."""
        from ..extras import require

        pandas = require("pandas", extra="plot", feature="History.to_pandas()")
        frame = pandas.DataFrame(self.history, index=pandas.Index(self.epoch, name="epoch"))
        return frame

    def _repr_svg_(self) -> str:
        """A notebook shows the loss curves."""
        return render_svg(self, None)

    def __repr__(self) -> str:
        last = {k: round(v[-1], 4) for k, v in self.history.items() if v}
        return f"<History epochs={len(self.epoch)} last={last}>"


def render_svg(history: History, keys: list[str] | None = None) -> str:
    """The SVG text of :meth:`History.plot` (axes, ticks, one polyline per key, a legend)."""
    keys = keys or [k for k in history.history if k.endswith("loss")]
    series = {k: history.history[k] for k in keys if k in history.history}
    width, height, left, right, top, bottom = 640, 400, 70, 20, 30, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for vs in series.values() for v in vs if math.isfinite(v)]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high == low:
        low, high = low - 0.5, high + 0.5
    epochs = [e + 1 for e in history.epoch] or [1]
    first, last = epochs[0], max(epochs[-1], epochs[0] + 1)

    def x_of(epoch: float) -> float:
        return left + (epoch - first) / (last - first) * plot_w

    def y_of(value: float) -> float:
        return top + (high - value) / (high - low) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#333"/>',
        f'<text x="{left + plot_w / 2}" y="{height - 12}" text-anchor="middle">epoch</text>',
    ]
    for i in range(5):
        value = low + (high - low) * i / 4
        y = y_of(value)
        parts.append(f'<line x1="{left - 4}" y1="{y:.1f}" x2="{left}" y2="{y:.1f}" stroke="#333"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value:.4g}</text>')
    step = max(1, math.ceil((last - first) / 10))
    for epoch in range(first, last + 1, step):
        x = x_of(epoch)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 4}" stroke="#333"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 18}" text-anchor="middle">{epoch}</text>'
        )
    for index, (name, vs) in enumerate(series.items()):
        colour = _COLOURS[index % len(_COLOURS)]
        points = " ".join(
            f"{x_of(e):.1f},{y_of(v):.1f}" for e, v in zip(epochs, vs) if math.isfinite(v)
        )
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>'
        )
        ly = top + 14 + 16 * index
        parts.append(
            f'<line x1="{left + plot_w - 110}" y1="{ly - 4}" x2="{left + plot_w - 90}" '
            f'y2="{ly - 4}" stroke="{colour}" stroke-width="2"/>'
        )
        parts.append(f'<text x="{left + plot_w - 85}" y="{ly}">{name}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
