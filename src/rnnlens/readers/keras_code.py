"""The Keras world: what Keras names mean to the evaluator, and the models a script builds.

``Sequential`` built with ``add`` or a list, inside functions or not, several per file; the
functional API; ``class Net(keras.Model)``; Keras 1/2 import paths and spellings. Layer
arguments that come from data become symbols. Every model the file builds is returned,
named by its variable or by the function that built it.
"""

from __future__ import annotations

import ast
import difflib
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import RnnlensError
from ..graph import SequentialSpec as Sequential
from ..layers import LAYER_TYPES, Layer
from .budget import ReadFailure, check_argument, snippet
from .expressions import as_size
from .functional import (
    GRAPH_TENSOR,
    INPUT_TYPES,
    Tensor,
    call_layer,
    chain,
    graph_input,
    is_graph_tensor,
    make_input,
)
from .keras_layers import (
    SIZE_KEYWORDS,
    call_on_graph,
    construct,
    input_rank,
    meaning,
    new_functional,
    new_sequential,
    shape_of_unknown,
    size_argument,
    skipped,
    snippet_value,
)
from .keras_names import MERGE_FUNCTIONS, ROOTS, SKIPPED_METHODS, classify
from .keras_subclass import SubclassModels, lazy_shape
from .values import Builtin, Function, Instance, ModuleRef, Unknown, UserClass
from .world import NOT_HANDLED, World

if TYPE_CHECKING:
    from .evaluator import Evaluator


@dataclass(frozen=True)
class KerasName:
    """A Keras name: ``kind`` from :func:`~rnnlens.readers.keras_names.classify`."""

    kind: str
    name: str


@dataclass
class FoundModel:
    """A model the file builds, with the name the explanation gives it."""

    model: Any
    label: str = ""
    line: int = 0
    notes: list[str] = field(default_factory=list)


class KerasWorld(SubclassModels, World):
    """Keras: layers are rnnlens layers, models rnnlens models; the rest is skipped."""

    name = "Keras"

    def __init__(self) -> None:
        self.models: list[FoundModel] = []
        self.warnings: list[str] = []
        self.layer_notes: list[str] = []
        self.subclasses: list[Instance] = []
        #: Why a function that builds a model could not be read (reported if nothing else is).
        self.unread: list[ReadFailure] = []

    # ---------------------------------------------------------------- names
    def import_value(self, ev: Evaluator, path: str, node: ast.AST) -> Any:
        if path.endswith(".*"):
            if path.split(".")[0] in ROOTS:
                return {name: KerasName("layer", name) for name in LAYER_TYPES} | {
                    "Sequential": KerasName("model", "Sequential"),
                    "Model": KerasName("model", "Model"),
                    "Input": KerasName("input", "Input"),
                }
            return NOT_HANDLED
        found = classify(path)
        if found is None:
            return NOT_HANDLED
        kind, name = found
        if kind == "module":
            return ModuleRef(path)
        if kind == "outside":
            ev.skip(node, f"{path.split('.')[-1]} from Keras (not part of the architecture)")
        return KerasName(kind, name)

    def global_name(self, ev: Evaluator, name: str) -> Any:
        # Pasted snippets often leave out their import lines.
        if name in LAYER_TYPES or name in ("Sequential", "Model", "Input"):
            return self.import_value(ev, f"keras.layers.{name}", ast.Pass())
        if name in ("keras", "tf", "layers"):
            return ModuleRef({"layers": "keras.layers"}.get(name, name))
        return NOT_HANDLED

    def is_builder(self, value: Any) -> bool:
        if isinstance(value, (Layer, Sequential)):
            return True  # a layer called on a tensor
        return (
            isinstance(value, KerasName) and value.kind in ("layer", "model", "input", "merge")
        ) or (isinstance(value, UserClass) and value.kind == "keras")

    def is_model_value(self, value: Any) -> bool:
        if is_graph_tensor(value):
            return True
        if isinstance(value, (Sequential, Layer, Tensor, KerasName)):
            return not (isinstance(value, KerasName) and value.kind == "outside")
        if isinstance(value, ModuleRef):
            return value.path.split(".")[0] in ROOTS
        if isinstance(value, Instance):
            return value.cls.kind == "keras"
        if isinstance(value, UserClass):
            return value.kind == "keras"
        if isinstance(value, (list, tuple)):
            return any(self.is_model_value(v) for v in value[:50])
        return False

    def on_bind(self, ev: Evaluator, name: str, value: Any, node: ast.AST) -> None:
        for found in self.models:
            if found.model is value and not found.label:
                found.label = f"{name} in {ev.frames[-1]}()" if ev.frames else name

    # --------------------------------------------------------------- access
    def attribute(self, ev: Evaluator, obj: Any, name: str, node: ast.AST) -> Any:
        if isinstance(obj, KerasName) and obj.kind == "outside":
            return KerasName("outside", f"{obj.name}.{name}")
        if isinstance(obj, Sequential):
            return self.model_attribute(ev, obj, name, node)
        if isinstance(obj, Instance) and obj.cls.kind == "keras":
            return self.subclass_attribute(ev, obj, name, node)
        if (isinstance(obj, Tensor) or is_graph_tensor(obj)) and name == "shape":
            return obj.shape
        return NOT_HANDLED

    def model_attribute(self, ev: Evaluator, model: Sequential, name: str, node: ast.AST) -> Any:
        if name == "add":
            return Builtin("add", lambda ev, args, kwargs, n: self.add(ev, model, args, n))
        if name == "pop":
            return Builtin("pop", lambda ev, args, kwargs, n: self.guard(ev, n, model.pop))
        if name in SKIPPED_METHODS:
            return Builtin(
                name, lambda ev, args, kwargs, n: skipped(ev, n, f"model.{name}"), skips=True
            )
        if name == "build":
            return Builtin(
                "build", lambda ev, args, kwargs, n: self.build(ev, model, args, kwargs, n)
            )
        if name == "layers":
            return list(model.layers)
        if name in ("input_shape", "output_shape", "name"):
            return self.guard(ev, node, getattr, model, name)
        return Unknown(snippet(node))

    # ---------------------------------------------------------------- calls
    def call(
        self, ev: Evaluator, function: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call
    ) -> Any:
        if isinstance(function, KerasName):
            return self.call_name(ev, function, args, kwargs, node)
        if isinstance(function, Layer):
            inputs = args[0] if args else kwargs.pop("inputs", None)
            if isinstance(inputs, Tensor) and inputs.lazy:
                inputs.shape, inputs.lazy = lazy_shape(ev, function), False
                ev.note(
                    node,
                    f"the input of '{function.name}' comes from data: {inputs.shape} (pin with --set)",
                )
            inputs = graph_input(inputs)
            if is_graph_tensor(inputs):
                kwargs = {k: v for k, v in kwargs.items() if k != "training"}
                return self.guard(ev, node, call_on_graph, function, inputs, kwargs)
            kwargs = {k: v for k, v in kwargs.items() if k not in ("training", "mask")}
            return self.guard(ev, node, call_layer, function, inputs, kwargs, node)
        if isinstance(function, Sequential):
            return self.sequential_on_tensor(ev, function, args, node)
        if isinstance(function, UserClass) and function.kind == "keras":
            return self.instantiate_subclass(ev, function, args, kwargs, node)
        if isinstance(function, Instance) and function.cls.kind == "keras":
            return self.call_subclass(ev, function, args, kwargs, node)
        if (
            isinstance(function, Unknown)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add"
            and isinstance(node.func.value, ast.Name)
            and len(args) == 1
            and isinstance(args[0], (Layer, Tensor))
        ):
            # A pasted snippet that starts at model.add(...): its model = Sequential() is implied.
            name = node.func.value.id
            model = self.sequential(ev, [], {}, node)
            ev.note(node, f"'{name}' is not defined before: read as {name} = Sequential()")
            ev.assign_name(name, model, node)
            self.add(ev, model, args, node)
            return None
        if (
            isinstance(function, Unknown)
            and isinstance(node.func, ast.Name)
            and node.func.id[:1].isupper()
        ):
            # Read as a failure: it stops the read only where the model depends on it.
            known = [*LAYER_TYPES, "Sequential", "Model", "Input"]
            close = difflib.get_close_matches(node.func.id, known, n=1)
            raise ReadFailure(
                node,
                f"the name '{node.func.id}' is not defined in the file, nor a layer rnnlens knows",
                f"did you mean '{close[0]}'?" if close else f"rnnlens knows: {', '.join(known)}",
            )
        return NOT_HANDLED

    def call_name(
        self,
        ev: Evaluator,
        function: KerasName,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.Call,
    ) -> Any:
        kind, name = function.kind, function.name
        if kind == "outside":
            return skipped(ev, node, function.name.split(".")[-1])
        if kind == "model" and name == "Sequential":
            return self.sequential(ev, args, kwargs, node)
        if kind == "model":
            return self.functional_model(ev, args, kwargs, node)
        if kind == "merge" and GRAPH_TENSOR is not None:
            cls = MERGE_FUNCTIONS.get(name, name)
            if cls == name:  # Concatenate(axis=-1): a layer, called on a list later
                return self.layer(ev, cls, args, kwargs, node)
            merge = self.layer(ev, cls, [], kwargs, node)  # concatenate([a, b], axis=-1)
            return self.call(ev, merge, args[:1], {}, node)
        if kind == "merge":
            raise ReadFailure(
                node,
                f"'{snippet(node.func)}' merges tensors: that needs the model graph (rnnlens.graph), "
                "which this reader does not have yet",
                hard=True,
            )
        layer = self.layer(ev, name, args, kwargs, node)
        if kind == "input" and isinstance(layer, INPUT_TYPES):
            return make_input(layer)
        return layer

    def layer(
        self, ev: Evaluator, name: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call
    ) -> Layer:
        """Build ``name(*args, **kwargs)``; data-derived sizes become symbols."""
        for position, value in enumerate(args):
            check_argument(value, node, f"{name}'s argument {position + 1}")
        for key, value in kwargs.items():
            check_argument(value, node, f"{name}'s {key}")
        args = [size_argument(a) for a in args]
        kept: dict[str, Any] = {}
        for key in ("input_shape", "batch_input_shape", "shape", "batch_shape"):
            if isinstance(kwargs.get(key), Unknown):
                kwargs[key] = shape_of_unknown(kwargs[key], name, key)
        for key, value in kwargs.items():
            if isinstance(value, Unknown) and key not in SIZE_KEYWORDS:
                ev.note(
                    node,
                    f"{name}: {key}={snippet_value(value)} is not read (it changes no shape or count)",
                )
                continue
            kept[key] = size_argument(value)
        if name == "Input" and "shape" not in kept and args:
            kept["shape"], args = args[0], args[1:]
        return self.guard(ev, node, construct, name, args, kept, self.layer_notes, node)

    def guard(self, ev: Evaluator, node: ast.AST, function: Any, *args: Any) -> Any:
        """Call rnnlens, keeping its warnings and turning its errors into ones naming the line."""
        line = getattr(node, "lineno", 0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = function(*args)
            except RnnlensError as error:
                raise ReadFailure(node, str(error), hard=True) from None
            except TypeError as error:
                raise ReadFailure(node, f"wrong arguments: {error}", hard=True) from None
        self.warnings.extend(
            f"line {line}: {w.message}"
            for w in caught
            if f"line {line}: {w.message}" not in self.warnings
        )
        return result

    # ---------------------------------------------------------------- models
    def found(self, ev: Evaluator, model: Any, node: ast.AST) -> Any:
        self.models.append(FoundModel(model, line=getattr(node, "lineno", 0)))
        return model

    def sequential(
        self, ev: Evaluator, args: list[Any], kwargs: dict[str, Any], node: ast.Call
    ) -> Sequential:
        layers = kwargs.pop("layers", args.pop(0) if args else None)
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise ReadFailure(
                node,
                "Sequential(...) takes a list of layers, e.g. Sequential([LSTM(32), Dense(1)]); "
                f"received {type(layers).__name__}",
                hard=True,
            )
        name = kwargs.get("name")
        model = self.guard(ev, node, new_sequential, name if isinstance(name, str) else None)
        self.found(ev, model, node)
        for layer in layers or []:
            self.add(ev, model, [layer], node)
        return model

    def add(self, ev: Evaluator, model: Sequential, args: list[Any], node: ast.AST) -> None:
        if len(args) != 1:
            raise ReadFailure(node, "model.add(...) takes exactly one layer", hard=True)
        layer = args[0]
        if (isinstance(layer, Tensor) or is_graph_tensor(layer)) and isinstance(
            layer.layer, INPUT_TYPES
        ):
            layer = layer.layer
        if not isinstance(layer, Layer):
            raise ReadFailure(
                node, f"model.add(...) received {snippet_value(layer)}, not a layer", hard=True
            )
        if (
            not model.layers
            and model.input_layer is None
            and layer.declared_input_shape is None
            and not isinstance(layer, INPUT_TYPES)
        ):
            self.defer_input(ev, layer, node)
        self.guard(ev, node, model.add, layer)

    def defer_input(self, ev: Evaluator, layer: Layer, node: ast.AST) -> None:
        """A first layer without input_shape: Keras builds it from the data at fit(); symbols here."""
        rank = input_rank(layer)
        names = ["T"] if type(layer).__name__ == "Embedding" else ["T", "F"][-rank:]
        shape = tuple(ev.settings.get(n) or as_size(Unknown(n)) for n in names)
        layer.declared_input_shape = shape
        ev.note(
            node,
            f"'{layer.name}' has no input_shape: Keras takes it from the data at fit(); it is "
            f"{'(batch, ' + ', '.join(names) + ')'} here ({meaning(names)}; pin with --set {names[-1]}=...)",
        )

    def build(
        self,
        ev: Evaluator,
        model: Sequential,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> None:
        shape = kwargs.get("input_shape", args[0] if args else None)
        if not isinstance(shape, (list, tuple)) or not model.layers:
            skipped(ev, node, "model.build")
            return
        layers = list(model.layers)
        layers[0].declared_input_shape = tuple(size_argument(d) for d in shape[1:])
        model.layers.clear()
        model.input_layer = None
        for layer in layers:
            self.guard(ev, node, model.add, layer)

    def sequential_on_tensor(
        self, ev: Evaluator, model: Sequential, args: list[Any], node: ast.AST
    ) -> Any:
        tensor = args[0] if args else None
        if isinstance(tensor, Tensor) and tensor.lazy and model.layers:
            tensor.shape, tensor.lazy = lazy_shape(ev, model.layers[0]), False
        tensor = graph_input(tensor)
        for layer in model.layers:
            if is_graph_tensor(tensor):
                tensor = self.guard(ev, node, call_on_graph, layer, tensor, {})
            else:
                tensor = self.guard(ev, node, call_layer, layer, tensor, {}, node)
        return tensor

    def functional_model(
        self, ev: Evaluator, args: list[Any], kwargs: dict[str, Any], node: ast.Call
    ) -> Any:
        inputs = kwargs.get("inputs", args[0] if args else None)
        outputs = kwargs.get("outputs", args[1] if len(args) > 1 else None)
        name = kwargs.get("name")
        if is_graph_tensor(inputs) or is_graph_tensor(outputs):
            model = self.guard(
                ev, node, new_functional, inputs, outputs, name if isinstance(name, str) else None
            )
            return self.found(ev, model, node)
        start, layers = chain(inputs, outputs, node)
        model = self.guard(ev, node, new_sequential, name if isinstance(name, str) else None)
        if isinstance(start.layer, INPUT_TYPES):
            self.guard(ev, node, model.add, start.layer)
        for layer in layers:
            self.guard(ev, node, model.add, layer)
        return self.found(ev, model, node)

    def finish(self, ev: Evaluator) -> None:
        self.read_uncalled_functions(ev)
        self.build_subclasses(ev)

    def read_uncalled_functions(self, ev: Evaluator) -> None:
        """A ``def`` that builds a model and is never called is read with its defaults."""
        for name, value in list(ev.globals.items()):
            if not isinstance(value, Function) or value.calls or not ev.touches_model(value.node):
                continue
            before = len(self.models)
            try:
                result = ev.call_function(value, [], {}, value.node)
            except ReadFailure as failure:
                if len(self.models) > before or (failure.hard and ev.builds_model(value.node)):
                    self.unread.append(failure)
                del self.models[before:]
                continue
            for found in self.models[before:]:
                if not found.label:
                    found.label = f"{name}()"
            if isinstance(result, Sequential) and all(f.model is not result for f in self.models):
                self.found(ev, result, value.node)
