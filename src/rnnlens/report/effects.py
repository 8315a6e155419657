"""The report's two questions beyond the trace: which inputs mattered, and what a state does.

* ``attribution_maps``: the attribution of the output to every input step and feature
  (:func:`rnnlens.interpret.attribute`), one time × feature map per traced sample.
* ``downstream_effect``: the model's outputs once the first recurrent layer's ``h`` is zeroed
  after one step (:func:`rnnlens.interpret.patch`), against the unchanged outputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import RnnlensError

if TYPE_CHECKING:
    from ..graph import ModelSpec
    from .arrays import ArrayStore

#: Output units listed per sample in the downstream table.
SHOWN_OUTPUTS = 6


def attribution_maps(
    model: ModelSpec,
    x: np.ndarray,
    method: str,
    store: ArrayStore,
    samples: list[dict[str, Any]],
) -> list[str]:
    """Add ``"attribution"`` (a time × feature map) to every sample entry; return notes."""
    from ..interpret import attribute

    try:
        result = attribute(model, x, method=method, steps=32)
    except (RnnlensError, RuntimeError) as error:  # e.g. integer token inputs have no gradient
        return [f"Attributions are not shown: {error}"]
    for s, entry in enumerate(samples):
        entry["attribution"] = {
            "ref": store.add(result.values[s], entry["stride"]),  # (T, D)
            "method": method,
            "target": int(result.target[s]),
        }
    if method == "integrated_gradients" and result.completeness_gap is not None:
        worst = float(np.abs(result.completeness_gap).max())
        return [f"Integrated gradients (32-point Gauss-Legendre): completeness gap {worst:.2%}."]
    return []


def downstream_effect(
    model: ModelSpec, x: np.ndarray, step: int | None, samples: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The outputs with the first recurrent layer's h zeroed after ``step`` (default: the
    middle step), next to the unchanged ones; None when the model has no recurrent layer."""
    from ..engine.bidirectional import BidirectionalModule
    from ..engine.predict import predict
    from ..engine.recurrent import RecurrentModule
    from ..interpret import patch
    from ..trace import recorded_chain

    layer = next(
        (
            each
            for each, module in recorded_chain(model, "report")
            if isinstance(module, RecurrentModule | BidirectionalModule)
        ),
        None,
    )
    if layer is None or x.ndim != 3:
        return None
    chosen = x.shape[1] // 2 if step is None else step
    before = predict(model, x, batch_size=len(x))
    after = patch(model, x, layer=layer.name, step=chosen, state="h", value=0.0)
    before, after = (v[0] if isinstance(v, list) else v for v in (before, after))
    labels = samples[0]["time_labels"]
    effect: dict[str, Any] = {
        "layer": layer.name,
        "step": chosen % x.shape[1],
        "step_label": labels[chosen] if labels else str(chosen % x.shape[1] + 1),
        "time_name": samples[0]["time_name"],
    }
    if before.ndim == 3:  # an output per step: how far each step moved, mean over units
        effect["series"] = {
            entry["name"]: np.abs(after[s] - before[s])
            .mean(axis=-1)
            .astype(np.float64)
            .round(6)
            .tolist()
            for s, entry in enumerate(samples)
        }
        return effect
    effect["rows"] = [
        {
            "sample": entry["name"],
            "before": np.round(before[s][:SHOWN_OUTPUTS].astype(np.float64), 4).tolist(),
            "after": np.round(after[s][:SHOWN_OUTPUTS].astype(np.float64), 4).tolist(),
        }
        for s, entry in enumerate(samples)
    ]
    return effect
