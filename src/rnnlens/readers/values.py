"""The values the safe evaluator works with, besides plain Python literals.

Numbers, strings, tuples, lists, dicts, ``range`` and :class:`~rnnlens.symbolic.Size` are
themselves. Everything else the evaluator meets is one of these small records: nothing in
them can run user code.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Unknown:
    """A value from outside the model (data, a skipped call), named by the code that made it.

    ``X_train`` after ``X_train, X_test = train_test_split(...)``; ``X_train.shape[1]`` once it
    is indexed. Used as a size, it becomes a symbol of that name.
    """

    label: str


@dataclass(frozen=True)
class ModuleRef:
    """An imported module or a name inside one not yet resolved: ``numpy``, ``keras.layers``."""

    path: str


@dataclass
class Function:
    """A ``def`` (or ``lambda``) of the file: its node and the scopes it closes over."""

    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    closure: list[dict[str, Any]]
    name: str
    calls: int = 0


@dataclass
class UserClass:
    """A ``class`` of the file; ``kind`` is what it derives from (``keras.Model``, ``nn.Module``)."""

    node: ast.ClassDef
    closure: list[dict[str, Any]]
    name: str
    kind: str
    bases: list[Any] = field(default_factory=list)
    instances: int = 0
    #: Class-level names (``UNITS = 16`` in the class body).
    namespace: dict[str, Any] = field(default_factory=dict)


@dataclass
class Instance:
    """An object of a user class; ``attrs`` are what ``__init__`` assigned to ``self``."""

    cls: UserClass
    attrs: dict[str, Any] = field(default_factory=dict)
    #: Set by a world that turns the object into a model (a Keras subclass, an nn.Module).
    model: Any = None


@dataclass
class BoundMethod:
    """``obj.method`` for a method defined in the file."""

    instance: Instance
    function: Function


@dataclass(frozen=True)
class Builtin:
    """A callable the evaluator implements itself: ``fn(evaluator, args, kwargs, node)``."""

    name: str
    fn: Callable[..., Any]
    #: A skipped call (``model.fit``): its arguments are not even evaluated.
    skips: bool = False


class Skipped(Unknown):
    """The result of a call that is skipped on purpose (``model.fit``, ``print``)."""


def describe_value(value: object) -> str:
    """A short kind name for messages: ``a list``, ``an unknown value 'X_train'``."""
    if isinstance(value, Unknown):
        return f"a value from outside the model ('{value.label}')"
    if isinstance(value, ModuleRef):
        return f"the module '{value.path}'"
    if isinstance(value, Function):
        return f"the function '{value.name}'"
    if isinstance(value, UserClass):
        return f"the class '{value.name}'"
    if isinstance(value, Instance):
        return f"an object of class '{value.cls.name}'"
    article = "an" if type(value).__name__[0] in "aeiouAEIOU" else "a"
    return f"{article} {type(value).__name__}"
