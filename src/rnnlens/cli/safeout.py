"""What the ``rnnlens`` command prints: escaped control characters, never a raw byte from a file.

Layer names, paths and messages can come from a model file or a snippet someone else wrote.
Printed raw, ``ESC ]0;…BEL`` retitles the terminal, ``ESC [2J`` clears it, a CR or newline
forges lines, and a lone surrogate makes ``print`` itself raise. :class:`SafeStream` wraps
``sys.stdout``/``sys.stderr`` while a subcommand runs and escapes every such character
(:func:`rnnlens.show.safe_text`), letting through only what rnnlens itself emits: newlines,
tabs, colour codes (``ESC [ … m``) and, for the commands with a live progress line, CR and
"erase to end of line" (``ESC [K``).
"""

from __future__ import annotations

import re
from typing import Any, TextIO

from ..show import COLOUR_CODE, safe_text

_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_LIVE = re.compile(f"({COLOUR_CODE}|\\x1b\\[K|\\r)|[{_CONTROLS}]")


def _keep_or_escape(match: re.Match[str]) -> str:
    return match.group(1) if match.group(1) is not None else safe_text(match.group())


def clean(text: str, *, live: bool = False) -> str:
    """``text`` with unsafe control characters escaped (see the module docstring).

    >>> clean("\\x1b[1mbold\\x1b[0m \\x1b]0;owned\\x07 a\\rb")
    '\\x1b[1mbold\\x1b[0m \\\\x1b]0;owned\\\\x07 a\\\\x0db'
    >>> clean("3/10\\r\\x1b[K", live=True)
    '3/10\\r\\x1b[K'
    """
    if live:
        return _LIVE.sub(_keep_or_escape, text)
    return safe_text(text, keep_lines=True, keep_colour=True)


class SafeStream:
    """A text stream that escapes what :func:`clean` escapes, then writes to ``stream``."""

    def __init__(self, stream: TextIO, *, live: bool = False) -> None:
        self.stream = stream
        self.live = live

    def write(self, text: str) -> int:
        self.stream.write(clean(text, live=self.live))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        # flush, isatty, fileno, encoding, buffer...: the wrapped stream's own.
        return getattr(self.stream, name)
