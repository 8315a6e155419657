"""The report's content as plain data: everything the HTML page shows, before any rendering.

``build_content`` runs the model once through :func:`rnnlens.trace` on a few samples and
gathers the summary rows, the recorded vectors per layer and step, the training history and
the predictions. :mod:`rnnlens.report.html` turns it into the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputDataError

if TYPE_CHECKING:
    from ..graph import ModelSpec
    from ..trace import LayerTrace

#: Digits kept for the values written into the page (enough for colours and tooltips).
DIGITS = 4


@dataclass
class ReportContent:
    """What the report shows. ``samples`` is JSON-ready: it is embedded in the page as is."""

    title: str
    model_name: str
    summary: list[dict[str, Any]]
    total_params: int
    samples: list[dict[str, Any]]  # one per traced sample: {"steps": T, "layers": [...]}
    history: dict[str, list[float]] = field(default_factory=dict)
    predictions: dict[str, Any] | None = None
    diagram_svg: str | None = None
    diagram_note: str = ""


def _rounded(array: np.ndarray) -> Any:
    return np.round(np.asarray(array, dtype=np.float64), DIGITS).tolist()


def _layer_entry(layer: LayerTrace, sample: int, previous: str | None) -> dict[str, Any]:
    """One layer of one sample: input, recorded arrays per direction, output."""
    inputs = layer.inputs[sample]  # (T, D) or (D,)
    output = layer.output[0] if isinstance(layer.output, list) else layer.output
    entry: dict[str, Any] = {
        "name": layer.name,
        "kind": layer.kind,
        "from": previous,  # None: the model's input
        "per_step_input": layer.input_axes[1:2] == ("time",),
        "input": _rounded(inputs),
        "per_step_output": output.ndim == 3,
        "output": _rounded(output[sample]),
        "mask": None if layer.mask is None else layer.mask[sample].tolist(),
        "directions": [
            {
                "direction": d.direction,
                "arrays": {k: _rounded(v[sample]) for k, v in d.arrays.items()},
            }
            for d in layer.directions
        ],
    }
    return entry


def _history_dict(history: Any) -> dict[str, list[float]]:
    if history is None:
        return {}
    values = getattr(history, "history", history)
    if not isinstance(values, dict):
        raise InputDataError(
            f"report: history must be the History returned by fit() or a dict of lists, "
            f"received {type(history).__name__}"
        )
    return {str(k): [float(v) for v in vs] for k, vs in values.items() if len(vs)}


def _predictions(y_pred: Any, y_true: Any) -> dict[str, Any] | None:
    if y_true is None:
        return None
    pred = np.asarray(y_pred[0] if isinstance(y_pred, list) else y_pred, dtype=np.float64)
    true = np.asarray(y_true)
    if len(true) != len(pred):
        raise InputDataError(
            f"report: y_true has {len(true)} samples but x has {len(pred)}: pass the targets of x"
        )
    if pred.ndim == 2 and pred.shape[1] > 1 and true.ndim == 1:
        # Classification: y_true holds class ids, predictions hold one score per class.
        labels = true.astype(np.int64)
        chosen = pred.argmax(axis=1)
        n = pred.shape[1]
        confusion = np.zeros((n, n), dtype=np.int64)
        np.add.at(confusion, (labels, chosen), 1)
        return {
            "kind": "classification",
            "accuracy": float((chosen == labels).mean()),
            "confusion": confusion.tolist(),
        }
    flat_pred = pred.reshape(len(pred), -1)[:, 0]
    flat_true = true.reshape(len(true), -1)[:, 0].astype(np.float64)
    return {
        "kind": "regression",
        "pred": _rounded(flat_pred),
        "true": _rounded(flat_true),
        "mse": float(np.mean((flat_pred - flat_true) ** 2)),
        "mae": float(np.mean(np.abs(flat_pred - flat_true))),
    }


def _diagram(model: ModelSpec) -> tuple[str | None, str]:
    from ..explain.svg import write_diagram

    try:
        return write_diagram(model, None), ""
    except (ImportError, NotImplementedError) as error:
        return None, f"the unrolled diagram is not available in this build ({error})"


def build_content(
    model: ModelSpec,
    x: Any,
    *,
    history: Any = None,
    y_true: Any = None,
    y_pred: Any = None,
    samples: int = 4,
    title: str | None = None,
) -> ReportContent:
    """Gather the report's content: summary, trace of the first ``samples`` inputs, curves.

    Args:
        model: the model to report on.
        x: inputs (batch, time, features); the first ``samples`` are traced step by step,
            all of them are predicted when ``y_true`` is given.
        history: the :class:`History` returned by ``fit`` (or its ``.history`` dict).
        y_true: targets of ``x``, for the predictions-against-truth view.
        y_pred: predictions of ``x`` if already computed (else ``model.predict(x)``).
        samples: how many inputs to trace (1 to 32).
        title: the page title.

    Raises:
        InputDataError: ``samples`` out of range, or ``y_true`` not matching ``x``.
    """
    from ..summary import summary_rows
    from ..trace import trace

    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= 32:
        raise InputDataError(
            f"report: samples must be an integer from 1 to 32, received {samples!r}"
        )
    from ..engine.predict import require_one_input

    require_one_input(model, "report")
    array = np.asarray(x)
    traced = trace(model, array[:samples])
    sample_entries = []
    for s in range(len(traced.inputs)):
        layers, previous = [], None
        for layer in traced.layers:
            layers.append(_layer_entry(layer, s, previous))
            previous = layer.name
        steps = int(traced.inputs.shape[1]) if traced.inputs.ndim == 3 else 1
        sample_entries.append({"index": s, "steps": steps, "layers": layers})
    predictions = None
    if y_true is not None:
        from ..engine.predict import predict

        predictions = _predictions(predict(model, array) if y_pred is None else y_pred, y_true)
    diagram_svg, note = _diagram(model)
    return ReportContent(
        title=title or f"rnnlens report: {model.name}",
        model_name=model.name,
        summary=[vars(row) for row in summary_rows(model)],
        total_params=model.count_params(),
        samples=sample_entries,
        history=_history_dict(history),
        predictions=predictions,
        diagram_svg=diagram_svg,
        diagram_note=note,
    )
