"""The PyTorch world: ``class Net(nn.Module)`` read into a :class:`~rnnlens.pytorch.network.NetworkSpec`.

``__init__`` runs in the evaluator: ``nn.LSTM(...)``, ``nn.Linear(...)``, ``nn.Sequential``,
``nn.ModuleList`` become the pure-Python module specs of :mod:`rnnlens.pytorch.spec`.
``forward`` then runs on a symbolic input; every tensor operation is recorded as a
:class:`~rnnlens.pytorch.network.Step` with its shape (see :mod:`.torch_tensors`). Nothing
imports torch.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ParseError, RnnlensError
from ..naming import fresh_names
from ..pytorch.spec import Container, ModuleSpec, NetworkSpec, make_module
from .budget import ReadFailure, check_argument, snippet
from .expressions import as_size
from .keras_code import FoundModel
from .torch_functions import tensor_function
from .torch_tensors import Flow, TVal
from .values import Builtin, Instance, ModuleRef, Skipped, Unknown, UserClass
from .world import NOT_HANDLED, World

if TYPE_CHECKING:
    from . import ReadResult
    from .evaluator import Evaluator

# torch names outside the model: calls are skipped, results are data.
_OUTSIDE = frozenset(
    [
        "optim",
        "utils",
        "cuda",
        "device",
        "manual_seed",
        "save",
        "load",
        "no_grad",
        "set_grad_enabled",
        "backends",
        "from_numpy",
        "tensor",
        "Tensor",
        "LongTensor",
        "FloatTensor",
        "distributed",
        "jit",
        "onnx",
        "autograd",
        "set_num_threads",
        "is_tensor",
        "numel",
        "seed",
    ]
)


# nn.Module methods outside forward: skipped (they train, move or save the model).
_MODULE_METHODS = frozenset(
    [
        "parameters",
        "to",
        "cuda",
        "cpu",
        "train",
        "eval",
        "double",
        "float",
        "state_dict",
        "load_state_dict",
        "zero_grad",
        "named_parameters",
        "apply",
        "modules",
        "children",
    ]
)
# Arguments that change the structure of a module: a symbol cannot stand for them.
_STRUCTURE = frozenset(
    ("num_layers", "bidirectional", "batch_first", "proj_size", "bias", "nonlinearity")
)
_STRUCTURE_ARGS = {
    name: ("input_size", "hidden_size", "num_layers") for name in ("LSTM", "GRU", "RNN")
}


@dataclass(frozen=True)
class TorchName:
    """A torch name: ``kind`` is ``module`` (nn classes), ``base`` (nn.Module), ``function``, ``outside``."""

    kind: str
    name: str


def classify(path: str) -> TorchName | ModuleRef | None:
    parts = path.split(".")
    if parts[0] != "torch":
        return None
    last = parts[-1]
    if len(parts) == 1 or last in ("nn", "functional", "rnn", "modules", "init"):
        return ModuleRef(path)
    if any(p in _OUTSIDE for p in parts[1:]) and "rnn" not in parts:
        return TorchName("outside", path)
    if "nn" in parts[1:-1] or parts[1] == "nn":
        if last == "Module":
            return TorchName("base", last)
        if last.endswith("Loss"):
            return TorchName("outside", path)
        if last[:1].isupper():
            return TorchName("module", last)
        return TorchName("function", last)
    return TorchName("function", last)


class TorchWorld(World):
    """PyTorch: nn classes become module specs; forward's operations become steps."""

    name = "PyTorch"

    def __init__(self) -> None:
        self.example_inputs: dict[int, Any] = {}
        self.instances: list[Instance] = []
        self.flow: Flow | None = None
        self.networks: list[FoundModel] = []

    # ---------------------------------------------------------------- names
    def import_value(self, ev: Evaluator, path: str, node: ast.AST) -> Any:
        found = classify(path)
        if found is None:
            return NOT_HANDLED
        if isinstance(found, TorchName) and found.kind == "outside":
            ev.skip(node, f"{path} (outside the model)")
        return found

    def global_name(self, ev: Evaluator, name: str) -> Any:
        # Pasted snippets often leave out their import lines.
        known = {
            "torch": "torch",
            "nn": "torch.nn",
            "F": "torch.nn.functional",
            "optim": "torch.optim",
        }
        return classify(known[name]) if name in known else NOT_HANDLED

    def is_builder(self, value: Any) -> bool:
        return (isinstance(value, TorchName) and value.kind == "module") or (
            isinstance(value, UserClass) and value.kind == "torch"
        )

    def is_model_value(self, value: Any) -> bool:
        if isinstance(value, (TVal, ModuleSpec)):
            return True
        if isinstance(value, TorchName):
            return value.kind != "outside"
        if isinstance(value, (Instance, UserClass)):
            kind = value.cls.kind if isinstance(value, Instance) else value.kind
            return kind == "torch"
        if isinstance(value, (list, tuple)):
            return any(self.is_model_value(v) for v in value[:50])
        return False

    def define_class(self, ev: Evaluator, cls: Any) -> None:
        for base in cls.bases:
            if (isinstance(base, TorchName) and base.kind == "base") or (
                isinstance(base, UserClass) and base.kind == "torch"
            ):
                cls.kind = "torch"

    def read_unknown_loop_once(self, ev: Evaluator, node: ast.AST) -> bool:
        return self.flow is not None

    # --------------------------------------------------------------- access
    def attribute(self, ev: Evaluator, obj: Any, name: str, node: ast.AST) -> Any:
        if isinstance(obj, TorchName) and obj.kind == "outside":
            return TorchName("outside", f"{obj.name}.{name}")
        if isinstance(obj, TVal) and self.flow is not None:
            return self.flow.attribute(ev, obj, name, node)
        if (
            isinstance(obj, Instance)
            and obj.cls.kind == "torch"
            and name not in obj.attrs
            and name in _MODULE_METHODS
        ):
            return Builtin(
                name, lambda ev, args, kwargs, n: _skip(ev, n, f"model.{name}", obj), skips=True
            )
        return NOT_HANDLED

    def subscript(self, ev: Evaluator, obj: Any, index: Any, node: ast.AST) -> Any:
        if isinstance(obj, TVal) and self.flow is not None:
            return self.flow.getitem(obj, index, node)
        if isinstance(obj, Container) and isinstance(index, int):
            children = obj.children
            if -len(children) <= index < len(children):
                return children[index][1]
        return NOT_HANDLED

    def iterable(self, ev: Evaluator, value: Any, node: ast.AST) -> Any:
        if isinstance(value, Container):
            return [child for _, child in value.children]
        return NOT_HANDLED

    def binary(self, ev: Evaluator, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        if (isinstance(left, TVal) or isinstance(right, TVal)) and self.flow is not None:
            return self.flow.elementwise(type(op).__name__.lower(), [left, right], node)
        return NOT_HANDLED

    def unpack(self, ev: Evaluator, value: Any, count: int, node: ast.AST) -> Any:
        return NOT_HANDLED

    def on_bind(self, ev: Evaluator, name: str, value: Any, node: ast.AST) -> None:
        if self.flow is not None:
            self.flow.name_values(name, value)

    # ---------------------------------------------------------------- calls
    def call(
        self, ev: Evaluator, function: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call
    ) -> Any:
        if isinstance(function, TorchName):
            if function.kind == "outside":
                return _skip(ev, node, function.name.split(".")[-1], None)
            if function.kind == "module":
                return self.module(ev, function.name, args, kwargs, node)
            if self.flow is not None:
                return tensor_function(self.flow, ev, function.name, args, kwargs, node)
            return _skip(ev, node, f"torch.{function.name}", None)
        if isinstance(function, ModuleSpec) and self.flow is not None:
            return self.flow.call_module(ev, function, args, kwargs, node)
        if isinstance(function, UserClass) and function.kind == "torch":
            instance = ev.instantiate(function, args, kwargs, node)
            self.instances.append(instance)
            return instance
        if isinstance(function, Instance) and function.cls.kind == "torch":
            if self.flow is not None:  # a submodule of the file's own classes
                return self.run_forward(ev, function, args, kwargs, node)
            ev.skip(node, f"{snippet(node.func, 30)}(...) on data")
            if args and isinstance(args[0], Unknown):
                self.example_inputs.setdefault(id(function), args[0])
            return Unknown(snippet(node))
        return NOT_HANDLED

    def module(
        self, ev: Evaluator, name: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call
    ) -> ModuleSpec:
        for key, value in [*zip(_STRUCTURE_ARGS.get(name, ()), args), *kwargs.items()]:
            if key in _STRUCTURE and isinstance(value, Unknown):
                raise ReadFailure(
                    node,
                    f"nn.{name}: {key} is '{value.label}', a value nobody gives in the file, and it "
                    "changes the structure (not just a size)",
                    f"pin it, e.g. --set {value.label}=2",
                    hard=True,
                )
        for position, argument in enumerate(args):
            check_argument(argument, node, f"nn.{name}'s argument {position + 1}")
        for keyword, argument in kwargs.items():
            check_argument(argument, node, f"nn.{name}'s {keyword}")
        args = [_size(a) for a in args]
        kwargs = {k: _size(v) for k, v in kwargs.items()}
        try:
            return make_module(name, *args, **kwargs)
        except (RnnlensError, TypeError, ValueError) as error:
            # Not hard: outside the model (a loss, a metric) the statement is only skipped.
            raise ReadFailure(node, f"nn.{name}(...): {error}") from None

    def run_forward(
        self, ev: Evaluator, obj: Instance, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        method = ev.attribute(obj, "forward", _attr(node, "forward"))
        if isinstance(method, Unknown):
            raise ReadFailure(node, f"class '{obj.cls.name}' has no forward() method", hard=True)
        return ev.call(method, args, kwargs, node if isinstance(node, ast.Call) else _call(node))

    # ---------------------------------------------------------------- finish
    def finish(self, ev: Evaluator) -> None:
        classes = [v for v in ev.globals.values() if isinstance(v, UserClass) and v.kind == "torch"]
        for cls in classes:
            if not any(i.cls is cls for i in self.instances):
                self.instances.append(ev.instantiate(cls, [], {}, _call(cls.node)))
        nested = {id(v) for i in self.instances for v in _tree_values(i)}
        for instance in self.instances:
            if id(instance) in nested:
                continue
            label = next((k for k, v in ev.globals.items() if v is instance), instance.cls.name)
            self.networks.append(FoundModel(self.network(ev, instance, label), label))
        owned = {id(v) for i in self.instances for v in i.attrs.values()}
        for name, value in list(ev.globals.items()):
            if isinstance(value, ModuleSpec) and id(value) not in owned:
                # model = nn.Sequential(...) / nn.LSTM(...) at module level: one call of it.
                self.networks.append(FoundModel(self.module_network(ev, name, value), name))

    def module_network(self, ev: Evaluator, name: str, spec: ModuleSpec) -> NetworkSpec:
        """A module made at the top level, called once on an input its first child decides."""
        modules = dict(_spec_tree(name, spec))
        self.flow = Flow(ev, modules)
        try:
            node = ast.Call(ast.Name(name, ast.Load()), [], [], lineno=0)
            x = self.flow.new("input", [], None, node, "x")
            x.lazy = True
            self.flow.names[x.id] = "x"
            result = self.flow.call_module(ev, spec, [x], {}, node)
            self.flow.output(result, node)
            steps, notes = self.flow.steps(), self.flow.notes
        finally:
            self.flow = None
        return NetworkSpec(name, modules, steps, notes)

    def network(self, ev: Evaluator, instance: Instance, label: str) -> NetworkSpec:
        modules = dict(_flatten(instance, ""))
        self.flow = Flow(ev, modules)
        try:
            forward = ev.attribute(instance, "forward", _attr(instance.cls.node, "forward"))
            if isinstance(forward, Unknown):
                raise ReadFailure(
                    instance.cls.node, f"class '{instance.cls.name}' has no forward()", hard=True
                )
            inputs = self.flow.inputs(forward.function.node)
            result = ev.call_function(
                forward.function, [instance, *inputs], {}, forward.function.node
            )
            self.flow.output(result, forward.function.node)
            steps, notes = self.flow.steps(), self.flow.notes
        finally:
            self.flow = None
        return NetworkSpec(instance.cls.name, modules, steps, notes)


def _size(value: Any) -> Any:
    if isinstance(value, Unknown) and not isinstance(value, Skipped):
        return as_size(value)
    return value


def _flatten(instance: Instance, prefix: str) -> list[tuple[str, ModuleSpec]]:
    """Every submodule by dotted path, in assignment order (as ``named_modules`` lists them)."""
    out: list[tuple[str, ModuleSpec]] = []
    for name, value in instance.attrs.items():
        path = f"{prefix}{name}"
        if isinstance(value, ModuleSpec):
            out.extend(_spec_tree(path, value))
        elif isinstance(value, Instance) and value.cls.kind == "torch":
            out.extend(_flatten(value, f"{path}."))
    return out


def _spec_tree(path: str, spec: ModuleSpec) -> list[tuple[str, ModuleSpec]]:
    out = [(path, spec)]
    if isinstance(spec, Container):
        for child, sub in spec.children:
            out.extend(_spec_tree(f"{path}.{child}", sub))
    return out


def _tree_values(instance: Instance) -> list[Any]:
    out: list[Any] = []
    for value in instance.attrs.values():
        if isinstance(value, Instance):
            out.extend([value, *_tree_values(value)])
    return out


def _skip(ev: Evaluator, node: ast.AST, what: str, obj: Any) -> Any:
    ev.skip(node, what)
    return obj if obj is not None else Skipped(what)


def _attr(node: ast.AST, name: str) -> ast.Attribute:
    return ast.copy_location(ast.Attribute(ast.Name("self", ast.Load()), name, ast.Load()), node)


def _call(node: ast.AST) -> ast.Call:
    return ast.copy_location(ast.Call(ast.Name("forward", ast.Load()), [], []), node)


def read_torch(code: str, filename: str, settings: dict[str, Any] | None) -> ReadResult:
    """Read PyTorch code: every top-level ``nn.Module`` class of the file as a network spec."""
    from . import ReadResult, _notes_of
    from .evaluator import Evaluator

    world = TorchWorld()
    ev = Evaluator(filename, code, world, settings)
    with fresh_names():
        ev.run()
    if not world.networks:
        raise ParseError(
            f"{filename}: PyTorch code without an nn.Module class; define class Net(nn.Module) "
            "with its layers in __init__ and the data flow in forward()"
        )
    notes = [n for found in world.networks for n in found.model.notes]
    return ReadResult(world.networks, _notes_of(ev, notes), [], kind="torch")
