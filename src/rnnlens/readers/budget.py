"""Budgets that keep reading hostile code cheap, and the reader's own error.

Every value the evaluator builds is charged before it is built: elements of lists and
tuples, characters of strings, loop iterations, calls. A wall-clock deadline and a nesting
depth bound the rest. Error messages show values through :func:`preview`, never whole.

>>> budget = Budget(max_elements=10)
>>> budget.charge(4)
>>> try:
...     budget.charge(7)
... except ReadFailure as failure:
...     print(failure.what)
the values built exceed the budget of 10 elements and characters
"""

from __future__ import annotations

import ast
import reprlib
import time
from dataclasses import dataclass, field

# What a model script needs is tiny next to these; hostile input hits them in milliseconds.
MAX_SOURCE_BYTES = 1_000_000
MAX_ELEMENTS = 200_000
MAX_STEPS = 400_000
MAX_DEPTH = 50
MAX_CALL_DEPTH = 24
MAX_SECONDS = 3.0
MAX_ABS_NUMBER = 10**18
MAX_STRING_CHARS = 10_000


class ReadFailure(Exception):
    """Something the evaluator cannot follow, at ``node``.

    ``hard`` marks failures in statements that build the model: they stop the read, where a
    failure elsewhere only skips its statement.
    """

    def __init__(self, node: ast.AST | None, what: str, fix: str = "", *, hard: bool = False):
        super().__init__(what)
        self.node, self.what, self.fix, self.hard = node, what, fix, hard


@dataclass
class Budget:
    """Counters against fixed limits; :meth:`charge` and :meth:`step` raise :class:`ReadFailure`."""

    max_elements: int = MAX_ELEMENTS
    max_steps: int = MAX_STEPS
    max_depth: int = MAX_DEPTH
    max_seconds: float = MAX_SECONDS
    elements: int = 0
    steps: int = 0
    started: float = field(default_factory=time.perf_counter)

    def charge(self, count: int, node: ast.AST | None = None) -> None:
        """Account for ``count`` elements or characters about to be built."""
        self.elements += max(0, count)
        if self.elements > self.max_elements:
            raise ReadFailure(
                node,
                f"the values built exceed the budget of {self.max_elements:,} elements and characters",
                "a model script builds small values; this one looks generated or hostile",
                hard=True,
            )

    def step(self, node: ast.AST | None = None) -> None:
        """One evaluation step; checks the step count and, now and then, the clock."""
        self.steps += 1
        if self.steps > self.max_steps:
            raise ReadFailure(node, f"more than {self.max_steps:,} evaluation steps", hard=True)
        if self.steps % 512 == 0 and time.perf_counter() - self.started > self.max_seconds:
            raise ReadFailure(
                node,
                f"reading took longer than {self.max_seconds:g} s (the time budget)",
                hard=True,
            )


def check_argument(value: object, node: ast.AST | None, what: str, limit: int = 10_000) -> None:
    """Refuse a nested value with more than ``limit`` elements before anything formats it.

    ``[[0] * 10_000] * 10_000`` shares its rows, so building it is cheap; printing it in an
    error message (``received {value!r}``) is not. This walks at most ``limit`` elements.
    """
    seen = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple, set, frozenset, dict)):
            seen += len(item)
            if seen > limit:
                raise ReadFailure(
                    node,
                    f"{what} is a value of more than {limit:,} elements: {preview(value)}",
                    "a layer argument is a number, a string or a short tuple",
                    hard=True,
                )
            stack.extend(item.values() if isinstance(item, dict) else item)


_PREVIEW = reprlib.Repr()
_PREVIEW.maxlevel = 3
_PREVIEW.maxlist = _PREVIEW.maxtuple = _PREVIEW.maxdict = _PREVIEW.maxset = 6
_PREVIEW.maxstring = _PREVIEW.maxother = 40
_PREVIEW.maxlong = 24


def preview(value: object, limit: int = 80) -> str:
    """A bounded ``repr`` for messages: nested and long values are cut with ``...``.

    >>> preview([[0] * 10_000] * 10_000)
    '[[0, 0, 0, 0, 0, 0, ...], [0, 0, 0, 0, 0, 0, ...], [0, 0, 0, 0, 0, 0, ...], [...'
    """
    text = _PREVIEW.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def snippet(node: ast.AST, limit: int = 70) -> str:
    """Source text of ``node`` on one line, shortened."""
    try:
        text = ast.unparse(node)
    except (RecursionError, ValueError):
        return type(node).__name__
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
