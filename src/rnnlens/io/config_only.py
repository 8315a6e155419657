"""A saved model's architecture from its config alone: what explaining a file needs.

``rnnlens explain``, ``summary`` and ``diagram`` on a saved file show shapes, weights'
shapes and parameter counts, all of which the config decides. So :func:`load_spec` reads
only the config and never a weight:

* ``.rnnlens``: the safetensors header's metadata (8 bytes + the header, capped at 16 MiB);
  the tensor data is not read at all.
* ``.keras``: ``config.json`` from the zip (streamed, capped); ``model.weights.h5`` is never
  decompressed, h5py is not imported, torch is not imported.
* ``.h5``: the ``model_config`` attribute, read in the bounded child process of
  :mod:`rnnlens.io.h5child` (HDF5 itself can hang on a damaged file).

>>> import tempfile, pathlib, rnnlens as rl
>>> from rnnlens.layers import LSTM, Dense
>>> path = pathlib.Path(tempfile.mkdtemp()) / "m.rnnlens"
>>> rl.Sequential([LSTM(4, input_shape=(3, 2)), Dense(1)]).save(path)
>>> load_spec(path).count_params()
117
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ModelFileError

if TYPE_CHECKING:
    from ..graph import ModelSpec

#: The suffixes :func:`load_spec` reads.
SAVED_SUFFIXES = (".rnnlens", ".keras", ".h5")


def load_spec(path: str | os.PathLike[str]) -> ModelSpec:
    """The model saved at ``path`` with shapes and counts but no weights (none are read).

    Args:
        path: a ``.rnnlens``, ``.keras`` or ``.h5`` file.

    Returns:
        The model spec; its weights would be freshly initialised if
        ever built, so use :func:`rnnlens.load` / :func:`rnnlens.from_keras` to run it.

    Raises:
        ModelFileError: not a regular file, an unknown suffix, or a damaged or hostile file.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".rnnlens":
        from .native import load_config

        return load_config(path)
    if suffix in (".keras", ".h5"):
        from .keras import from_keras

        return from_keras(path, weights=False)
    raise ModelFileError(
        f"{path}: expected a saved model ending in {', '.join(SAVED_SUFFIXES)}, "
        f"received {suffix or 'no suffix'}"
    )
