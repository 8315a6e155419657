"""The report's content as plain data: everything the HTML page shows, before any rendering.

``build_content`` runs the model once through :func:`rnnlens.trace` on a few chosen samples
and gathers the summary rows, the recorded vectors per layer and step (stored compactly in an
:class:`~rnnlens.report.arrays.ArrayStore`: 8-bit, one range per array, pooled in time when a
sequence is too long for the size budget), the training history, the predictions, what changes
downstream when one step's state is zeroed, and the attributions of the output to each input
step and feature. :mod:`rnnlens.report.html` turns it into the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputDataError
from .arrays import ArrayStore, pooled
from .sampling import chosen_samples, first_output, labels_per_sample, pooling_strides

if TYPE_CHECKING:
    from ..graph import ModelSpec
    from ..trace import LayerTrace, Trace

#: Digits kept for the few values written into the page as text (predictions, tooltips).
DIGITS = 4
#: Default size budget of the stored arrays in the page (base64 text), bytes.
MAX_BYTES = 8_000_000


@dataclass
class ReportContent:
    """What the report shows. ``samples`` is JSON-ready: it is embedded in the page as is;
    the numbers it refers to (``{"ref": n}``) are in ``arrays``."""

    title: str
    model_name: str
    summary: list[dict[str, Any]]
    total_params: int
    samples: list[dict[str, Any]]  # one per traced sample: {"steps": T, "layers": [...]}
    arrays: ArrayStore = field(default_factory=ArrayStore)
    history: dict[str, list[float]] = field(default_factory=dict)
    predictions: dict[str, Any] | None = None
    diagram_svg: str | None = None
    diagram_note: str = ""
    effect: dict[str, Any] | None = None  # what changes downstream when one state is zeroed
    notes: list[str] = field(default_factory=list)

    def array(self, ref: dict[str, int] | int) -> np.ndarray:
        """A stored array as the page reads it back (dequantised, maybe pooled in time)."""
        return self.arrays.array(ref["ref"] if isinstance(ref, dict) else ref)


def _rounded(array: np.ndarray) -> Any:
    return np.round(np.asarray(array, dtype=np.float64), DIGITS).tolist()


def _layer_entry(
    store: ArrayStore, layer: LayerTrace, sample: int, previous: str | None, stride: int
) -> dict[str, Any]:
    """One layer of one sample: input, recorded arrays per direction, output (as refs)."""
    inputs = layer.inputs[sample]  # (T, D) or (D,)
    output = first_output(layer.output)[sample]
    mask = None
    if layer.mask is not None:
        real = layer.mask[sample].astype(np.float64)
        mask = "".join("1" if r > 0 else "0" for r in (pooled(real[:, None], stride)[:, 0]))
    return {
        "name": layer.name,
        "kind": layer.kind,
        "from": previous,  # None: the model's input
        "per_step_input": layer.input_axes[1:2] == ("time",),
        "input": {"ref": store.add(inputs, stride)},
        "per_step_output": output.ndim == 2,
        "output": {"ref": store.add(output, stride)},
        "mask": mask,  # one character per column: "1" where any step of it is real
        "directions": [
            {
                "direction": d.direction,
                "path": d.path,
                "h_check": d.h_check,
                "arrays": {k: {"ref": store.add(v[sample], stride)} for k, v in d.arrays.items()},
            }
            for d in layer.directions
        ],
    }


def trace_entries(
    traced: Trace,
    store: ArrayStore,
    picked: Sequence[int],
    names: Sequence[str],
    steps: int,
    strides: Sequence[int],
    *,
    labels: Any = None,
    time_name: str = "step",
) -> list[dict[str, Any]]:
    """The step-through's entries of the traced samples, their arrays put in ``store``.

    Shared by reports on rnnlens models and on ``nn.Module`` traces (:mod:`rnnlens.pytorch`):
    entry ``s`` describes traced sample ``s``, which is sample ``picked[s]`` of the input.
    """
    entries = []
    for s, index in enumerate(picked):
        layers, previous = [], None
        for layer in traced.layers:
            layers.append(_layer_entry(store, layer, s, previous, strides[s]))
            previous = layer.name
        entries.append(
            {
                "index": index,
                "name": names[s],
                "steps": steps,
                "stride": strides[s],
                "time_name": time_name,
                "time_labels": None if labels is None else labels[s],
                "layers": layers,
            }
        )
    return entries


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
    samples: int | Sequence[int] = 4,
    title: str | None = None,
    sample_names: Sequence[str] | None = None,
    time_labels: Any = None,
    time_name: str = "step",
    max_bytes: int = MAX_BYTES,
    patch_step: int | None = None,
    attribution: str | None = "gradient_x_input",
) -> ReportContent:
    """Gather the report's content: summary, trace of the chosen inputs, curves, effects.

    Args:
        model: the model to report on.
        x: inputs (batch, time, features); the chosen ``samples`` are traced step by step,
            all of them are predicted when ``y_true`` is given.
        history: the :class:`History` returned by ``fit`` (or its ``.history`` dict).
        y_true: targets of ``x``, for the predictions-against-truth view.
        y_pred: predictions of ``x`` if already computed (else ``model.predict(x)``).
        samples: how many inputs to trace (the first 1 to 32), or a list of their indices.
        title: the page title.
        sample_names: one name per sample of ``x``, shown in the sample picker.
        time_labels: labels of the time steps (years, frame numbers): one per step, or one
            row per sample of ``x``.
        time_name: what a time step is called on the axes ("year", "frame").
        max_bytes: size budget of the stored arrays; longer sequences are pooled in time.
        patch_step: the step whose state is zeroed in "what changes downstream" (default:
            the middle step; that view needs a recurrent layer).
        attribution: ``"gradient_x_input"``, ``"integrated_gradients"`` or None (no map).

    Raises:
        InputDataError: bad ``samples``, labels or names, or ``y_true`` not matching ``x``.
    """
    from ..engine.predict import require_one_input
    from ..summary import summary_rows
    from ..trace import trace
    from .effects import attribution_maps, downstream_effect

    require_one_input(model, "report")
    array = np.asarray(x)
    picked = chosen_samples(samples, len(array))
    steps = int(array.shape[1]) if array.ndim == 3 else 1
    labels = labels_per_sample(time_labels, picked, steps, "time_labels")
    if sample_names is not None and len(sample_names) != len(array):
        raise InputDataError(
            f"report: sample_names has {len(sample_names)} names but x has {len(array)} samples"
        )
    chosen = array[picked]
    traced = trace(model, chosen)
    strides = pooling_strides(traced, max_bytes)
    store = ArrayStore()
    names = [str(sample_names[i]) if sample_names is not None else f"sample {i}" for i in picked]
    sample_entries = trace_entries(
        traced, store, picked, names, steps, strides, labels=labels, time_name=time_name
    )
    notes: list[str] = []
    if max(strides) > 1:
        notes.append(
            "Long sequences are pooled in time to keep this page small: "
            + ", ".join(
                f"{sample_entries[s]['name']} every {k} steps"
                for s, k in enumerate(strides)
                if k > 1
            )
            + " per column (their mean)."
        )
    if attribution is not None:
        notes += attribution_maps(model, chosen, attribution, store, sample_entries)
    effect = downstream_effect(model, chosen, patch_step, sample_entries)
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
        arrays=store,
        history=_history_dict(history),
        predictions=predictions,
        diagram_svg=diagram_svg,
        diagram_note=note,
        effect=effect,
        notes=notes,
    )
