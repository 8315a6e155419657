"""Expression dispatch and calls: functions of the file, classes, methods of plain values.

A ``def`` runs with the arguments of its call; parameters nobody gives are pinned by
``--set`` or become values from outside the model (symbols once used as sizes).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from ..symbolic import Size
from . import expressions as ex
from .budget import ReadFailure, snippet
from .plain_methods import plain_method
from .values import (
    BoundMethod,
    Builtin,
    Function,
    Instance,
    ModuleRef,
    Skipped,
    Unknown,
    UserClass,
    describe_value,
)
from .world import NOT_HANDLED

if TYPE_CHECKING:
    from .budget import Budget
    from .world import World


class Calls:
    """Mixin: ``eval`` of every expression kind and the calling convention."""

    world: World
    budget: Budget
    scopes: list[dict[str, Any]]
    depth: int
    call_depth: int
    #: Names of the functions being run, innermost last (models are named after them).
    frames: list[str]

    # The evaluator supplies these (evaluator.py / statements.py).
    def lookup(self, name: str, node: ast.AST) -> Any: ...
    def pinned(self, node: ast.AST, default: Any) -> Any: ...
    def skip(self, node: ast.AST, what: str) -> None: ...
    def block(self, body: list[ast.stmt]) -> None: ...
    def bind(self, target: ast.expr, value: Any, node: ast.AST) -> None: ...
    def assign_name(self, name: str, value: Any, node: ast.AST) -> None: ...
    def enter_call(self, node: ast.AST) -> None: ...
    def note(self, node: ast.AST, text: str) -> None: ...

    def eval(self, node: ast.expr) -> Any:
        """The value of ``node``; ReadFailure for what is not read."""
        self.budget.step(node)
        self.depth += 1
        try:
            if self.depth > self.budget.max_depth:
                raise ReadFailure(
                    node, f"expression nested deeper than {self.budget.max_depth} levels", hard=True
                )
            handler = getattr(self, f"eval_{type(node).__name__}", None)
            if handler is None:
                raise ReadFailure(node, f"'{snippet(node)}' ({type(node).__name__}) is not read")
            return handler(node)
        finally:
            self.depth -= 1

    def eval_Constant(self, node: ast.Constant) -> Any:
        return ex.constant(self, node)  # type: ignore[arg-type]

    def eval_Name(self, node: ast.Name) -> Any:
        return self.lookup(node.id, node)

    def eval_Attribute(self, node: ast.Attribute) -> Any:
        obj = self.eval(node.value)
        return self.attribute(obj, node.attr, node)

    def attribute(self, obj: Any, name: str, node: ast.Attribute) -> Any:
        handled = self.world.attribute(self, obj, name, node)
        if handled is not NOT_HANDLED:
            return handled
        if isinstance(obj, ModuleRef):
            path = f"{obj.path}.{name}"
            found = self.world.import_value(self, path, node)
            return ModuleRef(path) if found is NOT_HANDLED else found
        if isinstance(obj, Unknown):
            if obj.label == "super()":
                return Builtin("super", lambda ev, args, kwargs, n: None)  # the base class's own
            return self.pinned(node, Unknown(snippet(node, 200)))
        if isinstance(obj, Instance):
            if name in obj.attrs:
                return obj.attrs[name]
            if name in obj.cls.namespace:
                return obj.cls.namespace[name]
            method = _method(obj.cls, name)
            return BoundMethod(obj, method) if method else Unknown(snippet(node))
        if isinstance(obj, UserClass):
            if name in obj.namespace:
                return obj.namespace[name]
            return _method(obj, name) or Unknown(snippet(node))
        plain = plain_method(obj, name)
        if plain is not None:
            return plain
        raise ReadFailure(
            node,
            f"'{snippet(node)}': {describe_value(obj)} has no attribute '{name}' the reader knows",
        )

    def eval_Subscript(self, node: ast.Subscript) -> Any:
        return ex.subscript(self, node, self.eval(node.value), self.eval(node.slice))  # type: ignore[arg-type]

    def eval_Slice(self, node: ast.Slice) -> Any:
        return ex.slice_value(self, node)  # type: ignore[arg-type]

    def eval_BinOp(self, node: ast.BinOp) -> Any:
        return ex.binary(self, node, self.eval(node.left), self.eval(node.right))  # type: ignore[arg-type]

    def eval_UnaryOp(self, node: ast.UnaryOp) -> Any:
        return ex.unary(self, node, self.eval(node.operand))  # type: ignore[arg-type]

    def eval_BoolOp(self, node: ast.BoolOp) -> Any:
        value: Any = None
        for operand in node.values:
            value = self.eval(operand)
            if isinstance(value, Unknown):
                return Unknown(snippet(node))
            if ex.truth(value) == isinstance(node.op, ast.Or):
                return value
        return value

    def eval_Compare(self, node: ast.Compare) -> Any:
        return ex.compare(self, node, [self.eval(node.left), *map(self.eval, node.comparators)])  # type: ignore[arg-type]

    def eval_IfExp(self, node: ast.IfExp) -> Any:
        test = self.eval(node.test)
        if isinstance(test, Unknown):
            return self.eval(node.body)
        return self.eval(node.body if ex.truth(test) else node.orelse)

    def eval_JoinedStr(self, node: ast.JoinedStr) -> Any:
        return ex.formatted(self, node)  # type: ignore[arg-type]

    def eval_Tuple(self, node: ast.Tuple) -> Any:
        return tuple(self.elements(node.elts, node))

    def eval_List(self, node: ast.List) -> Any:
        return self.elements(node.elts, node)

    eval_Set = eval_List

    def eval_Dict(self, node: ast.Dict) -> Any:
        self.budget.charge(len(node.keys), node)
        out: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values):
            if key is None:
                merged = self.eval(value)
                if isinstance(merged, dict):
                    out.update(merged)
                continue
            k = self.eval(key)
            out[k if isinstance(k, (str, int, float, bool, tuple)) else snippet(key)] = self.eval(
                value
            )
        return out

    def elements(self, nodes: list[ast.expr], node: ast.AST) -> list[Any]:
        self.budget.charge(len(nodes), node)
        out: list[Any] = []
        for element in nodes:
            if isinstance(element, ast.Starred):
                value = self.eval(element.value)
                if not isinstance(value, (list, tuple, range)):
                    return [Unknown(snippet(node))]
                self.budget.charge(len(value), node)
                out.extend(value)
            else:
                out.append(self.eval(element))
        return out

    def eval_ListComp(self, node: ast.ListComp | ast.GeneratorExp | ast.SetComp) -> Any:
        out: list[Any] = []
        if not self.comprehension(
            node, node.generators, 0, lambda: out.append(self.eval(node.elt))
        ):
            return Unknown(snippet(node, 200))
        return out

    eval_GeneratorExp = eval_SetComp = eval_ListComp

    def eval_DictComp(self, node: ast.DictComp) -> Any:
        out: dict[Any, Any] = {}

        def add() -> None:
            key = self.eval(node.key)
            out[key if isinstance(key, (str, int, tuple)) else snippet(node.key)] = self.eval(
                node.value
            )

        return out if self.comprehension(node, node.generators, 0, add) else Unknown(snippet(node))

    def comprehension(
        self, node: ast.AST, generators: list[ast.comprehension], index: int, emit: Any
    ) -> bool:
        """Run the nested ``for ... if ...`` clauses; False when an iterable is unknown."""
        if index == len(generators):
            emit()
            return True
        generator = generators[index]
        iterable = self.eval(generator.iter)
        items = self.world.iterable(self, iterable, generator.iter)
        if items is not NOT_HANDLED:
            iterable = items
        if not isinstance(iterable, (list, tuple, range, dict, str)):
            return False
        self.budget.charge(len(iterable), node)
        self.scopes.append({})
        try:
            for item in list(iterable):
                self.bind(generator.target, item, node)
                tests = [self.eval(test) for test in generator.ifs]
                if any(isinstance(t, Unknown) for t in tests):
                    return False
                if all(ex.truth(t) for t in tests) and not self.comprehension(
                    node, generators, index + 1, emit
                ):
                    return False
        finally:
            self.scopes.pop()
        return True

    def eval_Lambda(self, node: ast.Lambda) -> Any:
        return Function(node, list(self.scopes), "<lambda>")

    def eval_NamedExpr(self, node: ast.NamedExpr) -> Any:
        value = self.eval(node.value)
        self.bind(node.target, value, node)
        return value

    def eval_Await(self, node: ast.Await) -> Any:
        return self.eval(node.value)

    # ------------------------------------------------------------------ calls
    def eval_Call(self, node: ast.Call) -> Any:
        function = self.eval(node.func)
        if isinstance(function, Builtin) and function.skips:
            return function.fn(self, [], {}, node)
        args = self.elements(node.args, node)
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            value = self.eval(keyword.value)
            if keyword.arg is not None:
                kwargs[keyword.arg] = value
            elif isinstance(value, dict):
                kwargs.update({str(k): v for k, v in value.items()})
        result = self.call(function, args, kwargs, node)
        # `len(vocab)` and the like may be pinned by their text (--set "len(vocab)=20000").
        return self.pinned(node, result) if isinstance(result, (Unknown, Size)) else result

    def call(self, function: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        handled = self.world.call(self, function, args, kwargs, node)
        if handled is not NOT_HANDLED:
            return handled
        if isinstance(function, Builtin):
            return function.fn(self, args, kwargs, node)
        if isinstance(function, Function):
            return self.call_function(function, args, kwargs, node)
        if isinstance(function, BoundMethod):
            return self.call_function(function.function, [function.instance, *args], kwargs, node)
        if isinstance(function, UserClass):
            return self.instantiate(function, args, kwargs, node)
        if isinstance(function, (Unknown, ModuleRef)):
            self.skip(node, f"{snippet(node.func, 40)}(...)")
            return Skipped(snippet(node, 200))
        raise ReadFailure(
            node, f"'{snippet(node.func)}' is {describe_value(function)}, not something to call"
        )

    def instantiate(
        self, cls: UserClass, args: list[Any], kwargs: dict[str, Any], node: ast.Call
    ) -> Any:
        instance = Instance(cls)
        init = _method(cls, "__init__")
        if init is not None:
            self.call_function(init, [instance, *args], kwargs, node)
        cls.instances += 1
        return instance

    def call_function(
        self, function: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        """Run a ``def`` of the file with these arguments, in a scope of its own."""
        from .statements import _Return

        self.enter_call(node)
        function.calls += 1
        saved = self.scopes
        self.scopes = [*function.closure, {}]
        self.frames.append(function.name)
        try:
            self.bind_arguments(function, args, kwargs, node)
            body = function.node.body
            if isinstance(body, ast.expr):
                return self.eval(body)
            try:
                self.block(body)
            except _Return as returned:
                return returned.value
            return None
        finally:
            self.scopes = saved
            self.frames.pop()
            self.call_depth -= 1

    def bind_arguments(
        self, function: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> None:
        spec = function.node.args
        positional = [*spec.posonlyargs, *spec.args]
        defaults = dict(
            zip([a.arg for a in positional[len(positional) - len(spec.defaults) :]], spec.defaults)
        )
        for param, default in zip(spec.kwonlyargs, spec.kw_defaults):
            if default is not None:
                defaults[param.arg] = default
        remaining = dict(kwargs)
        for i, param in enumerate([*positional, *spec.kwonlyargs]):
            if i < len(positional) and i < len(args):
                value = args[i]
            elif param.arg in remaining:
                value = remaining.pop(param.arg)
            elif param.arg in getattr(self, "settings", {}):
                value = self.lookup(param.arg, node)
            elif param.arg in defaults:
                value = self.eval(defaults[param.arg])
            else:
                value = Unknown(param.arg)  # a size nobody gives: a symbol named like the parameter
            self.assign_name(param.arg, value, param)
        if spec.vararg is not None:
            self.assign_name(spec.vararg.arg, tuple(args[len(positional) :]), spec.vararg)
        if spec.kwarg is not None:
            self.assign_name(spec.kwarg.arg, remaining, spec.kwarg)


def _method(cls: UserClass, name: str) -> Function | None:
    for statement in cls.node.body:
        if (
            isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
            and statement.name == name
        ):
            return Function(statement, cls.closure, f"{cls.name}.{name}")
    for base in cls.bases:
        if isinstance(base, UserClass):
            found = _method(base, name)
            if found:
                return found
    return None
