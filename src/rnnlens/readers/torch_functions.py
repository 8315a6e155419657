"""Functions ``forward`` calls on tensors: ``torch.cat``, ``torch.zeros``, ``F.relu``, packing.

Each adds one step to the :class:`~rnnlens.readers.torch_tensors.Flow` with the shape it
computes (:mod:`.torch_ops`), or an unknown shape and a note when the function is not one of
these.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from . import torch_ops as ops
from .budget import snippet
from .torch_tensors import _UNREAD, Flow, TVal, _dim, _plain, _tensors, method_shape
from .values import Unknown

if TYPE_CHECKING:
    from .evaluator import Evaluator


def _packing(
    flow: Flow, node: ast.Call, name: str, label: str, args: list[Any], kwargs: dict[str, Any]
) -> TVal:
    """A packing or unpacking call: the first tensor's shape passes through unchanged."""
    x = _tensors(args[:1])
    plain = {k: _plain(v) for k, v in kwargs.items() if not isinstance(v, TVal)}
    shape = x[0].shape if x else None
    return flow.new(
        "function", x, shape, node, label, args={"name": name, "args": (), "kwargs": plain}
    )


def tensor_function(
    flow: Flow, ev: Evaluator, name: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call
) -> Any:
    """``torch.cat``, ``torch.zeros``, ``F.relu``, ``pack_padded_sequence``... inside ``forward``."""
    if name in ("cat", "concat", "stack"):
        items = args[0] if args and isinstance(args[0], (list, tuple)) else []
        tensors = _tensors(items)
        dim = _plain(kwargs.get("dim", args[1] if len(args) > 1 else 0))
        shapes = [t.shape for t in tensors]
        shape = ops.cat_shape(shapes, dim) if name != "stack" else ops.stack_shape(shapes, dim)
        return flow.new(
            "function",
            tensors,
            shape,
            node,
            name,
            args={"name": f"torch.{name}", "args": (), "kwargs": {"dim": dim}},
        )
    if name in (
        "zeros",
        "ones",
        "randn",
        "rand",
        "empty",
        "full",
        "zeros_like",
        "ones_like",
        "randn_like",
    ):
        if name.endswith("_like"):
            tensors = _tensors(args[:1])
            shape = tensors[0].shape if tensors else None
        else:
            sizes = (
                args[0]
                if len(args) == 1 and isinstance(args[0], (tuple, list))
                else args[: len(args) - (1 if name == "full" else 0)]
            )
            shape = tuple(_dim(s) for s in sizes)
            tensors = []
        return flow.new(
            "function",
            tensors,
            shape,
            node,
            name,
            args={"name": f"torch.{name}", "args": (), "kwargs": {}},
        )
    if name in ("pack_padded_sequence", "pack_sequence"):
        return _packing(flow, node, name, "packed", args, kwargs)
    if name == "pad_packed_sequence":
        padded = _packing(flow, node, name, "padded", args, kwargs)
        lengths = flow.new("getitem", [padded], None, node, "lengths", args={"index": 1})
        return (padded, lengths)
    tensors = _tensors(args)
    if not tensors:
        return Unknown(snippet(node))
    if name in ("matmul", "bmm", "mm"):
        shape = ops.matmul_shape(tensors[0].shape, tensors[1].shape if len(tensors) > 1 else None)
        return flow.new(
            "function",
            tensors,
            shape,
            node,
            name,
            args={"name": f"torch.{name}", "args": (), "kwargs": {}},
        )
    shape = method_shape(
        name,
        tensors[0].shape,
        [_plain(a) for a in args[1:]],
        {k: _plain(v) for k, v in kwargs.items()},
    )
    if shape is _UNREAD:
        flow.notes.append(f"line {node.lineno}: the shape after {name}(...) is not followed")
        shape = None
    return flow.new(
        "function",
        tensors,
        shape,
        node,
        name,
        args={
            "name": name,
            "args": tuple(_plain(a) for a in args[1:] if not isinstance(a, TVal)),
            "kwargs": {k: _plain(v) for k, v in kwargs.items() if not isinstance(v, TVal)},
        },
    )
