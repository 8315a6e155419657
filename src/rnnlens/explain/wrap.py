"""Wrapping explanation text at sensible points: never inside a formula or a shape.

Spaces that must not break become no-break spaces before :mod:`textwrap` runs (it splits on
ASCII whitespace only) and plain spaces again afterwards. Protected: spaces inside a short
bracketed group with no run of words (``(None, 10, 64)``, ``(64 + 32 + 1)``) and spaces
beside an operator (``x(t)·kernel + bias``, ``= 12,416``); a line may still end after ``→``
and, when a formula is wider than the line, before a top-level ``=`` or ``+``.
Equation rows are stricter: they break only after ``,`` / ``;`` or at a run of spaces.

>>> wrap_row("params", "Keras 4·u·(d + u + 1) = 4·32·(64 + 32 + 1) = 12,416", 50, "")
['params      Keras 4·u·(d + u + 1)', '            = 4·32·(64 + 32 + 1) = 12,416']
"""

from __future__ import annotations

import re
import textwrap
import unicodedata

LABEL = 11  # width of the label column: "receives   "
_NBSP = "\u00a0"
_OPERATORS = "=+−×·⊙→"
_WORDS = re.compile(r"[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}")


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: combining marks (the tilde of c̃) take none."""
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


def protect(text: str, formula: bool = False, loose: bool = False) -> str:
    """``text`` with the spaces that must not break replaced by no-break spaces.

    ``loose`` also lets a line break before a top-level `` = `` or `` + `` (for a formula
    wider than the line).
    """
    keep = [False] * len(text)
    for start, end in _groups(text):
        inner = text[start:end]
        if end - start <= 48 and not _WORDS.search(inner):
            for i in range(start, end):
                keep[i] = True
    chars = list(text)
    for i, ch in enumerate(chars):
        if ch != " ":
            continue
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if loose and not keep[i] and text[i : i + 3] in (" = ", " + "):
            continue  # a long formula may break before = or +, never inside brackets
        if formula:
            breakable = before in ",;" or after == " " or before == " "
            protected = keep[i] or not breakable
        else:
            protected = keep[i] or after in _OPERATORS or (before in _OPERATORS and before != "→")
        if protected:
            chars[i] = _NBSP
    return "".join(chars)


def _groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of every bracketed group, nested ones included."""
    spans, stack = [], []
    for i, ch in enumerate(text):
        if ch in "([":
            stack.append(i)
        elif ch in ")]" and stack:
            spans.append((stack.pop(), i + 1))
    return spans


def wrap_row(
    label: str,
    text: str,
    width: int,
    border: str,
    *,
    formula: bool = False,
    hang: int | None = None,
    label_width: int = LABEL,
) -> list[str]:
    """``label`` in the left column, ``text`` wrapped beside it with a hanging indent.

    Args:
        label: the left column's word (may be empty).
        text: the row's text.
        width: the widest line in terminal columns.
        border: put before every line (``"│ "`` inside a layer box).
        formula: break only after ``,`` / ``;`` or at a run of spaces.
        hang: indent of the continuation lines (default: the label column's width).
        label_width: width of the label column.
    """
    pad = " " * (label_width - display_width(label)) if display_width(label) < label_width else ""
    first = border + label + pad + " "
    rest = border + " " * (label_width + 1 if hang is None else hang)
    # Strictest first; a row that cannot fit that way gets more break points, then prose's.
    for strict, loose in ((formula, False), (formula, True), (False, True)):
        wrapped = textwrap.wrap(
            protect(text, strict, loose),
            width=width,
            initial_indent=first,
            subsequent_indent=rest,
            break_long_words=False,
            break_on_hyphens=False,
        )
        if all(display_width(line) <= width for line in wrapped):
            break
    return [line.replace(_NBSP, " ") for line in wrapped] or [first.rstrip()]
