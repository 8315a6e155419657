"""Expressions of the small language: literals, names, arithmetic, containers, calls.

Each node kind has one method; values are built only after their size is charged to the
budget. Values from outside the model (:class:`Unknown`) flow through arithmetic and
indexing, and become symbols (:class:`~rnnlens.symbolic.Size`) where a size is needed.
"""

from __future__ import annotations

import ast
import math
import operator
from typing import TYPE_CHECKING, Any

from ..symbolic import Size, safe_symbol_name, simplify
from .budget import MAX_ABS_NUMBER, MAX_STRING_CHARS, ReadFailure, snippet
from .values import Builtin, Unknown, describe_value
from .world import NOT_HANDLED

if TYPE_CHECKING:
    from .evaluator import Evaluator

_ARITHMETIC = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_PLAIN = (int, float, str, bool, type(None), tuple, list, dict, range, Size, slice)


def as_size(value: Any) -> Any:
    """An :class:`Unknown` used as a number becomes a symbol named by its code."""
    if isinstance(value, Unknown):
        return Size.symbol(safe_symbol_name(value.label))
    return value


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Size)) and not isinstance(value, bool)


def container_size(value: Any) -> int:
    if isinstance(value, (str, list, tuple, dict)):
        return len(value)
    return 1


def binary(ev: Evaluator, node: ast.BinOp, left: Any, right: Any) -> Any:
    """``left op right`` with every size and magnitude checked before computing."""
    op = type(node.op)
    handled = ev.world.binary(ev, node.op, left, right, node)
    if handled is not NOT_HANDLED:
        return handled
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        left, right = as_size(left), as_size(right)
    if op not in _ARITHMETIC:
        raise ReadFailure(node, f"the operator in '{snippet(node)}' is not read")
    if isinstance(left, (Size, int, float)) and isinstance(right, (Size, int, float)):
        return _number_op(ev, node, op, left, right)
    if op is ast.Add and type(left) is type(right) and isinstance(left, (str, list, tuple)):
        ev.budget.charge(len(left) + len(right), node)
        return left + right
    if op is ast.Mult and isinstance(left, int) and isinstance(right, (str, list, tuple)):
        left, right = right, left
    if op is ast.Mult and isinstance(left, (str, list, tuple)) and isinstance(right, int):
        ev.budget.charge(len(left) * max(right, 0), node)
        return left * right
    if op is ast.Mod and isinstance(left, str):
        ev.budget.charge(len(left), node)
        return Unknown(snippet(node))  # %-formatting builds a label only
    raise ReadFailure(
        node, f"'{snippet(node)}' combines {describe_value(left)} and {describe_value(right)}"
    )


def _number_op(ev: Evaluator, node: ast.BinOp, op: Any, left: Any, right: Any) -> Any:
    if isinstance(left, Size) or isinstance(right, Size):
        if op in (ast.Add, ast.Sub, ast.Mult) or (op is ast.FloorDiv and isinstance(right, int)):
            if isinstance(left, float) or isinstance(right, float):
                return Unknown(snippet(node))
            return simplify(_ARITHMETIC[op](left, right))
        return Unknown(snippet(node))  # a ratio or power of a data size: not a size any more
    if (
        op is ast.Pow
        and abs(left) > 1
        and (not 0 <= right <= 64 or math.log10(abs(left)) * right > math.log10(MAX_ABS_NUMBER))
    ):
        raise ReadFailure(node, f"'{snippet(node)}' is too large a power", hard=True)
    try:
        result = _ARITHMETIC[op](left, right)
    except (ZeroDivisionError, OverflowError, ValueError) as error:
        raise ReadFailure(node, f"'{snippet(node)}': {error}") from None
    if isinstance(result, complex):
        raise ReadFailure(node, f"'{snippet(node)}' is not a real number")
    return check_number(node, result)


def check_number(node: ast.AST, value: Any) -> Any:
    if isinstance(value, (int, float)) and abs(value) > MAX_ABS_NUMBER:
        raise ReadFailure(
            node, f"the number {value:.3g} is larger than {MAX_ABS_NUMBER:.0e}", hard=True
        )
    return value


def constant(ev: Evaluator, node: ast.Constant) -> Any:
    value = node.value
    if isinstance(value, (str, bytes)):
        if len(value) > MAX_STRING_CHARS:
            raise ReadFailure(node, f"a string longer than {MAX_STRING_CHARS:,} characters")
        ev.budget.charge(len(value), node)
        return value if isinstance(value, str) else Unknown("bytes")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return check_number(node, value)
    if value is Ellipsis or isinstance(value, complex):
        return Unknown(snippet(node))
    return value


def unary(ev: Evaluator, node: ast.UnaryOp, operand: Any) -> Any:
    if isinstance(node.op, ast.Not):
        return Unknown(snippet(node)) if isinstance(operand, Unknown) else not truth(operand)
    operand = as_size(operand)
    if not is_number(operand):
        raise ReadFailure(node, f"a sign in front of {describe_value(operand)}")
    if isinstance(node.op, ast.USub):
        return -operand
    if isinstance(node.op, ast.Invert) and isinstance(operand, int):
        return ~operand
    return operand


def truth(value: Any) -> bool:
    """Python truth of a known value (a Size is a positive number)."""
    return True if isinstance(value, Size) else bool(value)


def compare(ev: Evaluator, node: ast.Compare, values: list[Any]) -> Any:
    left = values[0]
    for op, right in zip(node.ops, values[1:]):
        if not (isinstance(left, _PLAIN) and isinstance(right, _PLAIN)) and not isinstance(
            op, (ast.Is, ast.IsNot)
        ):
            return Unknown(snippet(node))
        try:
            result = _COMPARE[type(op)](left, right)
        except (TypeError, ValueError):
            return Unknown(snippet(node))  # an unknown size compared: the answer is unknown
        if not result:
            return False
        left = right
    return True


def subscript(ev: Evaluator, node: ast.Subscript, obj: Any, index: Any) -> Any:
    handled = ev.world.subscript(ev, obj, index, node)
    if handled is not NOT_HANDLED:
        return handled
    if isinstance(obj, Unknown) or isinstance(index, Unknown):
        return ev.pinned(node, Unknown(snippet(node, 200)))
    if isinstance(obj, (list, tuple, str, range)) and isinstance(index, (int, slice)):
        if isinstance(index, slice):
            result = obj[index]
            ev.budget.charge(container_size(result), node)
            return result
        if -len(obj) <= index < len(obj):
            return obj[index]
        raise ReadFailure(node, f"index {index} is out of range for {len(obj)} items")
    if isinstance(obj, dict):
        try:
            if index in obj:
                return obj[index]
        except TypeError:
            pass
        raise ReadFailure(node, f"the key {index!r:.40} is not in the dict")
    raise ReadFailure(node, f"indexing {describe_value(obj)} with {describe_value(index)}")


def slice_value(ev: Evaluator, node: ast.Slice) -> Any:
    parts = [None if p is None else ev.eval(p) for p in (node.lower, node.upper, node.step)]
    if any(isinstance(p, (Unknown, Size)) for p in parts):
        return Unknown(snippet(node))
    if not all(p is None or isinstance(p, int) for p in parts):
        raise ReadFailure(node, f"the slice '{snippet(node)}' holds something not an integer")
    return slice(*parts)


def formatted(ev: Evaluator, node: ast.JoinedStr) -> Any:
    """An f-string: each field formatted when its value is plain, else an unknown label."""
    out = ""
    for part in node.values:
        if isinstance(part, ast.Constant):
            out += str(part.value)
            continue
        assert isinstance(part, ast.FormattedValue)
        value = ev.eval(part.value)
        spec = "" if part.format_spec is None else formatted(ev, part.format_spec)  # type: ignore[arg-type]
        if isinstance(value, Unknown) or isinstance(spec, Unknown):
            return Unknown(snippet(node))
        if not isinstance(spec, str) or (any(ch.isdigit() for ch in spec) and _width(spec) > 200):
            raise ReadFailure(node, f"the format '{spec!s:.20}' asks for a huge width", hard=True)
        if not isinstance(value, (int, float, str, bool, Size, type(None))):
            value = describe_value(value)
        try:
            text = format(value, spec) if part.conversion == -1 else format(str(value), spec)
        except (ValueError, TypeError) as error:
            raise ReadFailure(node, f"the f-string field fails: {error}") from None
        ev.budget.charge(len(text), node)
        out += text
    return out


def _width(spec: str) -> int:
    digits = "".join(ch if ch.isdigit() else " " for ch in spec).split()
    return max((int(d) for d in digits if len(d) < 6), default=10**6 if digits else 0)


def builtin_call(
    ev: Evaluator, function: Builtin, args: list[Any], kwargs: dict[str, Any], node: ast.Call
) -> Any:
    return function.fn(ev, args, kwargs, node)
