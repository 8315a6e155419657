"""Sizes that come from data: exact polynomials in named symbols (pure Python, spec room).

A script says ``input_shape=(X_train.shape[1], X_train.shape[2])``; without the data the
reader cannot know the numbers, but every shape and count stays exact in them. A
:class:`Size` is a polynomial with integer coefficients in symbols that stand for positive
integers, closed under ``+``, ``-``, ``*`` and exact ``//``::

    4·64·(F + 64 + 1) = 256·F + 16,640

>>> F = Size.symbol("F")
>>> params = 4 * 64 * (F + 64 + 1)
>>> print(f"{params:,}")
256·F + 16,640
>>> params.substitute({"F": 2})
17152
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Union

from .errors import ShapeError

# A monomial: sorted (symbol, power) pairs; () is the constant term.
Monomial = tuple[tuple[str, int], ...]
Number = Union[int, "Size"]
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class Size:
    """An exact size: a polynomial in symbols standing for unknown positive integers.

    Args:
        terms: monomial → coefficient (zero coefficients dropped).

    Math: symbols are integers ≥ 1, so a polynomial whose coefficients are all ≥ 0 and
    whose constant term is > 0 is known to be positive without knowing the symbols.
    """

    __slots__ = ("terms",)

    def __init__(self, terms: Mapping[Monomial, int]) -> None:
        self.terms: dict[Monomial, int] = {m: c for m, c in terms.items() if c != 0}

    @classmethod
    def symbol(cls, name: str) -> Size:
        """A fresh unknown ``name`` (``"F"``, ``"X_train.shape[1]"``)."""
        return cls({((name, 1),): 1})

    # ------------------------------------------------------------- queries
    @property
    def symbols(self) -> list[str]:
        """The names this size depends on, in order of first appearance."""
        seen: dict[str, None] = {}
        for monomial in self.terms:
            for name, _ in monomial:
                seen.setdefault(name, None)
        return list(seen)

    def constant(self) -> int | None:
        """The value when no symbol is left, else ``None``."""
        if not self.symbols:
            return self.terms.get((), 0)
        return None

    def known_positive(self) -> bool:
        """True when the size is > 0 for every positive value of its symbols."""
        coefficients = list(self.terms.values())
        return all(c >= 0 for c in coefficients) and sum(coefficients) > 0

    def substitute(self, values: Mapping[str, int]) -> int | Size:
        """Replace the symbols ``values`` names; an ``int`` once none is left."""
        out: Number = 0
        for monomial, coefficient in self.terms.items():
            term: Number = coefficient
            for name, power in monomial:
                base: Number = values[name] if name in values else Size.symbol(name)
                for _ in range(power):
                    term = term * base
            out = out + term
        return simplify(out)

    # ----------------------------------------------------------- arithmetic
    def __add__(self, other: object) -> Size:
        right = _as_size(other)
        if right is None:
            return NotImplemented
        terms = dict(self.terms)
        for monomial, coefficient in right.terms.items():
            terms[monomial] = terms.get(monomial, 0) + coefficient
        return Size(terms)

    __radd__ = __add__

    def __neg__(self) -> Size:
        return Size({m: -c for m, c in self.terms.items()})

    def __sub__(self, other: object) -> Size:
        right = _as_size(other)
        return NotImplemented if right is None else self + (-right)

    def __rsub__(self, other: object) -> Size:
        left = _as_size(other)
        return NotImplemented if left is None else left + (-self)

    def __mul__(self, other: object) -> Size:
        right = _as_size(other)
        if right is None:
            return NotImplemented
        terms: dict[Monomial, int] = {}
        for m1, c1 in self.terms.items():
            for m2, c2 in right.terms.items():
                powers = dict(m1)
                for name, power in m2:
                    powers[name] = powers.get(name, 0) + power
                monomial = tuple(sorted(powers.items()))
                terms[monomial] = terms.get(monomial, 0) + c1 * c2
        return Size(terms)

    __rmul__ = __mul__

    def __floordiv__(self, other: object) -> Size:
        if isinstance(other, bool) or not isinstance(other, int) or other == 0:
            return NotImplemented
        if all(c % other == 0 for c in self.terms.values()):
            return Size({m: c // other for m, c in self.terms.items()})
        # Not exact for every value of the symbols: the quotient becomes a symbol of its own.
        return Size.symbol(f"({self})//{other}")

    # ---------------------------------------------------------- comparisons
    def __eq__(self, other: object) -> bool:
        right = _as_size(other)
        return right is not None and (self - right).terms == {}

    def __hash__(self) -> int:
        value = self.constant()
        return hash(value) if value is not None else hash(tuple(sorted(self.terms.items())))

    def _sign(self, other: object) -> int:
        right = _as_size(other)
        if right is None:
            raise TypeError(f"cannot compare a size with {type(other).__name__}")
        difference = self - right
        value = difference.constant()
        if value is not None:
            return (value > 0) - (value < 0)
        if difference.known_positive():
            return 1
        if (-difference).known_positive():
            return -1
        raise ShapeError(
            f"cannot tell whether {self} is larger than {right} without knowing "
            f"{', '.join(difference.symbols)}: pin it with --set name=value"
        )

    def __lt__(self, other: object) -> bool:
        return self._sign(other) < 0

    def __le__(self, other: object) -> bool:
        return self._sign(other) <= 0

    def __gt__(self, other: object) -> bool:
        return self._sign(other) > 0

    def __ge__(self, other: object) -> bool:
        return self._sign(other) >= 0

    def __bool__(self) -> bool:
        return bool(self.terms)

    # ------------------------------------------------------------- printing
    def __format__(self, spec: str) -> str:
        return self.render(grouping="," in spec)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        # Shapes print through repr of their tuple: ``(F, 256)`` reads better than Size('F').
        return self.render()

    def render(self, *, grouping: bool = False) -> str:
        """``256·F + 16,640``: highest degree first, the constant last."""
        if not self.terms:
            return "0"
        order = sorted(self.terms, key=lambda m: (-sum(p for _, p in m), m))
        out = ""
        for monomial in order:
            coefficient = self.terms[monomial]
            sign = "-" if coefficient < 0 else "+"
            magnitude = abs(coefficient)
            number = f"{magnitude:,}" if grouping else str(magnitude)
            factors = [
                name + (str(power).translate(_SUPERSCRIPT) if power > 1 else "")
                for name, power in monomial
            ]
            if magnitude != 1 or not factors:
                factors.insert(0, number)
            text = "·".join(factors)
            out += (f"-{text}" if sign == "-" else text) if not out else f" {sign} {text}"
        return out


def _as_size(value: object) -> Size | None:
    if isinstance(value, Size):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Size({(): value}) if value else Size({})
    return None


def simplify(value: Number) -> Number:
    """A :class:`Size` without symbols becomes a plain ``int``."""
    if isinstance(value, Size):
        constant = value.constant()
        return value if constant is None else constant
    return value


def is_size(value: object) -> bool:
    """A plain integer (not a bool) or a :class:`Size`."""
    return isinstance(value, Size) or (isinstance(value, int) and not isinstance(value, bool))


def substitute(value: object, values: Mapping[str, int]) -> object:
    """Substitute inside a size, a shape tuple or a list of shapes; other values unchanged.

    >>> substitute((None, Size.symbol("T"), 2), {"T": 10})
    (None, 10, 2)
    """
    if isinstance(value, Size):
        return value.substitute(values)
    if isinstance(value, tuple):
        return tuple(substitute(v, values) for v in value)
    if isinstance(value, list):
        return [substitute(v, values) for v in value]
    return value


def safe_symbol_name(text: str) -> str:
    """A symbol name printable on one line (long source text is shortened).

    >>> safe_symbol_name("len(\\n  vocab) + 1")
    'len( vocab) + 1'
    """
    text = "".join(ch if ch.isprintable() else " " for ch in " ".join(text.split()))
    return text if len(text) <= 80 else text[:77] + "..."
