"""Static SVG charts for the report: training curves and predictions against truth.

Plain SVG text (no script), so the charts show even with JavaScript off.
"""

from __future__ import annotations

import math
from html import escape

#: Line colours, one per series (colour-blind safe: Okabe-Ito).
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        return [low]
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw), default=raw)
    first = math.ceil(low / step) * step
    return [first + k * step for k in range(int((high - first) / step) + 1)]


def _label(value: float) -> str:
    return f"{value:.3g}"


def line_chart(
    series: dict[str, list[float]],
    *,
    x_label: str,
    y_label: str,
    width: int = 560,
    height: int = 260,
    chart_id: str = "",
) -> str:
    """A line chart of one or more series sharing the x axis 0..n-1 (or 1..n for epochs).

    >>> svg = line_chart({"loss": [1.0, 0.5, 0.25]}, x_label="epoch", y_label="loss")
    >>> svg.startswith("<svg") and svg.count("<polyline") == 1
    True
    """
    left, right, top, bottom = 56, 12, 28, 40
    values = [v for vs in series.values() for v in vs if math.isfinite(v)]
    length = max((len(vs) for vs in series.values()), default=0)
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.05
    low, high = low - pad, high + pad
    offset = 1 if x_label == "epoch" else 0
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(i: float) -> float:
        return left + (plot_w * i / max(length - 1, 1))

    def py(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(y_label)} against {escape(x_label)}">',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#ccc"/>',
    ]
    for tick in _ticks(low, high):
        y = py(tick)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_label(tick)}</text>'
        )
    for tick in _ticks(0, max(length - 1, 1)):
        if tick == int(tick) and tick <= length - 1:
            x = px(tick)
            parts.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{int(tick) + offset}</text>'
            )
    parts.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 6}" text-anchor="middle">{escape(x_label)}</text>'
        f'<text x="14" y="{top + plot_h / 2:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.0f})">{escape(y_label)}</text>'
    )
    for n, (name, vs) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(vs) if math.isfinite(v))
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="1.8" points="{points}">'
            f"<title>{escape(name)}</title></polyline>"
            f'<rect x="{left + 8 + 110 * n}" y="8" width="12" height="4" fill="{colour}"/>'
            f'<text x="{left + 24 + 110 * n}" y="14">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
