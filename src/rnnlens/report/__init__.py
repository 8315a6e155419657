"""``model.report(x, path)``: one self-contained HTML page showing how data flows through it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .content import ReportContent, build_content
from .html import render_html

if TYPE_CHECKING:
    from ..graph import ModelSpec

__all__ = ["ReportContent", "build_content", "render_html", "write_report"]


def write_report(model: ModelSpec, x: Any, path: str | Path, **options: Any) -> Path:
    """Write the offline HTML report for inputs ``x`` to ``path`` (atomically); return the path.

    The page holds the summary table, the unrolled diagram, a time-step slider showing every
    layer's input, gates, states and output, unit x time heatmaps (zoomable, with axes and
    colour bars), what changes downstream when one step's state is zeroed, a time x feature
    attribution map, the training curves (``history=``) and the predictions against the truth
    (``y_true=``). Recorded values are stored with 8 bits each and long sequences are pooled
    in time, so the page stays within ``max_bytes`` whatever the model's size.

    >>> import tempfile, pathlib, numpy as np, rnnlens as rl
    >>> from rnnlens.layers import LSTM
    >>> model = rl.Sequential([LSTM(3, input_shape=(4, 2))])
    >>> out = model.report(np.ones((2, 4, 2)), pathlib.Path(tempfile.mkdtemp()) / "r.html")
    >>> out.suffix, "report-data" in out.read_text()
    ('.html', True)

    Args:
        model: the model.
        x: inputs (batch, time, features).
        path: where to write the page; missing folders are created.
        **options: ``history``, ``y_true``, ``y_pred``, ``samples`` (how many inputs to trace,
            default 4, or their indices), ``title``, ``sample_names``, ``time_labels``,
            ``time_name``, ``max_bytes`` (size budget of the recorded arrays, default 8 MB),
            ``patch_step``, ``attribution``; see :func:`~rnnlens.report.content.build_content`.

    Raises:
        InputDataError: ``x`` or ``y_true`` do not fit the model.
        ModelFileError: the file cannot be written.
    """
    from ..io.atomic import write_atomic

    content = build_content(model, x, **options)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, render_html(content).encode("utf-8"))
