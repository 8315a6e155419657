"""Shapes of the tensor operations ``forward`` uses, computed without torch.

Sizes are ints, symbols (:class:`~rnnlens.symbolic.Size`) or ``None`` (unknown, often the
batch). Each function takes the input shape(s) and the operation's arguments and returns the
output shape, or ``None`` when it cannot be told.

>>> index_shape((None, 10, 128), (slice(None), -1, slice(None)))
(None, 128)
>>> cat_shape([(None, 64), (None, 64)], dim=1)
(None, 128)
>>> view_shape((4, None, 32), (None, -1))
(None, 128)
"""

from __future__ import annotations

from typing import Any

Shape = tuple[Any, ...]


def _axis(dim: Any, rank: int) -> int | None:
    if not isinstance(dim, int) or isinstance(dim, bool) or not -rank <= dim < max(rank, 1):
        return None
    return dim % rank if rank else 0


def index_shape(shape: Shape | None, index: Any) -> Shape | None:
    """``x[index]`` for ints, slices, ``None`` and ``...`` (numpy's basic indexing)."""
    if shape is None:
        return None
    items = list(index) if isinstance(index, tuple) else [index]
    if any(not (i is None or i is Ellipsis or isinstance(i, (int, slice))) for i in items):
        return None
    consuming = sum(1 for i in items if i is not None and i is not Ellipsis)
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items[at : at + 1] = [slice(None)] * max(0, len(shape) - consuming)
    out: list[Any] = []
    axis = 0
    for item in items:
        if item is None:
            out.append(1)
            continue
        if axis >= len(shape):
            return None
        size = shape[axis]
        axis += 1
        if isinstance(item, int):
            continue
        if item == slice(None):
            out.append(size)
        elif isinstance(size, int) and not isinstance(size, bool):
            out.append(len(range(size)[item]))
        else:
            out.append(_slice_length(item))
    return (*out, *shape[axis:])


def _slice_length(item: slice) -> Any:
    # h_n[-2:] on an unknown axis still has 2 entries; x[:, :k] with a symbolic axis does not say.
    start, stop, step = item.start, item.stop, item.step or 1
    if isinstance(start, int) and start < 0 and stop is None and step == 1:
        return -start
    if isinstance(start, int) and isinstance(stop, int) and start >= 0 and stop >= start:
        return len(range(start, stop, step))
    return None


def view_shape(shape: Shape | None, sizes: tuple[Any, ...]) -> Shape | None:
    """``x.view(*sizes)`` / ``reshape``: one ``-1`` is inferred when the rest is known."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    if -1 not in sizes:
        return tuple(sizes)
    if shape is None:
        return tuple(None if s == -1 else s for s in sizes)
    # An unknown axis on both sides (the batch, passed on as x.size(0)) cancels out.
    cancel = sum(d is None for d in shape) == sum(s is None for s in sizes)
    known_total = _product(tuple(d for d in shape if d is not None or not cancel))
    rest = _product(tuple(s for s in sizes if s != -1 and (s is not None or not cancel)))
    inferred = None
    if known_total is not None and rest not in (None, 0):
        try:
            inferred = known_total // rest if known_total % rest == 0 else None
        except TypeError:
            inferred = None
    return tuple(inferred if s == -1 else s for s in sizes)


def _product(shape: Shape) -> Any:
    total: Any = 1
    for dim in shape:
        if dim is None:
            return None
        total = total * dim
    return total


def permute_shape(shape: Shape | None, dims: tuple[Any, ...]) -> Shape | None:
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    if shape is None or len(dims) != len(shape):
        return None
    axes = [_axis(d, len(shape)) for d in dims]
    return None if None in axes else tuple(shape[a] for a in axes)  # type: ignore[index]


def transpose_shape(shape: Shape | None, a: Any, b: Any) -> Shape | None:
    if shape is None:
        return None
    i, j = _axis(a, len(shape)), _axis(b, len(shape))
    if i is None or j is None:
        return None
    out = list(shape)
    out[i], out[j] = out[j], out[i]
    return tuple(out)


def squeeze_shape(shape: Shape | None, dim: Any = None) -> Shape | None:
    if shape is None:
        return None
    if dim is None:
        return tuple(s for s in shape if s != 1)
    axis = _axis(dim, len(shape))
    if axis is None:
        return None
    return shape[:axis] + shape[axis + 1 :] if shape[axis] == 1 else shape


def unsqueeze_shape(shape: Shape | None, dim: Any) -> Shape | None:
    if shape is None:
        return None
    axis = _axis(dim, len(shape) + 1)
    return None if axis is None else (*shape[:axis], 1, *shape[axis:])


def cat_shape(shapes: list[Shape | None], dim: Any = 0) -> Shape | None:
    if not shapes or any(s is None for s in shapes):
        return None
    first = shapes[0]
    assert first is not None
    axis = _axis(dim, len(first))
    if axis is None or any(len(s) != len(first) for s in shapes if s is not None):
        return None
    total: Any = 0
    for s in shapes:
        assert s is not None
        if s[axis] is None:
            return (*first[:axis], None, *first[axis + 1 :])
        total = total + s[axis]
    return (*first[:axis], total, *first[axis + 1 :])


def stack_shape(shapes: list[Shape | None], dim: Any = 0) -> Shape | None:
    if not shapes or shapes[0] is None:
        return None
    return unsqueeze_shape(shapes[0], dim) and _replace(
        unsqueeze_shape(shapes[0], dim), dim, len(shapes)
    )


def _replace(shape: Shape | None, dim: Any, size: int) -> Shape | None:
    if shape is None:
        return None
    axis = _axis(dim, len(shape))
    return None if axis is None else (*shape[:axis], size, *shape[axis + 1 :])


def reduce_shape(shape: Shape | None, dim: Any = None, keepdim: bool = False) -> Shape | None:
    """``mean``/``sum``/``max`` over ``dim`` (all axes when ``dim`` is None)."""
    if shape is None:
        return None
    if dim is None:
        return ()
    axis = _axis(dim, len(shape))
    if axis is None:
        return None
    return (*shape[:axis], 1, *shape[axis + 1 :]) if keepdim else shape[:axis] + shape[axis + 1 :]


def flatten_shape(shape: Shape | None, start: int = 0, end: int = -1) -> Shape | None:
    if shape is None:
        return None
    i, j = _axis(start, len(shape)), _axis(end, len(shape))
    if i is None or j is None:
        return None
    return (*shape[:i], _product(shape[i : j + 1]), *shape[j + 1 :])


def matmul_shape(left: Shape | None, right: Shape | None) -> Shape | None:
    if left is None or right is None or len(left) < 2 or len(right) < 2:
        return None
    return (*left[:-1], right[-1])
