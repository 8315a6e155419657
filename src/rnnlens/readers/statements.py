"""Statements and the expression dispatch of the evaluator (the walk itself).

A statement that fails and does not touch the model is skipped with a note; one that
touches it stops the read (the failure becomes ``hard``). Loops run over known lists and
ranges only, each iteration charged to the budget.
"""

from __future__ import annotations

import ast
import contextlib
from typing import TYPE_CHECKING, Any

from . import expressions as ex
from .budget import ReadFailure, snippet
from .calls import Calls
from .values import Function, Instance, ModuleRef, Unknown, UserClass, describe_value
from .world import NOT_HANDLED, SKIPPED_ROOTS

if TYPE_CHECKING:
    from .world import World


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Statements(Calls):
    """Mixin of :class:`~rnnlens.readers.evaluator.Evaluator`: ``block``, ``statement``, ``eval``."""

    world: World

    # ------------------------------------------------------------- statements
    def block(self, body: list[ast.stmt]) -> None:
        for statement in body:
            try:
                self.statement(statement)
            except ReadFailure as failure:
                if failure.hard or self.builds_model(statement):
                    failure.hard = True
                    if failure.node is None:
                        failure.node = statement
                    raise
                self.skip(statement, f"'{snippet(statement, 50)}' could not be followed")
                for target in _targets(statement):
                    self.bind(target, Unknown(snippet(target)), statement)

    def statement(self, node: ast.stmt) -> None:
        self.budget.step(node)
        kind = type(node).__name__
        handler = getattr(self, f"stmt_{kind}", None)
        if handler is None:
            if self.touches_model(node):
                raise ReadFailure(node, f"a {kind} statement that builds the model is not read")
            self.skip(node, f"a {kind} statement")
            return
        handler(node)

    def stmt_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return  # a docstring
        self.eval(node.value)

    def stmt_Assign(self, node: ast.Assign) -> None:
        value = self.eval(node.value)
        for target in node.targets:
            self.bind(target, value, node)

    def stmt_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.bind(node.target, self.eval(node.value), node)

    def stmt_AugAssign(self, node: ast.AugAssign) -> None:
        current = self.eval(_load(node.target))
        value = self.eval(node.value)
        self.bind(
            node.target,
            ex.binary(self, ast.BinOp(current, node.op, value), current, value),  # type: ignore[arg-type]
            node,
        )

    def stmt_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            path = alias.name if alias.asname else alias.name.split(".")[0]
            self.assign_name(alias.asname or path, self.import_path(path, node), node)

    def stmt_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = ("." * node.level) + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                star = self.world.import_value(self, f"{module}.*", node)
                if isinstance(star, dict):
                    self.scopes[-1].update(star)
                else:
                    self.skip(node, f"from {module} import *")
                continue
            value = self.import_path(f"{module}.{alias.name}", node)
            self.assign_name(alias.asname or alias.name, value, node)

    def import_path(self, path: str, node: ast.AST) -> Any:
        value = self.world.import_value(self, path, node)
        if value is not NOT_HANDLED:
            return value
        root = path.lstrip(".").split(".")[0]
        what = "import" if root in SKIPPED_ROOTS else "import (only this file is read)"
        self.skip(node, f"{what} {path}")
        return ModuleRef(path)

    def stmt_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.assign_name(node.name, Function(node, list(self.scopes), node.name), node)

    stmt_AsyncFunctionDef = stmt_FunctionDef

    def stmt_ClassDef(self, node: ast.ClassDef) -> None:
        bases = [self.eval(base) for base in node.bases]
        cls = UserClass(node, list(self.scopes), node.name, kind="", bases=bases)
        self.world.define_class(self, cls)
        # Class-level constants (UNITS = 16) are read; methods run when called.
        self.scopes.append(cls.namespace)
        try:
            self.block([s for s in node.body if isinstance(s, (ast.Assign, ast.AnnAssign))])
        finally:
            self.scopes.pop()
        self.assign_name(node.name, cls, node)

    def stmt_Return(self, node: ast.Return) -> None:
        raise _Return(None if node.value is None else self.eval(node.value))

    def stmt_If(self, node: ast.If) -> None:
        test = self.eval(node.test)
        if isinstance(test, Unknown):
            if self.touches_model(node):
                self.note(
                    node,
                    f"'if {snippet(node.test, 40)}:' depends on a value outside the file; the "
                    "first branch is read (pin it with --set to choose)",
                )
            self.block(node.body)
            return
        taken = ex.truth(test)
        if self.touches_model(node) and not isinstance(node.test, ast.Constant):
            branch = (
                "the first branch" if taken else ("the else branch" if node.orelse else "no branch")
            )
            self.note(node, f"'if {snippet(node.test, 40)}:' is {taken}; {branch} is read")
        self.block(node.body if taken else node.orelse)

    def stmt_For(self, node: ast.For | ast.AsyncFor) -> None:
        iterable = self.eval(node.iter)
        items = self.world.iterable(self, iterable, node)
        if items is not NOT_HANDLED:
            iterable = items
        if isinstance(iterable, Unknown) and self.world.read_unknown_loop_once(self, node):
            self.note(
                node,
                f"the loop over {snippet(node.iter, 40)} is read once: every pass computes the same",
            )
            self.bind(node.target, Unknown(snippet(node.target)), node)
            with contextlib.suppress(_Break, _Continue):
                self.block(node.body)
            return
        if isinstance(iterable, Unknown) or not isinstance(
            iterable, (list, tuple, range, dict, str)
        ):
            if self.builds_model(node):
                raise ReadFailure(
                    node,
                    f"the loop 'for ... in {snippet(node.iter, 40)}' builds layers, but how many "
                    "times it runs depends on a value outside the file",
                    f"pin it, e.g. --set {_setting_name(node.iter)}=VALUE",
                    hard=True,
                )
            self.skip(node, f"the loop over {snippet(node.iter, 30)}")
            return
        if len(iterable) > 256 and not self.builds_model(node):
            # A training loop (for epoch in range(10000)): nothing in it makes the model.
            self.skip(node, f"the loop over {snippet(node.iter, 30)}")
            return
        self.budget.charge(len(iterable), node)
        for item in list(iterable):
            self.bind(node.target, item, node)
            try:
                self.block(node.body)
            except _Break:
                return
            except _Continue:
                continue
        self.block(node.orelse)

    stmt_AsyncFor = stmt_For

    def stmt_While(self, node: ast.While) -> None:
        if self.builds_model(node):
            raise ReadFailure(node, "a while loop that builds the model is not read", hard=True)
        self.skip(node, "a while loop")

    def stmt_Try(self, node: ast.Try) -> None:
        self.block(node.body)
        self.block(node.orelse)
        self.block(node.finalbody)

    stmt_TryStar = stmt_Try

    def stmt_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.eval(item.context_expr)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, Unknown(snippet(item.optional_vars)), node)
        self.block(node.body)

    stmt_AsyncWith = stmt_With

    def stmt_Pass(self, node: ast.stmt) -> None:
        return

    stmt_Global = stmt_Nonlocal = stmt_Delete = stmt_Assert = stmt_Pass

    def stmt_Break(self, node: ast.stmt) -> None:
        raise _Break

    def stmt_Continue(self, node: ast.stmt) -> None:
        raise _Continue

    def stmt_Raise(self, node: ast.Raise) -> None:
        self.skip(node, "raise")

    # ---------------------------------------------------------------- binding
    def bind(self, target: ast.expr, value: Any, node: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self.assign_name(target.id, value, node)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self.unpack(target, value, node)
        elif isinstance(target, ast.Attribute):
            obj = self.eval(target.value)
            if isinstance(obj, Instance):
                obj.attrs[target.attr] = value
            elif self.world.is_model_value(obj) and not self.world.set_attribute(
                self, obj, target.attr, value, node
            ):
                raise ReadFailure(node, f"assigning to '{snippet(target)}' is not read")
        elif isinstance(target, ast.Subscript):
            obj, index = self.eval(target.value), self.eval(target.slice)
            if (isinstance(obj, dict) and isinstance(index, (str, int, tuple))) or (
                isinstance(obj, list) and isinstance(index, int) and -len(obj) <= index < len(obj)
            ):
                obj[index] = value  # type: ignore[index]
        elif isinstance(target, ast.Starred):
            self.bind(target.value, value, node)

    def unpack(self, target: ast.Tuple | ast.List, value: Any, node: ast.AST) -> None:
        names = target.elts
        unpacked = self.world.unpack(self, value, len(names), node)
        if unpacked is not NOT_HANDLED:
            value = unpacked
        if isinstance(value, Unknown):
            for element in names:
                self.bind(element, Unknown(snippet(element)), node)
            return
        if not isinstance(value, (list, tuple)):
            raise ReadFailure(
                node, f"cannot unpack {describe_value(value)} into {len(names)} names"
            )
        starred = [i for i, e in enumerate(names) if isinstance(e, ast.Starred)]
        if starred:
            i = starred[0]
            tail = len(names) - i - 1
            parts = [*value[:i], list(value[i : len(value) - tail]), *value[len(value) - tail :]]
            value = parts
        if len(value) != len(names):
            raise ReadFailure(node, f"cannot unpack {len(value)} values into {len(names)} names")
        for element, item in zip(names, value):
            self.bind(element, item, node)

    # ------------------------------------------------------------ involvement
    def builds_model(self, node: ast.AST) -> bool:
        """True when the code makes layers or models, or adds layers to one."""
        for child in ast.walk(node):
            if not isinstance(child, ast.Call):
                continue
            func = child.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "add"
                and self._model_name(func.value)
            ):
                return True
            root = func
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and self.world.is_builder(self._resolve(func)):
                return True
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "self"
            ):
                continue
        return False

    def _model_name(self, node: ast.expr) -> bool:
        return self.world.is_model_value(self._resolve(node))

    def _resolve(self, node: ast.expr) -> Any:
        """The value a name or dotted name refers to, without calling anything."""
        chain: list[str] = []
        while isinstance(node, ast.Attribute):
            chain.insert(0, node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        value = None
        for scope in reversed(self.scopes):
            if node.id in scope:
                value = scope[node.id]
                break
        else:
            value = self.world.global_name(self, node.id)
        for attr in chain:
            if isinstance(value, ModuleRef):
                found = self.world.import_value(self, f"{value.path}.{attr}", node)
                value = ModuleRef(f"{value.path}.{attr}") if found is NOT_HANDLED else found
            elif isinstance(value, Instance):
                value = value.attrs.get(attr)
            else:
                return None
        return value

    def touches_model(self, node: ast.AST) -> bool:
        """True when the code names a model value (a layer, a model, a library class)."""
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
                for scope in reversed(self.scopes):
                    if child.id in scope:
                        if self.world.is_model_value(scope[child.id]):
                            return True
                        break
                else:
                    if self.world.is_model_value(self.world.global_name(self, child.id)):
                        return True
        return False


def _targets(node: ast.stmt) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return [t for t in node.targets if isinstance(t, (ast.Name, ast.Tuple, ast.List))]
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
        return [node.target]
    return []


def _load(target: ast.expr) -> ast.expr:
    copy = ast.parse(ast.unparse(target), mode="eval").body
    return ast.copy_location(copy, target)


def _setting_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call) and node.args:
        return snippet(node.args[-1], 30)
    return snippet(node, 30)
