"""``model.save(path)``: the file format follows the extension, as Keras's ``save`` does.

* ``.rnnlens``: the native format (:mod:`rnnlens.io.native`);
* ``.keras``: a real Keras 3 archive that ``keras.saving.load_model`` opens
  (:func:`rnnlens.io.keras.to_keras`);
* ``.h5``: refused with the fix (Keras 3 itself calls it legacy): save ``.keras`` instead;
* anything else: refused, naming the three.

>>> import tempfile, pathlib, rnnlens as rl
>>> from rnnlens.layers import LSTM
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> rl.Sequential([LSTM(2, input_shape=(3, 1))]).save(folder / "m.keras")
>>> (folder / "m.keras").read_bytes()[:2]
b'PK'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ModelFileError

if TYPE_CHECKING:
    from ..graph import ModelSpec


def save(model: ModelSpec, path: str | os.PathLike[str]) -> Path:
    """Write ``model`` in the format its extension names; returns the path.

    Raises:
        ModelFileError: an extension other than ``.rnnlens`` or ``.keras``, or an unwritable
            folder.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".keras":
        from .keras import to_keras

        return to_keras(model, path)
    if suffix == ".rnnlens":
        from .native import save_model

        return save_model(model, path)
    if suffix == ".h5":
        raise ModelFileError(
            f"{path}: rnnlens does not write legacy HDF5 model files; save as "
            f"'{Path(path).with_suffix('.keras')}' (a Keras 3 archive, which keras.saving."
            "load_model opens) or '.rnnlens' (native). rl.from_keras reads .h5 files."
        )
    raise ModelFileError(
        f"{path}: unknown model file extension {suffix or '(none)'!r}; model.save writes "
        "'.rnnlens' (native) or '.keras' (Keras 3)"
    )
