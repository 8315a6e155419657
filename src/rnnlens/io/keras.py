"""Keras model files in and out, without TensorFlow and without running anything from them.

* :func:`from_keras` reads Keras 3 ``.keras`` archives (``config.json`` + ``model.weights.h5``
  in a zip) and legacy ``.h5`` files (a ``model_config`` attribute + a ``model_weights``
  group) of Sequential models built from layers rnnlens has. The config is JSON mapped by
  :mod:`rnnlens.io.keras_config`; weights are HDF5 datasets read by
  :mod:`rnnlens.io.keras_weights`; the zip is opened by :mod:`rnnlens.io.zipsafe`.
* :func:`to_keras` writes a ``.keras`` archive that ``keras.saving.load_model`` opens with the
  same predictions.

>>> import tempfile, pathlib, numpy as np, rnnlens as rl
>>> from rnnlens.layers import GRU, Dense
>>> model = rl.Sequential([GRU(3, input_shape=(4, 2)), Dense(1)])
>>> path = rl.to_keras(model, pathlib.Path(tempfile.mkdtemp()) / "m.keras")
>>> back = rl.from_keras(path)
>>> x = np.ones((2, 4, 2), dtype="float32")
>>> bool(np.allclose(back.predict(x), model.predict(x)))
True
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ModelFileError
from .atomic import write_atomic
from .keras_config import keras_to_rnnlens, rnnlens_to_keras
from .native import _model_from_config, read_bytes
from .zipsafe import read_members

if TYPE_CHECKING:
    from ..graph import ModelSpec

#: Size limits for the members of a ``.keras`` archive.
MAX_CONFIG_BYTES = 16 << 20
MAX_WEIGHTS_BYTES = 4 << 30
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_KERAS_VERSION = "3.0.0"


def from_keras(path: Any, *, weights: bool = True) -> ModelSpec:
    """The Keras model stored at ``path`` (``.keras`` or ``.h5``), or held in memory, as rnnlens.

    ``path`` may also be a Keras 3 model object (a notebook user's ``keras.Sequential``): its
    config and weights are read from the object, nothing is written to disk. With
    ``weights=False`` only the config is read (no torch, no h5py for ``.keras``): enough to
    explain the model.

    Raises:
        ModelFileError: unreadable file, unsupported layers or options (all listed), or
            weights that do not fit the layers (naming layer, weight, both shapes).
    """
    if is_keras_model(path):
        return _from_keras_object(path, weights)
    source = str(path)
    data = read_bytes(path, "a Keras model")
    if data.startswith(_HDF5_SIGNATURE):
        return _from_legacy_h5(data, source, weights)
    if not data.startswith(b"PK"):
        raise ModelFileError(
            f"{source}: neither a .keras archive (zip) nor an HDF5 .h5 file; "
            "rnnlens reads Keras 3 .keras and legacy .h5 model files"
        )
    wanted = {"config.json": MAX_CONFIG_BYTES}
    if weights:
        wanted["model.weights.h5"] = MAX_WEIGHTS_BYTES
    members = read_members(data, wanted, source=source)
    if "config.json" not in members:
        raise ModelFileError(f"{source}: a zip without config.json, not a Keras 3 .keras file")
    model = _build(_json(members["config.json"], f"{source}: config.json"), source)
    if weights:
        if "model.weights.h5" not in members:
            raise ModelFileError(f"{source}: the archive has no model.weights.h5")
        from .keras_weights import read_keras3

        _assign(model, read_keras3(model, members["model.weights.h5"], source), source)
    return model


def is_keras_model(value: object) -> bool:
    """Whether ``value`` is a Keras 3 model object (told without importing Keras)."""
    module = type(value).__module__
    return module.split(".")[0] == "keras" and callable(getattr(value, "get_config", None))


def _from_keras_object(keras_model: Any, weights: bool) -> ModelSpec:
    """Read an in-memory Keras model through the same config mapping as a ``.keras`` file."""
    import keras  # already imported by whoever made the model

    source = f"in-memory Keras model '{getattr(keras_model, 'name', '?')}'"
    if not getattr(keras_model, "built", True):
        raise ModelFileError(
            f"{source} is not built yet, so its input shape is unknown: call it on data or "
            "give its first layer input_shape= (or start it with keras.Input) first"
        )
    config = keras.saving.serialize_keras_object(keras_model)
    model = _build(json.loads(json.dumps(config)), source)  # plain JSON, as a file holds
    if weights:
        # get_weights()'s order, read without its np.array(variable), which numpy 2 deprecates
        model.set_weights([_numpy(v.value) for v in keras_model.weights])
    return model


def _numpy(value: Any) -> np.ndarray:
    """A Keras variable's value as numpy: a torch tensor on the torch backend, else array-like."""
    detach = getattr(value, "detach", None)
    return detach().cpu().numpy() if detach is not None else np.asarray(value)


def _from_legacy_h5(data: bytes, source: str, weights: bool) -> ModelSpec:
    from .keras_weights import _wrap_h5, open_h5, read_legacy

    with _wrap_h5(source):
        store = open_h5(data, source)
        with store:
            raw = store.attrs.get("model_config")
            if raw is None:
                raise ModelFileError(
                    f"{source}: an .h5 file without a model_config attribute (weights only?); "
                    "rnnlens needs a whole model saved with model.save('x.h5')"
                )
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            model = _build(_json(text.encode("utf-8"), f"{source}: model_config"), source)
            if weights:
                _assign(model, read_legacy(model, store, source), source)
    return model


def _json(data: bytes, where: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ModelFileError(f"{where} is not valid JSON") from None


def _build(keras_config: Any, source: str) -> ModelSpec:
    return _model_from_config(keras_to_rnnlens(keras_config, source), source)


def _assign(model: ModelSpec, per_layer: list[list[np.ndarray]], source: str) -> None:
    for layer, arrays in zip(model.layers, per_layer):
        if arrays:
            layer.set_weights(arrays)


def to_keras(model: ModelSpec, path: str | os.PathLike[str]) -> Path:
    """Write ``model`` as a Keras 3 ``.keras`` archive (atomically); returns the path.

    Raises:
        ModelFileError: the folder does not exist or cannot be written.
    """
    from .keras_weights import write_keras3

    config = rnnlens_to_keras(model.get_config())
    metadata = {"keras_version": _KERAS_VERSION, "date_saved": "rnnlens"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("metadata.json", json.dumps(metadata))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", write_keras3(model))
    return write_atomic(path, buffer.getvalue())
