"""``forward``'s tensors as the reader follows them: one :class:`Step` per operation, with shapes.

Values are :class:`TVal` (a tensor with a shape, ``None`` axes unknown); module calls,
indexing, methods (``view``, ``permute``...) and functions (``torch.cat``,
``pack_padded_sequence``...) each add one step. Names come from the user's variables
(``out``, ``h_n``) where the code names them, else from what made them (``lstm.out``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import RnnlensError
from ..pytorch.spec import CellSpec, Container, Conv1d, Embedding, Linear, ModuleSpec, RNNSpec, Step
from ..symbolic import Size
from . import torch_ops as ops
from .budget import ReadFailure, snippet
from .values import Builtin, Unknown

if TYPE_CHECKING:
    from .evaluator import Evaluator

# Methods that hand the same tensor on (placement, dtype, memory layout): no step.
_SAME = frozenset(
    [
        "contiguous",
        "to",
        "cuda",
        "cpu",
        "detach",
        "clone",
        "float",
        "double",
        "half",
        "long",
        "int",
        "bool",
        "requires_grad_",
    ]
)
_ELEMENTWISE = frozenset(
    [
        "relu",
        "tanh",
        "sigmoid",
        "exp",
        "log",
        "abs",
        "neg",
        "sqrt",
        "softmax",
        "log_softmax",
        "dropout",
        "gelu",
        "leaky_relu",
        "elu",
        "selu",
        "silu",
        "softplus",
        "hardtanh",
        "relu6",
        "masked_fill",
        "clamp",
        "pow",
        "mul",
        "add",
        "sub",
        "div",
    ]
)
_REDUCE = frozenset(
    ["mean", "sum", "max", "min", "amax", "amin", "prod", "std", "var", "logsumexp", "argmax"]
)


@dataclass(eq=False)
class TVal:
    """A tensor in ``forward``: an id, its shape, whether it is still lazy."""

    id: str
    shape: Any = None
    lazy: bool = False
    #: For a lazy tensor made from another by transpose/permute: (source, method, args).
    parent: Any = None


@dataclass
class Flow:
    """The steps of one ``forward``, recorded while the evaluator runs it."""

    ev: Evaluator
    modules: dict[str, ModuleSpec]
    records: list[dict[str, Any]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.paths = {id(spec): path for path, spec in self.modules.items()}

    # -------------------------------------------------------------- records
    def new(
        self, op: str, inputs: list[Any], shape: Any, node: ast.AST, hint: str, **extra: Any
    ) -> TVal:
        value = TVal(f"v{len(self.records)}", shape)
        self.hints[value.id] = hint
        line = getattr(node, "lineno", None)
        source = self.ev.lines[line - 1] if line and 0 < line <= len(self.ev.lines) else None
        self.records.append(
            {
                "op": op,
                "inputs": [i for i in inputs if isinstance(i, TVal)],
                "out": value,
                "line": line,
                "source": source,
                **extra,
            }
        )
        self.ev.budget.charge(1, node)
        return value

    def name_values(self, name: str, value: Any) -> None:
        if isinstance(value, TVal) and value.id not in self.names:
            taken = set(self.names.values())
            candidate, k = name, 1
            while candidate in taken:
                k += 1
                candidate = f"{name}_{k}"
            self.names[value.id] = candidate

    def steps(self) -> list[Step]:
        taken = set(self.names.values())
        for record in self.records:
            key = record["out"].id
            if key not in self.names:
                base = self.hints.get(key, key)
                candidate, k = base, 1
                while candidate in taken:
                    k += 1
                    candidate = f"{base}_{k}"
                self.names[key] = candidate
                taken.add(candidate)
        out = []
        for r in self.records:
            output = "return" if r["op"] == "output" else self.names[r["out"].id]
            out.append(
                Step(
                    r["op"],
                    tuple(self.names[i.id] for i in r["inputs"]),
                    output,
                    module=r.get("module"),
                    args=r.get("args", {}),
                    shape=r["out"].shape,
                    line=r["line"],
                    source=r["source"],
                )
            )
        return out

    # ---------------------------------------------------------------- inputs
    def inputs(self, function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> list[Any]:
        params = [*function.args.posonlyargs, *function.args.args][1:]
        with_defaults = len(params) - len(function.args.defaults)
        values: list[Any] = []
        for i, param in enumerate(params):
            if i >= with_defaults:
                values.append(self.ev.eval(function.args.defaults[i - with_defaults]))
                continue
            value = self.new("input", [], None, function, param.arg)
            value.lazy = True
            self.names[value.id] = param.arg
            values.append(value)
        return values

    def settle(self, value: TVal, spec: ModuleSpec) -> None:
        """A lazy input takes the shape the first module that reads it expects."""
        if not value.lazy:
            return
        value.lazy = False
        time = self.ev.settings.get("T") or Size.symbol("T")
        while isinstance(spec, Container) and spec.children:
            spec = spec.children[0][1]
        if isinstance(spec, RNNSpec):
            value.shape = (
                (None, time, spec.input_size) if spec.batch_first else (time, None, spec.input_size)
            )
        elif isinstance(spec, CellSpec):
            value.shape = (None, spec.input_size)
        elif isinstance(spec, Embedding):
            value.shape = (None, time)
        elif isinstance(spec, Linear):
            value.shape = (None, spec.in_features)
        elif isinstance(spec, Conv1d):
            value.shape = (None, spec.in_channels, time)
        else:
            return
        while value.parent is not None:
            source, name, args = value.parent
            dims = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
            if name == "permute":
                inverse = [0] * len(dims)
                for position, axis in enumerate(dims):
                    inverse[axis % len(dims)] = position
                source.shape = ops.permute_shape(value.shape, tuple(inverse))
            elif name == "step":
                time = self.ev.settings.get("T") or Size.symbol("T")
                at = dims[0]
                source.shape = (*value.shape[:at], time, *value.shape[at:])
            else:
                pair = (0, 1) if name == "t" else tuple(dims[:2])
                source.shape = ops.transpose_shape(value.shape, *pair)
            source.lazy, value = False, source
        self.notes.append(
            f"input '{self.names.get(value.id, value.id)}' has shape {_text(value.shape)} (None: the batch; T: time steps, pin with --set T=...)"
        )

    # ---------------------------------------------------------------- modules
    def call_module(
        self,
        ev: Evaluator,
        spec: ModuleSpec,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.Call,
    ) -> Any:
        path = self.paths.get(id(spec))
        if path is None:
            path = f"<line {node.lineno}>"
            self.paths[id(spec)] = path
            self.modules[path] = spec
        x = args[0] if args else None
        if not isinstance(x, TVal):
            raise ReadFailure(
                node,
                f"'{snippet(node.func)}' is called on {snippet(node.args[0]) if node.args else 'nothing'}, which is not a tensor the reader follows",
                hard=True,
            )
        self.settle(x, spec)
        extra = [v for v in _tensors([*args[1:], *kwargs.values()])]
        shapes = None
        if (x.shape is not None and not isinstance(spec, Container)) or (
            isinstance(spec, Container) and spec.kind == "Sequential" and x.shape is not None
        ):
            try:
                shapes = spec.output_shapes(x.shape)
            except RnnlensError as error:
                raise ReadFailure(
                    node, f"{path} (nn.{spec.type_name}): {error}", hard=True
                ) from None
        returns = spec.returns()
        if isinstance(returns, str):
            return self.new(
                "call", [x, *extra], (shapes or {}).get(returns), node, path, module=path
            )
        whole = self.new("call", [x, *extra], _nested(returns, shapes), node, path, module=path)
        return self.unpack(whole, returns, shapes, node, path)

    def unpack(self, whole: TVal, returns: Any, shapes: Any, node: ast.AST, path: str) -> Any:
        items = []
        for i, name in enumerate(returns):
            shape = _nested(name, shapes)
            item = self.new(
                "getitem",
                [whole],
                shape,
                node,
                f"{path}.{name}" if isinstance(name, str) else f"{path}[{i}]",
                args={"index": i},
            )
            items.append(
                self.unpack(item, name, shapes, node, path) if isinstance(name, tuple) else item
            )
        return tuple(items)

    # ---------------------------------------------------------------- tensors
    def getitem(self, value: TVal, index: Any, node: ast.AST) -> Any:
        step = _step_index(index)
        if value.lazy and step is not None:
            # x[:, t, :] in a loop over time steps: the cell that reads it tells x's shape.
            out = self.new("getitem", [value], None, node, "index", args={"index": None})
            out.lazy, out.parent = True, (value, "step", (step,))
            return out
        clean = _index(index)
        shape = None if clean is _UNREAD else ops.index_shape(value.shape, clean)
        return self.new(
            "getitem",
            [value],
            shape,
            node,
            "index",
            args={"index": None if clean is _UNREAD else clean},
        )

    def attribute(self, ev: Evaluator, value: TVal, name: str, node: ast.AST) -> Any:
        if name == "shape":
            return _dims(value, snippet(node))
        if name == "size":
            return Builtin("size", lambda ev, args, kwargs, n: _size(value, args, snippet(n)))
        if name in ("device", "dtype", "data", "grad", "is_cuda"):
            return Unknown(snippet(node))
        if name == "T":
            return self.method("t", value, [], {}, node)
        return Builtin(name, lambda ev, args, kwargs, n: self.method(name, value, args, kwargs, n))

    def method(
        self, name: str, value: TVal, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        if name in _SAME:
            return value
        if name in ("dim", "ndimension"):
            return len(value.shape) if value.shape is not None else Unknown(snippet(node))
        if value.lazy and name in ("transpose", "permute", "t", "swapaxes"):
            # The shape is told later by the module that reads the result; it flows back then.
            plain = {"name": name, "args": tuple(_plain(a) for a in args), "kwargs": {}}
            out = self.new("method", [value], None, node, name, args=plain)
            out.lazy, out.parent = True, (value, name, tuple(_plain(a) for a in args))
            return out
        shape = method_shape(
            name, value.shape, [_plain(a) for a in args], {k: _plain(v) for k, v in kwargs.items()}
        )
        if shape is _UNREAD:
            self.notes.append(
                f"line {getattr(node, 'lineno', '?')}: the shape after .{name}(...) is not followed"
            )
            shape = None
        plain = {
            "name": name,
            "args": tuple(_plain(a) for a in args if not isinstance(a, TVal)),
            "kwargs": {k: _plain(v) for k, v in kwargs.items() if not isinstance(v, TVal)},
        }
        return self.new("method", [value, *_tensors(args)], shape, node, name, args=plain)

    def elementwise(self, name: str, operands: list[Any], node: ast.AST) -> TVal:
        tensors = _tensors(operands)
        shapes = [t.shape for t in tensors if t.shape is not None]
        shape = max(shapes, key=len) if shapes else None
        return self.new(
            "function", tensors, shape, node, name, args={"name": name, "args": (), "kwargs": {}}
        )

    def output(self, result: Any, node: ast.AST) -> None:
        tensors = _tensors([result])
        self.new("output", tensors, None, node, "return")


def method_shape(name: str, shape: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """The shape after ``x.<name>(*args, **kwargs)``; ``_UNREAD`` when the method is unknown."""
    dim = kwargs.get("dim", args[0] if args else None)
    if name in ("view", "reshape"):
        return ops.view_shape(shape, tuple(args))
    if name == "permute":
        return ops.permute_shape(shape, tuple(args))
    if name in ("transpose", "swapaxes"):
        return ops.transpose_shape(shape, *([*args, None, None])[:2]) if len(args) >= 2 else None
    if name == "t":
        return ops.transpose_shape(shape, 0, 1)
    if name == "squeeze":
        return ops.squeeze_shape(shape, dim)
    if name == "unsqueeze":
        return ops.unsqueeze_shape(shape, dim)
    if name == "flatten":
        return ops.flatten_shape(
            shape,
            kwargs.get("start_dim", args[0] if args else 0),
            kwargs.get("end_dim", args[1] if len(args) > 1 else -1),
        )
    if name in _REDUCE:
        return ops.reduce_shape(
            shape, dim, bool(kwargs.get("keepdim", args[1] if len(args) > 1 else False))
        )
    if name in _ELEMENTWISE:
        return shape
    if name in ("repeat", "expand", "chunk", "split", "unbind", "gather", "scatter"):
        return None
    return _UNREAD


_UNREAD: Any = object()


def _tensors(values: Any) -> list[TVal]:
    out: list[TVal] = []
    for value in values if isinstance(values, (list, tuple)) else [values]:
        if isinstance(value, TVal):
            out.append(value)
        elif isinstance(value, (list, tuple)):
            out.extend(_tensors(value))
    return out


def _nested(returns: Any, shapes: Any) -> Any:
    if shapes is None:
        return None
    if isinstance(returns, str):
        return shapes.get(returns)
    return tuple(_nested(r, shapes) for r in returns)


def _plain(value: Any) -> Any:
    return None if isinstance(value, Unknown) else value


def _dim(value: Any) -> Any:
    return value if isinstance(value, (int, Size)) and not isinstance(value, bool) else None


def _step_index(index: Any) -> int | None:
    """The axis an ``x[:, t, :]`` index picks one step of (``t`` a loop variable), else None."""
    items = index if isinstance(index, tuple) else (index,)
    picked = [i for i, item in enumerate(items) if not isinstance(item, slice)]
    full = all(item == slice(None) for item in items if isinstance(item, slice))
    if len(picked) == 1 and full and isinstance(items[picked[0]], (int, Unknown)):
        return picked[0]
    return None


def _index(index: Any) -> Any:
    items = index if isinstance(index, tuple) else (index,)
    if any(not (i is None or i is Ellipsis or isinstance(i, (int, slice))) for i in items):
        return _UNREAD
    return index


def _dims(value: TVal, text: str) -> Any:
    if value.shape is None:
        return Unknown(text)
    return tuple(Unknown(f"{text}[{i}]") if d is None else d for i, d in enumerate(value.shape))


def _size(value: TVal, args: list[Any], text: str) -> Any:
    dims = _dims(value, text)
    if not args:
        return dims
    if isinstance(dims, tuple) and isinstance(args[0], int) and -len(dims) <= args[0] < len(dims):
        return dims[args[0]]
    return Unknown(text)


def _text(shape: Any) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
