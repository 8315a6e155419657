"""Showing untrusted text and values safely: bounded previews and escaped control characters.

* :func:`preview` is how every error message shows a value from a file or a snippet: bounded
  in length and depth whatever the value's size (a list of 10,000 zeros nested three levels
  deep prints as a few dozen characters), control characters escaped by ``repr``, and no
  ``int`` too large to print.
* :func:`safe_text` is how names and other text from files reach a terminal: ESC, BEL, CR,
  newlines and every other C0/C1 control character, and lone surrogates, become visible
  escapes, so a layer name cannot retitle the terminal, clear it or forge output lines.
"""

from __future__ import annotations

import re
import reprlib
from typing import Any

# C0 and C1 controls, DEL, the Unicode line/paragraph separators and bidi overrides (which
# reorder what a terminal shows), and lone surrogates (which cannot be encoded at all).
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_LINE_BREAKS = "\x09\x0a"
#: Select Graphic Rendition (colour, bold): the only escape sequence rnnlens itself emits.
COLOUR_CODE = r"\x1b\[[0-9;]{0,16}m"
_PATTERNS = {
    (keep_lines, keep_colour): re.compile(
        (f"({COLOUR_CODE})|" if keep_colour else "()")
        + f"[{_CONTROLS}{'' if keep_lines else _LINE_BREAKS}]"
    )
    for keep_lines in (False, True)
    for keep_colour in (False, True)
}


def _escape(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1)
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: object, *, keep_lines: bool = False, keep_colour: bool = False) -> str:
    """``text`` with control characters and lone surrogates shown as ``\\xNN``/``\\uNNNN``.

    With ``keep_lines=True`` newlines and tabs stay (for a whole rendered table or report);
    with ``keep_colour=True`` colour codes (``ESC [ 1 m``) stay, every other escape goes.

    >>> safe_text("lstm\\x1b]0;owned\\x07\\nfake line")
    'lstm\\\\x1b]0;owned\\\\x07\\\\x0afake line'
    >>> safe_text("a\\nb\\x1b[2J", keep_lines=True)
    'a\\nb\\\\x1b[2J'
    >>> safe_text("\\x1b[1mbold\\x1b[0m\\r", keep_colour=True)
    '\\x1b[1mbold\\x1b[0m\\\\x0d'
    >>> safe_text("caf\\u00e9 \\ud800")
    'café \\\\ud800'
    """
    return _PATTERNS[keep_lines, keep_colour].sub(_escape, str(text))


class _Preview(reprlib.Repr):
    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxtuple = self.maxlist = self.maxarray = 6
        self.maxdict = 4
        self.maxset = self.maxfrozenset = self.maxdeque = 6
        self.maxstring = 60
        self.maxlong = 40
        self.maxother = 60

    def repr_int(self, x: int, level: int) -> str:
        # repr() of an int above 4300 digits raises ValueError; its length is enough to show.
        if x.bit_length() > 128:
            return f"<an int of about {int(x.bit_length() * 0.30103) + 1:,} digits>"
        return repr(x)

    def repr_str(self, x: str, level: int) -> str:
        text = repr(x[: self.maxstring])
        return text if len(x) <= self.maxstring else f"{text}... ({len(x):,} characters)"


_PREVIEW = _Preview()


def preview(value: Any, limit: int = 120) -> str:
    """A bounded ``repr`` of ``value`` for error messages: at most ``limit`` characters.

    >>> preview([[0] * 10_000] * 3)
    '[[0, 0, 0, 0, 0, 0, ...], [0, 0, 0, 0, 0, 0, ...], [0, 0, 0, 0, 0, 0, ...]]'
    >>> preview("\\x1b]0;title\\x07")
    "'\\\\x1b]0;title\\\\x07'"
    >>> preview(10**5000)
    '<an int of about 5,001 digits>'

    Args:
        value: anything; containers are walked three levels deep, six items each.
        limit: the longest text returned.

    Returns:
        The preview, never longer than ``limit``.
    """
    try:
        text = safe_text(_PREVIEW.repr(value))
    except Exception:  # a value from parsed data has a plain repr, but never fail in a message
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
