"""One shape vocabulary: ``(batch, time, features)`` with the batch dimension ``None``.

Shapes are plain tuples so that they print like Keras's (``(None, 10, 64)``) and need no torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .errors import ShapeError
from .limits import MAX_DIMENSION, MAX_RANK
from .show import preview
from .symbolic import Size

# A size is an int or, when it comes from data, a rnnlens.symbolic.Size: an exact polynomial
# that computes and prints like an int (so the alias keeps naming int for the type checker).
Dim = int | None
Shape = tuple[Dim, ...]
# A layer with return_state or merge_mode=None hands on several tensors.
ShapeOrList = Shape | list[Shape]


def as_shape(value: object, *, what: str) -> Shape:
    """Validate a user-given shape (without the batch dimension unless it is ``None``).

    >>> as_shape([10, 2], what="input_shape")
    (10, 2)
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise ShapeError(f"{what} must be a tuple of positive integers, received {preview(value)}")
    if len(value) > MAX_RANK:
        raise ShapeError(f"{what} has {len(value):,} dimensions, more than {MAX_RANK}")
    dims: list[Any] = []  # ints, None, or sizes from data (rnnlens.symbolic.Size)
    for dim in value:
        if dim is None:
            dims.append(None)
        elif isinstance(dim, Size) and dim.known_positive():
            dims.append(dim)
        elif isinstance(dim, bool) or not isinstance(dim, int) or dim <= 0:
            raise ShapeError(
                f"{what} must hold positive integers (or None for a free size), "
                f"received {preview(tuple(value))}"
            )
        elif dim > MAX_DIMENSION:
            raise ShapeError(
                f"{what} holds {preview(dim)}, above the largest size rnnlens accepts "
                f"({MAX_DIMENSION:,})"
            )
        else:
            dims.append(dim)
    return tuple(dims)


def format_shape(shape: ShapeOrList) -> str:
    """Print a shape the way Keras's summary does.

    >>> format_shape((None, 10, 64))
    '(None, 10, 64)'
    >>> format_shape([(None, 3), (None, 3)])
    '[(None, 3), (None, 3)]'
    """
    if isinstance(shape, list):
        return "[" + ", ".join(format_shape(s) for s in shape) + "]"
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def first_shape(shape: ShapeOrList) -> Shape:
    """The main output of a layer that may hand on several tensors."""
    return shape[0] if isinstance(shape, list) else shape


def describe_dims(shape: Shape) -> str:
    """Name the axes of a batch-first shape: ``(batch, time, features)``."""
    names = {2: "(batch, features)", 3: "(batch, time, features)"}
    return names.get(len(shape), f"rank {len(shape)}")
