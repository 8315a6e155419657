"""``class Net(keras.Model)``: layers made in ``__init__``, wired in ``call()``.

The reader runs ``__init__`` (its layers become attributes of the object), then ``call`` on
an input tensor: the one given to ``model.build(...)`` or ``model(x)``, else an input whose
shape comes from data (``T`` time steps, ``F`` features: symbols).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from ..layers import Layer
from .budget import ReadFailure, snippet
from .expressions import as_size
from .functional import Tensor, chain, graph_input, is_graph_tensor
from .keras_layers import new_functional, new_sequential
from .keras_names import SKIPPED_METHODS
from .values import Builtin, Instance, ModuleRef, Skipped, Unknown, UserClass

if TYPE_CHECKING:
    from .evaluator import Evaluator


class SubclassModels:
    """Mixin of the Keras world for subclassed models."""

    models: list[Any]
    subclasses: list[Instance]

    def found(self, ev: Evaluator, model: Any, node: ast.AST) -> Any: ...
    def guard(self, ev: Evaluator, node: ast.AST, function: Any, *args: Any) -> Any: ...

    def define_class(self, ev: Evaluator, cls: Any) -> None:
        for base in cls.bases:
            name = str(getattr(base, "name", None) or getattr(base, "path", ""))
            if (
                (getattr(base, "kind", "") == "model")
                or (isinstance(base, ModuleRef) and name.endswith(".Model"))
                or (isinstance(base, UserClass) and base.kind == "keras")
            ):
                cls.kind = "keras"

    def instantiate_subclass(
        self, ev: Evaluator, cls: UserClass, args: list[Any], kwargs: dict[str, Any], node: ast.Call
    ) -> Instance:
        instance = ev.instantiate(cls, args, kwargs, node)
        self.subclasses.append(instance)
        return instance

    def subclass_attribute(self, ev: Evaluator, obj: Instance, name: str, node: ast.AST) -> Any:
        from .world import NOT_HANDLED

        if name in obj.attrs:
            return NOT_HANDLED
        if name == "build":
            return Builtin(
                "build",
                lambda ev, args, kwargs, n: self.build_subclass(
                    ev, obj, kwargs.get("input_shape", args[0] if args else None), n
                ),
            )
        if name in SKIPPED_METHODS:

            def skip(ev: Evaluator, args: list[Any], kwargs: dict[str, Any], n: ast.AST) -> Any:
                ev.skip(n, f"model.{name}")
                return Skipped(f"model.{name}")

            return Builtin(name, skip, skips=True)
        return NOT_HANDLED

    def call_subclass(
        self, ev: Evaluator, obj: Instance, args: list[Any], kwargs: dict[str, Any], node: ast.Call
    ) -> Any:
        if not args or not isinstance(args[0], Tensor):
            ev.skip(node, f"{snippet(node.func, 30)}(...) on data")
            return Unknown(snippet(node))
        return self.wire(ev, obj, args[0], node)

    def build_subclass(self, ev: Evaluator, obj: Instance, shape: Any, node: ast.AST) -> None:
        if not isinstance(shape, (list, tuple)) or len(shape) < 2:
            ev.skip(node, "model.build")
            return
        dims = tuple(as_size(d) if isinstance(d, Unknown) else d for d in shape)
        self.wire(ev, obj, Tensor(dims), node)

    def wire(self, ev: Evaluator, obj: Instance, inputs: Tensor, node: ast.AST) -> Any:
        """Run ``call(inputs)`` and record the model it wires."""

        method = ev.attribute(obj, "call", _attribute_node(node))
        if isinstance(method, Unknown):
            raise ReadFailure(
                node, f"class '{obj.cls.name}' has no call() method to wire its layers", hard=True
            )
        outputs = ev.call(
            method,
            [inputs],
            {},
            node if isinstance(node, ast.Call) else ast.Call(ast.Name("call"), [], []),
        )
        if is_graph_tensor(outputs):
            model = self.guard(ev, node, new_functional, graph_input(inputs), outputs, None)
            obj.model = model
            return self.found(ev, model, node)
        start, layers = chain(inputs, outputs, node)
        model = self.guard(ev, node, new_sequential, None)
        if start.layer is None:
            first = layers[0]
            first.declared_input_shape = tuple(start.shape[1:])  # type: ignore[index, arg-type]
        for layer in layers:
            self.guard(ev, node, model.add, layer)
        obj.model = model
        return self.found(ev, model, node)

    def build_subclasses(self, ev: Evaluator) -> None:
        for value in list(ev.globals.values()):
            if isinstance(value, UserClass) and value.kind == "keras" and not value.instances:
                # A model class nobody instantiates here: read with its defaults (symbols).
                self.subclasses.append(ev.instantiate(value, [], {}, _call(value.node)))
        for obj in self.subclasses:
            if obj.model is None:
                self.wire(ev, obj, Tensor(None, lazy=True), obj.cls.node)
        for found in self.models:
            for obj in self.subclasses:
                if obj.model is found.model and not found.label:
                    found.label = next((k for k, v in ev.globals.items() if v is obj), obj.cls.name)


def lazy_shape(ev: Evaluator, layer: Layer) -> tuple[Any, ...]:
    """The input a subclassed model reads when nobody says: from the first layer's kind."""
    kind = type(getattr(layer, "layer", layer)).__name__
    names = ["T"] if kind == "Embedding" else ["F"] if kind == "Dense" else ["T", "F"]
    return (None, *(ev.settings.get(n) or as_size(Unknown(n)) for n in names))


def _call(node: ast.AST) -> ast.Call:
    name = ast.Name(getattr(node, "name", "Model"), ast.Load())
    return ast.copy_location(ast.Call(name, [], []), node)


def _attribute_node(node: ast.AST) -> ast.Attribute:
    return ast.copy_location(ast.Attribute(ast.Name("self", ast.Load()), "call", ast.Load()), node)
