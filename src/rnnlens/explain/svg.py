"""The unrolled time × layer diagram as one self-contained SVG (no scripts, fonts or links).

Time runs left to right, layers bottom to top, the input below and the output above: one
cell per layer per step, arrows for the state carried in time (h, and c for LSTM, drawn
apart) and for what each step hands up, every arrow labelled with its vector size and the
weight matrix that acts on it (``kernel 64 × 128`` going up into a layer,
``recurrent_kernel 32 × 128`` through time: one matrix, the same at every step). Drawn from
:class:`~rnnlens.explain.flow.Flow`, so it shows the real model: many-to-one layers send only
their last step up, Bidirectional layers get a forward row, a backward row with reversed
arrows and a merge row, and long sequences fold into ``t = 1, 2, 3, …, T`` unless
``all_steps=True``. Every label is sized from the font's metrics (:mod:`.textwidth`), so
nothing is cut; a legend under the picture explains the numbers and colours.

>>> from rnnlens import Sequential
>>> from rnnlens.layers import LSTM
>>> model = Sequential([LSTM(64, return_sequences=True, input_shape=(10, 2)), LSTM(32)])
>>> svg = model.diagram()
>>> svg.startswith("<svg"), svg.count('class="cell"'), "kernel 64 × 128" in svg
(True, 8, True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..io.atomic import write_atomic
from .flow import Flow, build_flow
from .svg_drawing import Drawing

#: With ``all_steps=True``, sequences up to this long get one column per step.
ALL_STEPS_LIMIT = 24


class Svg(str):
    """SVG text that a notebook shows as a picture; everywhere else it is the ``str`` it is."""

    def _repr_svg_(self) -> str:
        return str(self)


def write_diagram(model: Any, path: str | Path | None = None, **options: Any) -> Svg:
    """Draw ``model`` (a Sequential) and return the SVG text; write it atomically to ``path``.

    Args:
        model: the model to draw.
        path: where to write the SVG (a temp file beside it is renamed into place).
        **options: ``max_steps`` (default 6): longer sequences fold into 1, 2, 3, …, T;
            ``all_steps`` (default False): one column per step, for sequences up to 24 long.

    Returns:
        The SVG document as text (an :class:`Svg`, a ``str`` that notebooks draw).
    """
    svg = Svg(render_svg(build_flow(model), **options))
    if path is not None:
        write_atomic(Path(path), svg.encode("utf-8"))
    return svg


def columns(steps: int | None, max_steps: int = 6) -> list[str]:
    """Step labels drawn for a sequence of ``steps``; ``"…"`` marks the folded ones.

    >>> columns(4), columns(10), columns(None)
    (['1', '2', '3', '4'], ['1', '2', '3', '…', '10'], ['1', '2', '3', '…', 'T'])
    """
    if steps is not None and steps <= max_steps:
        return [str(t) for t in range(1, steps + 1)]
    return ["1", "2", "3", "…", "T" if steps is None else str(steps)]


def render_svg(flow: Flow, max_steps: int = 6, all_steps: bool = False) -> str:
    """The diagram of ``flow`` as SVG text.

    Raises:
        ConfigError: ``max_steps`` is not an integer of at least 4.
    """
    if not isinstance(max_steps, int) or isinstance(max_steps, bool) or max_steps < 4:
        raise ConfigError(
            f"diagram: max_steps must be an integer of at least 4, received {max_steps!r}"
        )
    if all_steps:
        max_steps = max(max_steps, ALL_STEPS_LIMIT)
    return Drawing(flow, lambda steps: columns(steps, max_steps)).draw()
