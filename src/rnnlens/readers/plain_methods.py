"""Methods of lists, dicts and strings that model code calls, charged to the budget.

``layers.append(LSTM(32))``, ``config.get("units", 64)``, ``"lstm_{}".format(i)``: the few
methods scripts use to build their layer lists and names, bound to the value they read.
"""

from __future__ import annotations

import ast
from typing import Any

from . import expressions as ex
from .budget import ReadFailure
from .values import Builtin, Unknown


def plain_method(obj: Any, name: str) -> Builtin | None:
    """Methods of lists, dicts and strings that model code uses, bound to ``obj``."""

    def bound(fn: Any) -> Builtin:
        return Builtin(name, lambda ev, args, kwargs, node: fn(ev, args, kwargs, node))

    if isinstance(obj, list) and name in ("append", "extend", "insert", "pop"):

        def change(ev: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
            ev.budget.charge(
                len(args[0]) if name == "extend" and isinstance(args[0], (list, tuple)) else 1, node
            )
            try:
                return getattr(obj, name)(*args)
            except (TypeError, IndexError) as error:
                raise ReadFailure(node, f"list.{name}(...): {error}") from None

        return bound(change)
    if isinstance(obj, dict) and name in (
        "get",
        "items",
        "keys",
        "values",
        "update",
        "setdefault",
        "copy",
    ):

        def read(ev: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
            try:
                result = getattr(obj, name)(*args, **kwargs)
            except TypeError as error:
                raise ReadFailure(node, f"dict.{name}(...): {error}") from None
            return list(result) if name in ("items", "keys", "values") else result

        return bound(read)
    if isinstance(obj, str) and name in (
        "format",
        "join",
        "lower",
        "upper",
        "strip",
        "replace",
        "split",
    ):

        def text(ev: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
            if any(
                not isinstance(a, (str, int, float, list, tuple)) for a in [*args, *kwargs.values()]
            ):
                return Unknown(f"{obj[:20]!r}.{name}(...)")
            if name == "join" and args and not all(isinstance(a, str) for a in args[0]):
                return Unknown(f"{obj[:20]!r}.join(...)")
            if name == "format" and ex._width(obj) > 200:
                raise ReadFailure(node, "str.format(...) asks for a huge width", hard=True)
            growth = len(str(args[1])) if name == "replace" and len(args) > 1 else 1
            ev.budget.charge(len(obj) * max(1, growth) + sum(len(str(a)) for a in args), node)
            try:
                return getattr(obj, name)(*args, **kwargs)
            except (ValueError, IndexError, KeyError, TypeError) as error:
                raise ReadFailure(node, f"str.{name}(...): {error}") from None

        return bound(text)
    return None
