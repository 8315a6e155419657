"""Reshape and Permute: layers that move numbers around without weights."""

from __future__ import annotations

import math
from typing import Any

from ..errors import ConfigError, ShapeError
from ..shapes import Shape, ShapeOrList, format_shape
from .base import Layer


class Reshape(Layer):
    """``(batch, ...)`` -> ``(batch, *target_shape)``; one ``-1`` takes what is left.

    >>> layer = Reshape((5, -1))
    >>> layer.build((None, 20))
    >>> layer.output_shape
    (None, 5, 4)

    Raises:
        ConfigError: a target with zeros, negative sizes other than one -1.
        ShapeError: the element counts do not match.
    """

    supports_masking = False

    def __init__(self, target_shape: tuple[int, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(target_shape, int):
            target_shape = (target_shape,)
        if not isinstance(target_shape, (list, tuple)) or not all(
            isinstance(d, int) and not isinstance(d, bool) and (d > 0 or d == -1)
            for d in target_shape
        ):
            raise ConfigError(
                f"Reshape: target_shape must be a tuple of positive integers (one may be -1), "
                f"received {target_shape!r}"
            )
        if list(target_shape).count(-1) > 1:
            raise ConfigError(f"Reshape: at most one -1 in target_shape, received {target_shape!r}")
        self.target_shape = tuple(target_shape)

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        rest = input_shape[1:]
        known = math.prod(d for d in self.target_shape if d != -1)
        if any(d is None for d in rest):
            if -1 in self.target_shape:
                return (input_shape[0], *[None if d == -1 else d for d in self.target_shape])
            return (input_shape[0], *self.target_shape)
        total = math.prod(d for d in rest if d is not None)
        if -1 in self.target_shape:
            if total % known:
                raise ShapeError(self._mismatch(input_shape, total))
            return (input_shape[0], *[total // known if d == -1 else d for d in self.target_shape])
        if total != known:
            raise ShapeError(self._mismatch(input_shape, total))
        return (input_shape[0], *self.target_shape)

    def _mismatch(self, input_shape: Shape, total: int) -> str:
        return (
            f"{self.describe()}: the input {format_shape(input_shape)} holds {total} numbers per "
            f"sample, which cannot be laid out as target_shape={self.target_shape}"
        )


class Permute(Layer):
    """Reorders the non-batch axes: ``dims`` is a permutation of 1…rank-1 (1 is the first).

    >>> layer = Permute((2, 1))
    >>> layer.build((None, 10, 64))
    >>> layer.output_shape
    (None, 64, 10)
    """

    supports_masking = False

    def __init__(self, dims: tuple[int, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(dims, (list, tuple)) or sorted(dims) != list(range(1, len(dims) + 1)):
            raise ConfigError(
                "Permute: dims must be a permutation of 1, 2, ..., n (the batch axis is not "
                f"counted), received {dims!r}"
            )
        self.dims = tuple(dims)

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        if len(input_shape) != len(self.dims) + 1:
            raise ShapeError(
                f"{self.describe()}: dims={self.dims} reorders {len(self.dims)} axes, but the "
                f"input {format_shape(input_shape)} has {len(input_shape) - 1} besides the batch"
            )
        return (input_shape[0], *[input_shape[d] for d in self.dims])
