"""Turning a long series into (input window, target) pairs, and padding ragged sequences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InputDataError


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InputDataError(f"windows: {name} must be a positive integer, received {value!r}")
    return int(value)


def windows(series: Any, time_steps: int, horizon: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Slide a window along ``series``: each input is ``time_steps`` consecutive values, its
    target the value ``horizon`` steps after the window's last one.

    With series ``s`` of length ``L``: ``x[n] = s[n : n + time_steps]`` and
    ``y[n] = s[n + time_steps + horizon - 1]`` for ``n = 0 .. L - time_steps - horizon``.

    >>> x, y = windows([1.0, 2.0, 3.0, 4.0, 5.0], time_steps=3)
    >>> x.shape, y.shape
    ((2, 3, 1), (2, 1))
    >>> x[1, :, 0].tolist(), y[:, 0].tolist()
    ([2.0, 3.0, 4.0], [4.0, 5.0])

    Args:
        series: (time,) or (time, features) numbers.
        time_steps: length of each input window.
        horizon: how many steps past the window the target lies (1 = the next value).

    Returns:
        ``x`` (N, time_steps, features) and ``y`` (N, features), float arrays, with
        ``N = time - time_steps - horizon + 1``.

    Raises:
        InputDataError: sizes not positive integers, series not 1-D/2-D numeric, NaN or
            infinite values, or a series too short for one window.
    """
    steps = _positive_int(time_steps, "time_steps")
    ahead = _positive_int(horizon, "horizon")
    try:
        array = np.asarray(series, dtype=float)
    except (TypeError, ValueError) as error:
        raise InputDataError(
            f"windows: series must be numeric, could not read it: {error}"
        ) from None
    if array.ndim == 1:
        array = array[:, None]  # (T,) -> (T, 1)
    if array.ndim != 2:
        raise InputDataError(
            f"windows: series must be (time,) or (time, features), received shape {array.shape}"
        )
    bad = ~np.isfinite(array)
    if bad.any():
        first = int(np.argwhere(bad)[0][0])
        raise InputDataError(
            f"windows: series holds {int(bad.sum())} NaN/inf value(s), the first at time {first}: "
            "fill or drop them before windowing"
        )
    count = len(array) - steps - ahead + 1
    if count < 1:
        raise InputDataError(
            f"windows: a series of length {len(array)} is too short for time_steps={steps} and "
            f"horizon={ahead}: it needs at least {steps + ahead} values"
        )
    index = np.arange(count)[:, None] + np.arange(steps)  # (N, time_steps)
    x = array[index]  # (N, time_steps, features)
    y = array[steps + ahead - 1 :]  # (N, features): the value `horizon` past each window
    return x, y


def pad(sequences: Sequence[Any], value: float = 0.0, length: int | None = None) -> np.ndarray:
    """Stack variable-length (T_i, features) sequences into (N, T_max, features), padding the
    end of each with ``value`` (use the same value in ``Masking(mask_value=value)``).

    >>> batch = pad([np.ones((2, 3)), np.ones((4, 3))])
    >>> batch.shape, batch[0, :, 0].tolist()
    ((2, 4, 3), [1.0, 1.0, 0.0, 0.0])

    Args:
        sequences: arrays of shape (T_i, features), all with the same features.
        value: the padding value.
        length: pad (or cut) to this many steps; the longest sequence by default.

    Raises:
        InputDataError: empty input, mismatched features, or a real step equal to ``value``
            everywhere (Masking would drop it).
    """
    arrays = [np.asarray(s, dtype=float) for s in sequences]
    if not arrays:
        raise InputDataError("pad: received no sequences")
    for n, a in enumerate(arrays):
        if a.ndim != 2 or a.shape[1] != arrays[0].shape[1]:
            raise InputDataError(
                f"pad: sequence {n} has shape {a.shape}, expected (time, {arrays[0].shape[-1]})"
            )
        if (a == value).all(axis=1).any():
            raise InputDataError(
                f"pad: sequence {n} has a real step equal to the padding value {value} in every "
                "feature, so Masking would skip it: choose another value"
            )
    total = length if length is not None else max(len(a) for a in arrays)
    out = np.full((len(arrays), total, arrays[0].shape[1]), value)  # (N, T_max, F)
    for n, a in enumerate(arrays):
        out[n, : min(len(a), total)] = a[:total]
    return out
