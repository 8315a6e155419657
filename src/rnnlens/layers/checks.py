"""Build-time checks of the arguments every layer shares: name, batch size, batch shapes.

Each check runs when the argument is given, so a wrong value fails where it was written
(``Input(batch_size="x")``) rather than at the first ``predict``. Messages show the value
through :func:`rnnlens.show.preview`, bounded however large it is. The error classes are
Keras's where Keras has them: :class:`~rnnlens.errors.ConfigError` is a ``ValueError``.

>>> layer_name("LSTM", "bi/forward")
Traceback (most recent call last):
...
rnnlens.errors.ConfigError: LSTM: name 'bi/forward' cannot contain '/' (Keras's rule: weights are stored under 'layer/weight' keys, so '/' would let two layers share one key); use 'bi_forward'
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError, ShapeError
from ..limits import MAX_DIMENSION
from ..show import preview


def layer_name(layer_type: str, name: object) -> str | None:
    """``name`` when it is usable: a non-empty string without ``/``.

    Raises:
        ConfigError: not a string, empty, or holding ``/``.
    """
    if name is None:
        return None
    if not isinstance(name, str) or not name:
        raise ConfigError(
            f"{layer_type}: name must be a non-empty string, received {preview(name)}"
        )
    if "/" in name:
        raise ConfigError(
            f"{layer_type}: name {preview(name)} cannot contain '/' (Keras's rule: weights are "
            "stored under 'layer/weight' keys, so '/' would let two layers share one key); "
            f"use {preview(name.replace('/', '_'))}"
        )
    return name


def batch_size(layer_type: str, value: object, argument: str = "batch_size") -> int | None:
    """A fixed batch size: ``None`` or a positive integer.

    >>> batch_size("Input", None), batch_size("Input", 8)
    (None, 8)

    Raises:
        ConfigError: anything else (``"x"``, ``0``, ``True``, ``2.5``, a huge number).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_DIMENSION:
        raise ConfigError(
            f"{layer_type}: {argument} must be a positive integer or None, received "
            f"{preview(value)}"
        )
    return value


def batch_shape(layer_type: str, value: object, argument: str) -> tuple[Any, ...]:
    """``batch_input_shape`` / ``batch_shape``: a tuple of (batch, *shape), at least 2 long.

    >>> batch_shape("LSTM", (None, 10, 2), "batch_input_shape")
    (None, 10, 2)

    Raises:
        ShapeError: not a tuple or list, or shorter than (batch, features).
    """
    if not isinstance(value, (tuple, list)):
        raise ShapeError(
            f"{layer_type}: {argument} must be a tuple (batch, time, features), received "
            f"{preview(value)}"
        )
    if len(value) < 2:
        raise ShapeError(
            f"{layer_type}: {argument} needs the batch size and at least one more dimension, "
            f"e.g. (None, 10, 2), received {preview(tuple(value))}"
        )
    batch_size(layer_type, value[0], f"{argument}[0]")
    return tuple(value)


def noise_shape(layer_type: str, value: object) -> tuple[int | None, ...] | None:
    """Dropout's ``noise_shape``: ``None`` or a tuple of positive integers / ``None``.

    Raises:
        ConfigError: a string or anything else that is not such a tuple.
    """
    if value is None:
        return None
    if not isinstance(value, (tuple, list)) or not all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and 0 < d <= MAX_DIMENSION)
        for d in value
    ):
        raise ConfigError(
            f"{layer_type}: noise_shape must be a tuple of positive integers or None, e.g. "
            f"(None, 1, 8), received {preview(value)}"
        )
    return tuple(value)


def seed(layer_type: str, value: object) -> int | None:
    """A random seed: ``None`` or a non-negative integer below 2**64.

    Raises:
        ConfigError: anything else.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << 64:
        raise ConfigError(
            f"{layer_type}: seed must be a non-negative integer, received {preview(value)}"
        )
    return value
