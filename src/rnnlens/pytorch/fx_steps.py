"""A ``torch.fx`` graph of ``forward`` as the :class:`~rnnlens.pytorch.network.Step` list.

fx records every call, index, method and function of ``forward`` in order, with the stack
trace of the user's line (``record_stack_traces``); ``ShapeProp`` leaves each node's shape in
``node.meta``. This turns them into the single-assignment steps the mistake checks read.
"""

from __future__ import annotations

import re
from typing import Any

import torch

from .network import Step

_LINE = re.compile(r'File "([^"]+)", line (\d+), in \w+\n\s*(.*)')


def _where(node: torch.fx.Node) -> tuple[int | None, str | None]:
    trace = node.stack_trace or ""
    for file, line, code in _LINE.findall(trace):
        if "/torch/" not in file:
            return int(line), code
    return None, None


def _plain(value: Any) -> Any:
    if isinstance(value, torch.fx.Node):
        return value.name
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, slice):
        return slice(_plain(value.start), _plain(value.stop), _plain(value.step))
    return value


def _nodes(value: Any) -> list[str]:
    if isinstance(value, torch.fx.Node):
        return [value.name]
    if isinstance(value, (tuple, list)):
        return [n for v in value for n in _nodes(v)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _nodes(v)]
    return []


def _meta_shape(meta: Any) -> Any:
    if meta is None:
        return None
    if hasattr(meta, "shape"):
        return tuple(meta.shape)
    if isinstance(meta, (tuple, list)):
        return tuple(_meta_shape(m) for m in meta)
    return None


def steps_from_graph(graph: torch.fx.GraphModule) -> list[Step]:
    """``forward``'s nodes as :class:`Step` s, with the shapes ``ShapeProp`` left on them."""
    steps = []
    for node in graph.graph.nodes:
        line, source = _where(node)
        shape = _meta_shape(node.meta.get("tensor_meta"))
        inputs = tuple(_nodes(node.args) + _nodes(node.kwargs))
        common: dict[str, Any] = {"shape": shape, "line": line, "source": source}
        if node.op == "placeholder":
            steps.append(Step("input", (), node.name, **common))
        elif node.op == "call_module":
            steps.append(Step("call", inputs, node.name, module=str(node.target), **common))
        elif node.op == "call_function" and getattr(node.target, "__name__", "") == "getitem":
            steps.append(
                Step(
                    "getitem", inputs[:1], node.name, args={"index": _plain(node.args[1])}, **common
                )
            )
        elif node.op in ("call_function", "call_method"):
            name = (
                node.target
                if isinstance(node.target, str)
                else getattr(node.target, "__name__", str(node.target))
            )
            details = {
                "name": name,
                "args": _plain(node.args[1:] if node.op == "call_method" else node.args),
                "kwargs": _plain(dict(node.kwargs)),
            }
            op = "method" if node.op == "call_method" else "function"
            steps.append(Step(op, inputs, node.name, args=details, **common))
        elif node.op == "get_attr":
            steps.append(
                Step("input", (), node.name, args={"attribute": str(node.target)}, **common)
            )
        elif node.op == "output":
            steps.append(Step("output", inputs, "output", **common))
    return steps
