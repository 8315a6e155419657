"""Layers that merge several tensors: Concatenate, Add, Subtract, Multiply, Average,
Maximum, Minimum and Dot, with Keras 3's shapes and masks, and their functional forms.

Element-wise merges take tensors of one shape (a size of 1 or ``None`` broadcasts) and hand
on that shape. ``Concatenate`` joins along ``axis`` (the last by default). ``Dot`` is a batch
dot product over ``axes``. None has weights. Masks: an element-wise merge hands on the OR of
its inputs' masks when every input has one; ``Concatenate`` when any has one; ``Dot`` none.

>>> from rnnlens.layers import Input, concatenate, add, dot
>>> a, b = Input(shape=(5, 3)), Input(shape=(5, 4))
>>> concatenate([a, b]).shape, add([a, a]).shape, dot([a, a], axes=2).shape
((None, 5, 7), (None, 5, 3), (None, 5, 5))
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..errors import ConfigError, ShapeError
from ..shapes import Shape, ShapeOrList, format_shape
from .base import Layer


class Merge(Layer):
    """Base of the merge layers: called on a list of at least two tensors."""

    takes_several_inputs = True
    #: The operation in words, for explanations and errors.
    operation: ClassVar[str] = ""
    minimum_inputs: ClassVar[int] = 2

    def _shapes(self, input_shape: ShapeOrList) -> list[Shape]:
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        if len(shapes) < self.minimum_inputs:
            raise ShapeError(
                f"{self.describe()} merges at least {self.minimum_inputs} tensors, received "
                f"{len(shapes)} {format_shape(shapes)}: call it on a list, e.g. layer([a, b])"
            )
        return shapes

    def compute_output_shape(self, input_shape: ShapeOrList) -> ShapeOrList:
        shapes = self._shapes(input_shape)
        ranks = {len(s) for s in shapes}
        if len(ranks) > 1:
            raise ShapeError(
                f"{self.describe()} {self.operation} tensors of one shape, received "
                f"{format_shape(shapes)}: make the ranks agree (Reshape, RepeatVector, or "
                "return_sequences on the layer before)"
            )
        out = list(shapes[0][1:])
        for shape in shapes[1:]:
            for axis, (have, new) in enumerate(zip(out, shape[1:])):
                if have is None or new is None:
                    out[axis] = have if new == 1 else new if have == 1 else None
                elif have == 1 or new == 1 or have == new:
                    out[axis] = max(have, new)
                else:
                    raise ShapeError(
                        f"{self.describe()} {self.operation} tensors of one shape, received "
                        f"{format_shape(shapes)}: axis {axis + 1} is {have} in one and {new} in "
                        "another; give the branches the same width (e.g. the same units)"
                    )
        batches = {s[0] for s in shapes} - {None}
        return (batches.pop() if len(batches) == 1 else None, *out)


class Add(Merge):
    """Element-wise sum of the inputs."""

    operation = "adds"


class Subtract(Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    operation = "subtracts"

    def compute_output_shape(self, input_shape: ShapeOrList) -> ShapeOrList:
        if len(self._shapes(input_shape)) != 2:
            raise ShapeError(f"{self.describe()} subtracts exactly two tensors")
        return super().compute_output_shape(input_shape)


class Multiply(Merge):
    """Element-wise product of the inputs (masked steps count as 1, then output 0)."""

    operation = "multiplies"


class Average(Merge):
    """Element-wise mean of the inputs."""

    operation = "averages"


class Maximum(Merge):
    """Element-wise maximum of the inputs."""

    operation = "takes the maximum of"


class Minimum(Merge):
    """Element-wise minimum of the inputs."""

    operation = "takes the minimum of"


class Concatenate(Merge):
    """Joins the inputs along ``axis``; every other axis must agree.

    >>> from rnnlens.layers import Input
    >>> Concatenate(axis=1)([Input(shape=(5, 3)), Input(shape=(2, 3))]).shape
    (None, 7, 3)
    """

    operation = "concatenates"

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ConfigError(f"Concatenate: axis must be an integer, received {axis!r}")
        self.axis = axis

    def compute_output_shape(self, input_shape: ShapeOrList) -> ShapeOrList:
        shapes = self._shapes(input_shape)
        rank = len(shapes[0])
        axis = self.axis % rank if -rank <= self.axis < rank else None
        if axis is None or axis == 0 or any(len(s) != rank for s in shapes):
            raise ShapeError(
                f"{self.describe()} joins tensors of one rank along axis {self.axis} (not the "
                f"batch axis), received {format_shape(shapes)}"
            )
        for shape in shapes[1:]:
            for i in range(1, rank):
                a, b = shapes[0][i], shape[i]
                if i != axis and a is not None and b is not None and a != b:
                    raise ShapeError(
                        f"{self.describe()} joins along axis {self.axis}, so every other axis "
                        f"must agree; received {format_shape(shapes)} (axis {i}: {a} vs {b}): "
                        "concatenate features of the same time steps, or set axis="
                    )
        sizes = [s[axis] for s in shapes]
        joined = None if any(d is None for d in sizes) else sum(d for d in sizes if d is not None)
        out = list(shapes[0])
        out[axis] = joined
        return tuple(out)


class Dot(Merge):
    """Batch dot product of two tensors over ``axes`` (``normalize``: cosine similarity).

    ``(batch, t, d)·(batch, s, d)`` over ``axes=2`` is ``(batch, t, s)``: attention scores.
    Two ``(batch, d)`` vectors give ``(batch, 1)``.
    """

    operation = "takes the dot product of"

    def __init__(
        self, axes: int | list[int] | tuple[int, int], normalize: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        valid = isinstance(axes, int) and not isinstance(axes, bool)
        if isinstance(axes, (list, tuple)):
            valid = len(axes) == 2 and all(
                isinstance(a, int) and not isinstance(a, bool) for a in axes
            )
        if not valid:
            raise ConfigError(
                f"Dot: axes must be an integer or a pair of integers, received {axes!r}"
            )
        self.axes = list(axes) if isinstance(axes, (list, tuple)) else axes
        self.normalize = bool(normalize)

    def resolved_axes(self, shapes: list[Shape]) -> tuple[int, int]:
        """The two axes, counted from 0 (the batch axis) in each input."""
        pair = [self.axes, self.axes] if isinstance(self.axes, int) else self.axes
        return (pair[0] % len(shapes[0]), pair[1] % len(shapes[1]))

    def compute_output_shape(self, input_shape: ShapeOrList) -> ShapeOrList:
        shapes = self._shapes(input_shape)
        if len(shapes) != 2:
            raise ShapeError(f"{self.describe()} takes exactly two tensors, received {len(shapes)}")
        a, b = self.resolved_axes(shapes)
        if 0 in (a, b) or shapes[0][a] != shapes[1][b]:
            raise ShapeError(
                f"{self.describe()} multiplies axis {a} of {format_shape(shapes[0])} with axis {b} "
                f"of {format_shape(shapes[1])}: they must be non-batch axes of the same size"
            )
        first, second = list(shapes[0]), list(shapes[1])
        first.pop(a)
        second.pop(b)
        out = first + second[1:]
        return tuple(out if len(out) > 1 else [*out, 1])


def _functional(cls: type[Merge]) -> Any:
    def merge(inputs: list[Any], **kwargs: Any) -> Any:
        return cls(**kwargs)(inputs)

    merge.__name__ = cls.__name__.lower()
    merge.__doc__ = f"``{cls.__name__}(**kwargs)(inputs)``, Keras's functional form."
    return merge


add = _functional(Add)
subtract = _functional(Subtract)
multiply = _functional(Multiply)
average = _functional(Average)
maximum = _functional(Maximum)
minimum = _functional(Minimum)


def concatenate(inputs: list[Any], axis: int = -1, **kwargs: Any) -> Any:
    """``Concatenate(axis=axis, **kwargs)(inputs)``, Keras's functional form."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(
    inputs: list[Any], axes: int | list[int] = -1, normalize: bool = False, **kwargs: Any
) -> Any:
    """``Dot(axes, normalize, **kwargs)(inputs)``, Keras's functional form."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)


MERGE_LAYERS = (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot)
