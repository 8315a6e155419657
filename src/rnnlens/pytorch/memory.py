"""A live ``nn.Module`` as a :class:`NetworkSpec` with real shapes, allocating nothing large.

The parameters are swapped for meta tensors (``torch.func.functional_call``): every submodule
runs on shapes alone, with forward hooks recording what each receives and returns. ``forward``'s
data flow comes from ``torch.fx`` when it can trace the module (a stack with indexing, ``cat``,
``view``...); a ``forward`` with a Python loop over steps (cells) is not traceable, and then the
hooks alone give the calls, in order. An operation the meta device cannot run (``.item()``,
``pack_padded_sequence``'s lengths) makes it run once on the CPU example instead, said in a note.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from ..errors import ConfigError, InputDataError
from .adapt import _own, specs_of
from .explain import ModuleRow
from .modules import Unknown
from .network import NetworkSpec, Step

_LINE = re.compile(r'File "([^"]+)", line (\d+), in \w+\n\s*(.*)')


def example_inputs(
    module: nn.Module, input_size: Any = None, example: Any = None, dtype: Any = None
) -> tuple[Any, ...]:
    """The example arguments of ``forward``: given tensors, or zeros of ``input_size``.

    ``input_size`` is one shape or a list of shapes (one per ``forward`` argument). Token ids
    (``torch.long``) are used when the first submodule is an ``nn.Embedding``.

    Raises:
        InputDataError: neither given, or a shape that is not a tuple of positive ints.
    """
    if example is not None:
        return tuple(example) if isinstance(example, (tuple, list)) else (example,)
    if input_size is None:
        raise InputDataError(
            f"explaining {type(module).__name__} needs its input: pass input_size=(batch, time, "
            "features) in the order its forward reads them, or an example tensor"
        )
    sizes = input_size if isinstance(input_size, list) else [input_size]
    if dtype is None:
        first = next((m for name, m in module.named_modules() if name), None)
        dtype = torch.long if isinstance(first, nn.Embedding) else torch.float32
    out = []
    for size in sizes:
        if not isinstance(size, tuple) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in size
        ):
            raise InputDataError(
                f"input_size must be a tuple of positive ints (or a list of them), received {size!r}"
            )
        out.append(torch.zeros(size, dtype=dtype))
    return tuple(out)


def shape_of(value: Any) -> Any:
    """A tensor's shape as a tuple; tuples and lists of tensors as tuples of shapes."""
    if isinstance(value, torch.Tensor):
        return tuple(value.shape)
    if isinstance(value, nn.utils.rnn.PackedSequence):
        return ("packed", tuple(value.data.shape))
    if isinstance(value, (tuple, list)):
        return tuple(shape_of(v) for v in value)
    if hasattr(value, "shape") and isinstance(getattr(value, "shape", None), torch.Size):
        return tuple(value.shape)
    return None


@contextmanager
def _hooks(root: nn.Module, rows: dict[str, ModuleRow]) -> Iterator[None]:
    handles = []
    for name, sub in root.named_modules():
        if not name:
            continue

        def hook(mod: nn.Module, args: tuple[Any, ...], output: Any, name: str = name) -> None:
            old = rows.get(name)
            if old is None:
                rows[name] = ModuleRow(
                    name,
                    type(mod).__name__,
                    shape_of(args[0]) if args else None,
                    shape_of(output),
                    0,
                    1,
                )
            else:
                rows[name] = ModuleRow(
                    name, old.type_name, old.input_shape, old.output_shape, 0, old.calls + 1
                )

        handles.append(sub.register_forward_hook(hook))
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def _meta(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return torch.empty_like(value, device="meta")
    if isinstance(value, (tuple, list)):
        return type(value)(_meta(v) for v in value)
    return value


class _ShapeRun(nn.Module):
    """Runs an fx graph node by node (``ShapeProp``), under ``functional_call``'s meta weights."""

    def __init__(self, graph_module: torch.fx.GraphModule) -> None:
        super().__init__()
        self.inner = graph_module

    def forward(self, *args: Any) -> Any:
        from torch.fx.passes.shape_prop import ShapeProp

        return ShapeProp(self.inner).propagate(*args)


def _trace_graph(module: nn.Module) -> tuple[torch.fx.GraphModule | None, str]:
    tracer = torch.fx.Tracer()
    tracer.record_stack_traces = True
    try:
        graph = tracer.trace(module)
    except Exception as error:  # fx refuses data-dependent Python control flow
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return (
            None,
            f"forward is not a straight-line graph torch.fx can follow ({first[:160]}); the modules are listed in the order forward called them",
        )
    return torch.fx.GraphModule(module, graph), ""


def _run(
    module: nn.Module, args: tuple[Any, ...], graph: torch.fx.GraphModule | None, meta: bool
) -> None:
    state: dict[str, Any] = {}
    target: nn.Module = module if graph is None else _ShapeRun(graph)
    prefix = "" if graph is None else "inner."
    if meta:
        for name, value in [
            *module.named_parameters(remove_duplicate=False),
            *module.named_buffers(remove_duplicate=False),
        ]:
            state[prefix + name] = torch.empty_like(value, device="meta")
        args = _meta(args)
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter(
                "ignore"
            )  # torch's own run-time notes (dropout, oneDNN) are ours to say
            torch.func.functional_call(target, state, args) if meta else target(*args)
    finally:
        module.train(was_training)


def network_from_module(
    module: nn.Module, input_size: Any = None, *, example: Any = None, dtype: Any = None
) -> tuple[NetworkSpec, list[ModuleRow]]:
    """The spec of ``module`` (tree + data flow with shapes) and its observed module rows.

    Raises:
        InputDataError: no input given, or the module cannot run on it (the error is named).
    """
    if not isinstance(module, nn.Module):
        raise ConfigError(f"expected a torch.nn.Module, received {type(module).__name__}")
    args = example_inputs(module, input_size, example, dtype)
    modules = specs_of(module)
    if _own(module):
        modules = {"": Unknown(type(module).__name__, _own(module)), **modules}
    graph, note = _trace_graph(module)
    notes = [note] if note else []
    rows: dict[str, ModuleRow] = {}
    for meta in (True, False):
        rows.clear()
        try:
            with _hooks(module, rows):
                _run(module, args, graph, meta)
            break
        except Exception as error:
            if not meta:
                raise InputDataError(
                    f"{type(module).__name__} cannot run on inputs of shape {shape_of(args)}: "
                    f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
                ) from error
            notes.append(
                f"ran once on the CPU example: the meta device cannot run it ({type(error).__name__})"
            )
    steps = _steps(graph) if graph is not None else _call_steps(rows, args)
    specs = {k: m for k, m in modules.items()}
    counted = [
        ModuleRow(
            r.path,
            r.type_name,
            r.input_shape,
            r.output_shape,
            specs[r.path].count_params() if r.path in specs else 0,
            r.calls,
        )
        for r in rows.values()
    ]
    order = list(specs)
    counted.sort(key=lambda r: order.index(r.path) if r.path in order else len(order))
    return NetworkSpec(type(module).__name__, specs, steps, notes), counted


def _call_steps(rows: dict[str, ModuleRow], args: tuple[Any, ...]) -> list[Step]:
    steps = [Step("input", (), f"input_{i}", shape=shape_of(a)) for i, a in enumerate(args)]
    for row in rows.values():
        steps.append(
            Step("call", (), row.path.replace(".", "_"), module=row.path, shape=row.output_shape)
        )
    return steps


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


def _steps(graph: torch.fx.GraphModule) -> list[Step]:
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
