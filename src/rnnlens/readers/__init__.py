"""Readers: Keras code, PyTorch code and spec strings into specs, with ``ast`` only.

Nothing read is executed; see :mod:`rnnlens.readers.evaluator` for the small language and
its budgets. :func:`read_python` picks the library by the file's imports.

>>> result = read_python("model = Sequential()\\nmodel.add(LSTM(8, input_shape=(5, 3)))\\nmodel.fit(x, y)")
>>> [(found.label, found.model.count_params()) for found in result.models], result.notes
([('model', 384)], ['skipped, never run (outside the model): model.fit (line 3)'])
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass, field
from typing import Any

from ..errors import ParseError
from ..naming import fresh_names
from .budget import Budget, ReadFailure
from .evaluator import Evaluator
from .keras_code import FoundModel, KerasWorld


@dataclass
class ReadResult:
    """What a source file builds: its models (named), what was skipped and the warnings."""

    models: list[FoundModel]
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    kind: str = "keras"


def uses_torch(code: str) -> bool:
    """True when the code imports torch (it is then read as PyTorch code)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == "torch" for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "torch":
            return True
        # Pasted snippets often drop the imports: class Net(nn.Module) says it all.
        if isinstance(node, ast.ClassDef) and any(
            isinstance(b, ast.Attribute) and b.attr == "Module" for b in node.bases
        ):
            return True
    return False


def read_python(
    code: str, filename: str = "<code>", settings: dict[str, Any] | None = None
) -> ReadResult:
    """Read a Keras or PyTorch script; every model it builds, never running a line of it.

    Raises:
        ParseError: nothing the reader can explain; the message names the line, quotes it,
            says what could not be followed and what to do.
    """
    if uses_torch(code):
        from .torch_code import read_torch

        return read_torch(code, filename, settings)
    world = KerasWorld()
    ev = Evaluator(filename, code, world, settings)
    with fresh_names():
        try:
            ev.run()
        except ParseError as error:
            before = _read_before(ev, world, error)
            if not before:
                raise
            notes = _notes_of(ev, world.layer_notes)
            return ReadResult(before, notes, [*world.warnings, _stopped(error)])
    models = _named(world.models)
    if not models and world.unread:
        raise ev.error(world.unread[0])
    if not models:
        raise ParseError(
            f"{filename}: no model found; build one with model = Sequential() and "
            "model.add(LSTM(...)), Sequential([...]), keras.Model(inputs, outputs) or a "
            "keras.Model subclass"
        )
    return ReadResult(models, _notes_of(ev, world.layer_notes), list(world.warnings))


def _read_before(ev: Evaluator, world: KerasWorld, error: ParseError) -> list[FoundModel]:
    """Models finished before the line that stopped the read and not named on it."""
    failure = ev.failure
    line = getattr(failure.node, "lineno", None) if failure is not None else None
    if failure is None or line is None:
        return []
    named = (
        {n.id for n in ast.walk(failure.node) if isinstance(n, ast.Name)} if failure.node else set()
    )
    done = [
        found
        for found in _named(list(world.models))
        if found.line < line and found.label.split(" ")[0] not in named and not ev.frames
    ]
    return done


def _stopped(error: ParseError) -> str:
    first, *rest = str(error).splitlines()
    quoted = f" ({rest[0].strip()})" if rest else ""
    return f"{first}{quoted}; the models above were read before it, the rest of the file was not"


def _named(found: list[FoundModel]) -> list[FoundModel]:
    seen: list[FoundModel] = []
    for position, entry in enumerate(found):
        if any(entry.model is s.model for s in seen) or not entry.model.layers:
            continue
        # A Sequential that a later model wraps whole (a subclass calling self.model) is that model.
        layers = {id(layer) for layer in entry.model.layers}
        if any(
            later.model is not entry.model and layers <= {id(x) for x in later.model.layers}
            for later in found[position + 1 :]
        ):
            continue
        entry.label = entry.label or entry.model.name
        seen.append(entry)
    labels = [e.label for e in seen]
    for entry in seen:
        if labels.count(entry.label) > 1:
            entry.label = f"{entry.label} (line {entry.line})"
    return seen


def _notes_of(ev: Evaluator, first: list[str]) -> list[str]:
    notes = list(first) + list(ev.notes)
    unused = sorted(set(ev.settings) - ev.used_settings)
    if unused:
        notes.append(
            f"--set {', '.join(unused)}: not used (no such name or expression in the file)"
        )
    skipped = ev.skipped_line()
    return [*notes, skipped] if skipped else notes


def split_spec(spec: str) -> list[str]:
    """Split ``"LSTM(64) -> Dense(1)"`` on the ``->`` operators, never inside strings.

    >>> split_spec("Dense(1, name='a->b') -> Dense(2)")
    ["Dense(1, name='a->b')", 'Dense(2)']
    """
    cuts: list[int] = []
    lines = spec.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    try:
        for token in tokenize.generate_tokens(io.StringIO(spec).readline):
            if token.type == tokenize.OP and token.string == "->":
                row, col = token.start
                cuts.append(starts[row - 1] + col)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [part.strip() for part in spec.split("->")]  # broken text: the parts will say why
    parts, last = [], 0
    for cut in cuts:
        parts.append(spec[last:cut].strip())
        last = cut + 2
    parts.append(spec[last:].strip())
    return parts


def read_spec(spec: str) -> ReadResult:
    """``"LSTM(64, return_sequences=True, input_shape=(10, 2)) -> LSTM(32)"``: one layer per arrow."""
    parts = split_spec(spec)
    if not spec.strip() or any(not part for part in parts):
        raise ParseError(
            f"spec {spec!r:.80} is empty or has an empty part; write layers separated by "
            "'->', e.g. \"LSTM(64, return_sequences=True, input_shape=(10, 2)) -> LSTM(32)\""
            " (or give a path to an existing .py / .rnnlens / .keras file)"
        )
    with fresh_names():
        return _read_spec(parts)


def _read_spec(parts: list[str]) -> ReadResult:
    world = KerasWorld()
    budget = Budget()
    model = None
    for position, part in enumerate(parts, start=1):
        ev = Evaluator(f"spec part {position} ({part[:40]})", part, world, budget=budget)
        tree = ev.parse(mode="eval")
        assert isinstance(tree, ast.Expression)
        try:
            if model is None:
                model = world.sequential(ev, [], {}, tree.body)  # type: ignore[arg-type]
            world.add(ev, model, [ev.eval(tree.body)], tree.body)
        except ReadFailure as failure:
            raise ev.error(failure) from None
    assert model is not None
    return ReadResult([FoundModel(model, model.name)], warnings=list(world.warnings))
