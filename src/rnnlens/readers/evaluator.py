"""A safe evaluator of the small language model scripts are written in (never ``exec``).

The file is parsed with :mod:`ast` and walked: literals, arithmetic, names, containers,
f-strings, ``def`` and ``lambda``, ``for`` over known lists and ranges, comprehensions,
``if``/``else`` on known values, classes with ``__init__``. What a library means (Keras,
PyTorch) is left to a :class:`~rnnlens.readers.world.World`. A statement the evaluator
cannot follow is skipped with a note when it does not touch the model, and stops the read
with a :class:`~rnnlens.errors.ParseError` naming its line when it does.

>>> ev = Evaluator("<code>", "sizes = [64, 32]\\nunits = [2 * s for s in sizes][0] + 1")
>>> ev.run()
>>> ev.globals["units"]
129
"""

from __future__ import annotations

import ast
import warnings
from typing import Any

from ..errors import ParseError
from .budget import MAX_CALL_DEPTH, MAX_SOURCE_BYTES, Budget, ReadFailure, snippet
from .builtins import BUILTINS, CONSTANTS
from .statements import Statements
from .values import Unknown
from .world import NOT_HANDLED, World


class Evaluator(Statements):
    """Reads one source text. ``settings`` pin names or expressions (``--set name=value``).

    Args:
        filename: how messages name the source.
        source: the Python text.
        world: the library hooks (Keras, PyTorch); the default knows no library.
        settings: ``{"vocab_size": 20000, "X_train.shape": (1000, 50, 1)}``.
        budget: the limits; fresh defaults when omitted.
    """

    def __init__(
        self,
        filename: str,
        source: str,
        world: World | None = None,
        settings: dict[str, Any] | None = None,
        budget: Budget | None = None,
    ) -> None:
        self.filename = filename
        self.source = source
        self.lines = source.splitlines()
        self.world = world or World()
        self.settings = dict(settings or {})
        self.used_settings: set[str] = set()
        self.budget = budget or Budget()
        self.globals: dict[str, Any] = {}
        self.scopes: list[dict[str, Any]] = [self.globals]
        self.skipped: list[str] = []
        self.skipped_lines: set[Any] = set()
        self.notes: list[str] = []
        self.depth = 0
        self.call_depth = 0
        self.frames: list[str] = []
        #: What stopped the read, once :meth:`run` raised.
        self.failure: ReadFailure | None = None

    # ------------------------------------------------------------------ entry
    def parse(self, mode: str = "exec") -> ast.AST:
        """The syntax tree, or a ParseError for text that is too large or not Python."""
        if len(self.source) > MAX_SOURCE_BYTES:
            raise ParseError(
                f"{self.filename}: larger than {MAX_SOURCE_BYTES:,} characters; not a model script"
            )
        try:
            # A user's "\d" warns at compile time; it is theirs, not ours to print.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ast.parse(self.source, filename=self.filename, mode=mode)
        except SyntaxError as error:
            raise self.error(
                ReadFailure(None, f"not valid Python ({error.msg})"), error.lineno
            ) from None
        except (RecursionError, MemoryError, ValueError) as error:
            raise ParseError(
                f"{self.filename}: cannot be parsed ({type(error).__name__}: nesting too deep "
                "or invalid characters)"
            ) from None

    def run(self) -> None:
        """Read the whole file; ParseError on what stops the read."""
        tree = self.parse()
        assert isinstance(tree, ast.Module)
        try:
            self.block(tree.body)
            self.world.finish(self)
        except ReadFailure as failure:
            self.failure = failure
            raise self.error(failure) from None
        except RecursionError:
            raise ParseError(f"{self.filename}: nested too deeply to read") from None

    # --------------------------------------------------------------- messages
    def error(self, failure: ReadFailure, line: int | None = None) -> ParseError:
        """A ParseError naming the line, quoting it, saying what failed and what to do."""
        line = line or getattr(failure.node, "lineno", None)
        where = f"{self.filename}, line {line}" if line else self.filename
        text = f"{where}: {failure.what}"
        if line and 0 < line <= len(self.lines) and not self.filename.startswith("spec part"):
            quoted = self.lines[line - 1].strip()
            text += f"\n    {quoted[:117] + '...' if len(quoted) > 120 else quoted}"
        if failure.fix:
            text += f"\n  {failure.fix}"
        return ParseError(text)

    def skip(self, node: ast.AST, what: str) -> None:
        """Note something skipped (never run), in the one 'skipped' line of the explanation."""
        line = getattr(node, "lineno", "?")
        # One entry per line: "np.random.seed(...) (line 7)", not each link of the chain.
        if len(self.skipped) < 400 and line not in self.skipped_lines:
            self.skipped_lines.add(line)
            self.skipped.append(f"{what} (line {line})")

    def note(self, node: ast.AST, text: str) -> None:
        line = getattr(node, "lineno", None)
        entry = f"line {line}: {text}" if line else text
        if entry not in self.notes and len(self.notes) < 100:
            self.notes.append(entry)

    def skipped_line(self) -> str | None:
        """``skipped, never run: import numpy (line 1), print (line 30), ...`` or None."""
        if not self.skipped:
            return None
        shown = self.skipped[:14]
        more = (
            f", and {len(self.skipped) - len(shown)} more" if len(self.skipped) > len(shown) else ""
        )
        return "skipped, never run (outside the model): " + ", ".join(shown) + more

    # ------------------------------------------------------------------ names
    def lookup(self, name: str, node: ast.AST) -> Any:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        if name in self.settings:
            self.used_settings.add(name)
            return self.settings[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in BUILTINS:
            return BUILTINS[name]
        found = self.world.global_name(self, name)
        return Unknown(name) if found is NOT_HANDLED else found

    def assign_name(self, name: str, value: Any, node: ast.AST) -> None:
        if name in self.settings and not isinstance(node, ast.arg):
            self.used_settings.add(name)
            self.note(node, f"{name} = {self.settings[name]!r} (set on the command line)")
            value = self.settings[name]
        elif isinstance(value, Unknown) and type(value) is Unknown:
            value = Unknown(name)  # later symbols read X_train.shape[1], not train_test_split(...)
        self.scopes[-1][name] = value
        self.world.on_bind(self, name, value, node)

    def pinned(self, node: ast.AST, default: Any) -> Any:
        """A value set on the command line for this expression's text, else ``default``."""
        if not self.settings:
            return default
        text = snippet(node, 200).replace(" ", "")
        for key, value in self.settings.items():
            if key.replace(" ", "") == text:
                self.used_settings.add(key)
                return value
        return default

    def enter_call(self, node: ast.AST) -> None:
        self.call_depth += 1
        if self.call_depth > MAX_CALL_DEPTH:
            raise ReadFailure(
                node, f"calls nested deeper than {MAX_CALL_DEPTH} (recursion?)", hard=True
            )
