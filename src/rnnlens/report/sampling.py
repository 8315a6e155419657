"""Which samples a report shows, how their time steps are labelled, and how much each
sample's sequences are pooled in time to fit the page's size budget."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputDataError

if TYPE_CHECKING:
    from ..trace import LayerTrace, Trace


def first_output(output: Any) -> np.ndarray:
    """The first tensor a layer hands on (the output, before any returned states)."""
    return output[0] if isinstance(output, list) else output


def per_step_arrays(layer: LayerTrace, sample: int) -> Iterator[np.ndarray]:
    """Every array of one layer and sample that has a time axis (what pooling shrinks)."""
    for array in (layer.inputs[sample], first_output(layer.output)[sample]):
        if array.ndim == 2:
            yield array
    for direction in layer.directions:
        for value in direction.arrays.values():
            yield value[sample]


def pooling_strides(traced: Trace, max_bytes: int) -> list[int]:
    """Time pooling per sample so the stored bytes fit ``max_bytes`` of base64 text.

    Everything at full resolution when it fits; otherwise the first sample keeps full
    resolution if it fits in 60 % of the budget, and the others share the rest equally.
    """
    budget = max_bytes * 3 // 4  # base64 turns 3 bytes into 4 characters
    sizes = []
    for s in range(len(traced.inputs)):
        unique = {
            (a.__array_interface__["data"][0], a.shape, a.strides): a.size
            for layer in traced.layers
            for a in per_step_arrays(layer, s)
        }
        sizes.append(sum(unique.values()))
    if sum(sizes) <= budget:
        return [1] * len(sizes)
    first = max(1, math.ceil(sizes[0] / (budget * 0.6)))
    rest = sum(sizes[1:])
    left = max(budget - sizes[0] / first, 1.0)
    return [first] + [max(1, math.ceil(rest / left))] * (len(sizes) - 1)


def chosen_samples(samples: Any, available: int) -> list[int]:
    """The sample indices to trace: the first ``samples``, or the listed ones."""
    if isinstance(samples, int) and not isinstance(samples, bool) and 1 <= samples <= 32:
        return list(range(min(samples, available)))
    if (
        isinstance(samples, Sequence)
        and not isinstance(samples, str)
        and 1 <= len(samples) <= 32
        and all(
            isinstance(i, int) and not isinstance(i, bool) and 0 <= i < available for i in samples
        )
    ):
        return list(samples)
    raise InputDataError(
        f"report: samples must be an integer from 1 to 32 or a list of up to 32 indices into x "
        f"(0 to {available - 1}), received {samples!r}"
    )


def labels_per_sample(
    values: Any, picked: list[int], steps: int, what: str
) -> list[list[str]] | None:
    """Per-sample time labels: one sequence for every sample, or one per sample of ``x``."""
    if values is None:
        return None
    array = np.asarray(values, dtype=object)
    if array.ndim == 1 and len(array) == steps:
        return [[str(v) for v in array]] * len(picked)
    if array.ndim == 2 and array.shape[1] == steps:
        return [[str(v) for v in array[i]] for i in picked]
    raise InputDataError(
        f"report: {what} must hold {steps} labels (one per time step), or one row of {steps} "
        f"per sample of x; received shape {array.shape}"
    )
