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
    """The text of a script through the one budget for untrusted files (:mod:`rnnlens.io.budget`):
    a regular file only (a FIFO or device is refused before it is opened for reading), its
    size checked before it is read, UTF-8 with or without a byte-order mark."""
    from .io.budget import read_text_capped

    return read_text_capped(source, "a Python script", MAX_SOURCE_BYTES, ParseError)
