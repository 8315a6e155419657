"""The few Python builtins model code uses, reimplemented over the evaluator's values.

``len(vocab) + 1`` and ``max(len(s) for s in seqs)`` on data give symbols; ``range(n)`` is
charged to the budget before it is iterated; ``print`` and ``open`` are skipped, never run.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from ..symbolic import Size, safe_symbol_name
from .budget import ReadFailure, snippet
from .expressions import as_size, is_number
from .values import Builtin, Skipped, Unknown, describe_value

if TYPE_CHECKING:
    from .evaluator import Evaluator

_ITERABLE = (list, tuple, range, str, dict)


def _symbol(node: ast.Call) -> Size:
    return Size.symbol(safe_symbol_name(snippet(node, 200)))


def _range(ev: Evaluator, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
    if any(isinstance(a, (Unknown, Size)) for a in args):
        return Unknown(snippet(node))
    if not args or not all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        raise ReadFailure(node, f"range(...) of {', '.join(describe_value(a) for a in args)}")
    result = range(*args)
    ev.budget.charge(len(result), node)
    return result


def _len(ev: Evaluator, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
    if len(args) == 1 and isinstance(args[0], _ITERABLE):
        return len(args[0])
    return _symbol(node)


def _number(kind: type) -> Any:
    def convert(ev: Evaluator, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if not args:
            return kind()
        value = args[0]
        if isinstance(value, Size):
            return value if kind is int else Unknown(snippet(node))
        if isinstance(value, Unknown):
            return _symbol(node) if kind is int else Unknown(snippet(node))
        if isinstance(value, (int, float, bool)) or (isinstance(value, str) and len(value) < 40):
            try:
                return kind(value)
            except (ValueError, OverflowError) as error:
                raise ReadFailure(node, f"{kind.__name__}(...): {error}") from None
        raise ReadFailure(node, f"{kind.__name__}() of {describe_value(value)}")

    return convert


def _extreme(pick: Any) -> Any:
    def extreme(ev: Evaluator, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        items = list(args[0]) if len(args) == 1 and isinstance(args[0], _ITERABLE) else args
        if not items or any(isinstance(i, Unknown) for i in items) or kwargs:
            return _symbol(node)
        try:
            return pick(items)
        except (TypeError, ValueError):
            return _symbol(node)  # sizes that cannot be ordered without data

    return extreme


def _sum(ev: Evaluator, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
    if not args or not isinstance(args[0], _ITERABLE):
        return _symbol(node)
    total: Any = args[1] if len(args) > 1 else 0
    for item in args[0]:
        item = as_size(item)
        if not is_number(item):
            raise ReadFailure(node, f"sum(...) over {describe_value(item)}")
        total = total + item
    return total


def _container(kind: type) -> Any:
    def make(ev: Evaluator, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if not args:
            return kind(**kwargs) if kind is dict else kind()
        value = args[0]
        if isinstance(value, Unknown):
            return Unknown(snippet(node))
        if not isinstance(value, _ITERABLE):
            raise ReadFailure(node, f"{kind.__name__}() of {describe_value(value)}")
        ev.budget.charge(len(value), node)
        return kind(value)

    return make


def _iterate(kind: str) -> Any:
    def make(ev: Evaluator, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if any(isinstance(a, Unknown) or not isinstance(a, _ITERABLE) for a in args):
            return Unknown(snippet(node))
        if kind == "enumerate":
            start = kwargs.get("start", args[1] if len(args) > 1 else 0)
            result: list[Any] = [(start + i, v) for i, v in enumerate(args[0])]
        elif kind == "zip":
            result = list(zip(*args))
        elif kind == "reversed":
            result = list(reversed(args[0]))
        else:
            try:
                result = sorted(args[0], reverse=bool(kwargs.get("reverse", False)))
            except TypeError:
                return Unknown(snippet(node))
        ev.budget.charge(len(result), node)
        return result

    return make


def _skip(what: str) -> Any:
    def skip(ev: Evaluator, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        ev.skip(node, what)
        return Skipped(snippet(node))

    return skip


def _str(ev: Evaluator, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
    if args and isinstance(args[0], (int, float, str, bool, Size)):
        return str(args[0])
    return Unknown(snippet(node))


def _abs(ev: Evaluator, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
    if args and isinstance(args[0], (int, float)):
        return abs(args[0])
    return Unknown(snippet(node))


def _round(ev: Evaluator, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
    if args and isinstance(args[0], (int, float)) and all(isinstance(a, int) for a in args[1:]):
        return round(args[0], *args[1:])
    return Unknown(snippet(node))


class _Super(Unknown):
    """``super()``: calling its methods (``super().__init__(...)``) reads nothing."""


def _super(ev: Evaluator, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
    return _Super("super()")


def _isinstance(ev: Evaluator, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
    return Unknown(snippet(node))


BUILTINS: dict[str, Builtin] = {
    name: Builtin(name, fn)
    for name, fn in {
        "range": _range,
        "len": _len,
        "int": _number(int),
        "float": _number(float),
        "bool": _number(bool),
        "str": _str,
        "abs": _abs,
        "round": _round,
        "max": _extreme(max),
        "min": _extreme(min),
        "sum": _sum,
        "list": _container(list),
        "tuple": _container(tuple),
        "dict": _container(dict),
        "set": _container(list),
        "enumerate": _iterate("enumerate"),
        "zip": _iterate("zip"),
        "reversed": _iterate("reversed"),
        "sorted": _iterate("sorted"),
        "isinstance": _isinstance,
        "super": _super,
        "print": _skip("print"),
        "open": _skip("open (no file is read)"),
        "input": _skip("input"),
        "display": _skip("display"),
    }.items()
}
#: Constants every script may name.
CONSTANTS = {"True": True, "False": False, "None": None, "__name__": "__main__"}
