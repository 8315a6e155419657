"""Read a model from a spec string, a Keras or PyTorch script, or a saved file — never executing it.

A thin front over :mod:`rnnlens.readers` (the safe evaluator and the Keras and PyTorch
readers), kept for the callers that import ``parse_spec``, ``parse_python``,
``load_source`` and ``read_source`` from here.

>>> model = parse_spec("LSTM(64, return_sequences=True, input_shape=(10, 2)) -> LSTM(32)")
>>> [layer.output_shape for layer in model.layers]
[(None, 10, 64), (None, 32)]
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ParseError
from .readers import ReadResult, read_python, read_spec
from .readers.budget import MAX_SOURCE_BYTES

MAX_SOURCE_CHARS = MAX_SOURCE_BYTES


@dataclass
class ParsedSource:
    """A model read from source, with what the reader skipped and the warnings it caught.

    ``model`` is the last model the source builds; ``models`` holds every one, as
    ``(label, model)`` pairs named by their variable or function.
    """

    model: Any
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    models: list[tuple[str, Any]] = field(default_factory=list)
    kind: str = "keras"


def load_source(source: str, settings: dict[str, Any] | None = None) -> Any:
    """The model described by ``source``: a spec string, a ``.py`` file or a saved model.

    Args:
        source: ``"LSTM(64, return_sequences=True, input_shape=(10, 2)) -> LSTM(32)"``, a path
            to a ``.py`` file with Keras or PyTorch code, or a ``.rnnlens`` / ``.keras`` /
            ``.h5`` file.
        settings: values pinning sizes that come from data (``{"vocab_size": 20000}``).

    Returns:
        The model (shapes known, no weights allocated).

    Raises:
        ParseError: the source is outside what rnnlens reads (file, line, what, the fix).
    """
    return read_source(source, settings).model


def read_source(source: str, settings: dict[str, Any] | None = None) -> ParsedSource:
    """Like :func:`load_source`, keeping every model, the reader's notes and its warnings."""
    suffix = Path(source).suffix.lower() if len(source) < 4096 and "\n" not in source else ""
    if suffix in (".rnnlens", ".keras", ".h5"):
        from .io.config_only import load_spec  # the config only: no weights, no h5py/torch

        return ParsedSource(load_spec(source))
    if suffix == ".py":
        return _parsed(read_python(_read_script(source), filename=source, settings=settings))
    if suffix == ".ipynb":
        code = notebook_code(_read_script(source), source)
        return _parsed(read_python(code, filename=source, settings=settings))
    return _parsed(read_spec(source))


def parse_spec(spec: str) -> Any:
    """Layers separated by ``->``: ``"LSTM(64, return_sequences=True, input_shape=(10, 2)) -> Dense(1)"``."""
    return read_spec(spec).models[0].model


def parse_python(
    code: str, filename: str = "<code>", settings: dict[str, Any] | None = None
) -> ParsedSource:
    """Read Keras or PyTorch model code with :mod:`ast`; nothing in it is executed.

    >>> parsed = parse_python("model = Sequential()\\nmodel.add(LSTM(8, input_shape=(5, 3)))\\nmodel.summary()")
    >>> parsed.model.count_params(), parsed.notes
    (384, ['skipped, never run (outside the model): model.summary (line 3)'])
    """
    return _parsed(read_python(code, filename=filename, settings=settings))


def _parsed(result: ReadResult) -> ParsedSource:
    models = [(found.label, found.model) for found in result.models]
    return ParsedSource(models[-1][1], result.notes, result.warnings, models, result.kind)


def notebook_code(text: str, source: str = "<notebook>") -> str:
    """The code cells of a Jupyter notebook as one script; shell (``!``) and magic (``%``) lines
    become blank lines, so line numbers count the code cells' lines in order.

    >>> cell = {"cell_type": "code", "source": ["!pip install keras\\n", "units = 3"]}
    >>> notebook_code(json.dumps({"cells": [cell]})).splitlines()
    ['', 'units = 3']
    """
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ParseError(f"{source}: not a Jupyter notebook ({type(error).__name__})") from None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise ParseError(f"{source}: not a Jupyter notebook (no list of cells)")
    lines: list[str] = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        body = cell.get("source", "")
        body = (
            "".join(part for part in body if isinstance(part, str))
            if isinstance(body, list)
            else str(body)
        )
        for line in body.splitlines():
            lines.append("" if line.lstrip().startswith(("!", "%")) else line)
    return "\n".join(lines) + "\n"


def _read_script(source: str) -> str:
    """The text of a script: a regular file only, its size checked before it is read."""
    try:
        # Stat before opening: opening a FIFO or a device to read could block or never end.
        if not stat.S_ISREG(os.stat(source).st_mode):
            raise ParseError(f"{source}: not a regular file; give the path of a .py script")
        with open(source, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise ParseError(f"{source}: not a regular file; give the path of a .py script")
            if info.st_size > MAX_SOURCE_BYTES:
                raise ParseError(
                    f"{source}: {info.st_size:,} bytes, larger than {MAX_SOURCE_BYTES:,}; not a "
                    "model script (explain the file that builds the model)"
                )
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except OSError as error:
        raise ParseError(f"{source}: cannot be read ({error.strerror or error})") from None
    return data.decode("utf-8", errors="replace")
