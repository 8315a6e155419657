"""A live ``nn.Module`` as a :class:`NetworkSpec` with real shapes, allocating nothing large.

The parameters are swapped for meta tensors (``torch.func.functional_call``): every submodule
runs on shapes alone, with forward hooks recording what each receives and returns. ``forward``'s
data flow comes from ``torch.fx`` when it can trace the module (a stack with indexing, ``cat``,
``view``...); a ``forward`` with a Python loop over steps (cells) is not traceable, and then the
hooks alone give the calls, in order. An operation the meta device cannot run (``.item()``,
``pack_padded_sequence``'s lengths) makes it run once on the CPU example instead, said in a note.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from ..errors import ConfigError, InputDataError
from .adapt import _own, specs_of
from .explain import ModuleRow
from .fx_steps import steps_from_graph
from .modules import Unknown
from .network import NetworkSpec, Step


def example_inputs(
    module: nn.Module,
    input_size: Any = None,
    example: Any = None,
    dtype: Any = None,
    device: str = "cpu",
) -> tuple[Any, ...]:
    """The example arguments of ``forward``: given tensors, or zeros of ``input_size``.

    ``input_size`` is one shape or a list of shapes (one per ``forward`` argument). Token ids
    (``torch.long``) are used when the first submodule is an ``nn.Embedding``.

    Raises:
        InputDataError: neither given, or a shape that is not a tuple of positive ints.
    """
    if example is not None:
        given = tuple(example) if isinstance(example, (tuple, list)) else (example,)
        return tuple(as_torch(module, a) for a in given)
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
        out.append(torch.zeros(size, dtype=dtype, device=device))
    return tuple(out)


def as_torch(module: nn.Module, value: Any) -> Any:
    """A numpy array as a tensor (floats in the module's parameter dtype); others unchanged."""
    if isinstance(value, torch.Tensor) or not hasattr(value, "__array__"):
        return value
    tensor = torch.as_tensor(value)
    if tensor.is_floating_point():
        dtype = next((p.dtype for p in module.parameters()), torch.float32)
        tensor = tensor.to(dtype)
    return tensor


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


class _Root(nn.Module):
    """A network holding one bare module under its type's name, calling it on the input."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.path = type(inner).__name__.lower()
        self.add_module(self.path, inner)

    def forward(self, x: Any, state: Any = None) -> Any:
        inner = getattr(self, self.path)
        return inner(x) if state is None else inner(x, state)


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


@contextmanager
def _shape_only_recurrent(root: nn.Module) -> Iterator[None]:
    """On the meta device, recurrent modules return empty tensors of their spec's shapes.

    Running torch's LSTM on meta tensors steps through every time step op by op (a minute for
    1,000 steps); the spec knows the shapes already, and hooks still see each call.
    """
    from .adapt import spec_of

    patched = []
    for sub in root.modules():
        if type(sub) in (nn.LSTM, nn.GRU, nn.RNN):
            spec = spec_of(sub)

            def forward(x: Any, hx: Any = None, spec: Any = spec) -> Any:
                if not isinstance(x, torch.Tensor) or x.device.type != "meta":
                    raise RuntimeError("not a meta tensor")  # the caller falls back to the CPU
                shapes = spec.output_shapes(tuple(x.shape))
                out = torch.empty(shapes["out"], device="meta", dtype=x.dtype)
                h_n = torch.empty(shapes["h_n"], device="meta", dtype=x.dtype)
                if "c_n" in shapes:
                    return out, (h_n, torch.empty(shapes["c_n"], device="meta", dtype=x.dtype))
                return out, h_n

            sub.forward = forward
            patched.append(sub)
    try:
        yield
    finally:
        for sub in patched:
            del sub.forward


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
            # torch's own run-time notes (dropout, oneDNN) are for rnnlens to say, or not
            warnings.simplefilter("ignore")
            if meta:
                with _shape_only_recurrent(module):
                    torch.func.functional_call(target, state, args)
            else:
                target(*args)
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
    # Shapes alone first: an input_size becomes a meta tensor, nothing is allocated.
    args = example_inputs(module, input_size, example, dtype, device="meta")
    if not list(module.children()):
        module = _Root(module)  # a bare nn.LSTM: give it a path ("lstm") inside a network
    modules = specs_of(module)
    if _own(module):
        modules = {"": Unknown(type(module).__name__, _own(module)), **modules}
    graph, note = _trace_graph(module)
    notes = [note] if note else []
    rows: dict[str, ModuleRow] = {}
    for meta in (True, False):
        rows.clear()
        try:
            if not meta:
                args = example_inputs(module, input_size, example, dtype)
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
    steps = steps_from_graph(graph) if graph is not None else _call_steps(rows, args)
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
