"""The native ``.rnnlens`` format: one safetensors file whose header carries the model config.

Layout (one file, readable by any safetensors tool)::

    8 bytes      little-endian length N of the header
    N bytes      JSON header: {"__metadata__": {...}, "<layer>/<weight>": {dtype, shape, data_offsets}}
    the rest     raw little-endian tensor data

``__metadata__`` holds strings only: ``format`` = ``"rnnlens"``, ``format_version`` (an
integer as text, :data:`FORMAT_VERSION`), ``rnnlens_version`` and ``config`` (the JSON of
``Sequential.get_config()``). Tensors are named ``<layer name>/<Keras weight name>``, e.g.
``lstm_1/kernel`` or ``bidirectional/forward_lstm/recurrent_kernel``, in Keras's layout.

Nothing in the file is executed: the header is parsed with ``json``, layers are looked up in
rnnlens's own registry and tensors are copied out of the byte buffer. Every defect a file can
have — truncation, corruption, a newer version, a hand-edited config or a weight of the wrong
shape — raises :class:`~rnnlens.errors.ModelFileError` naming the file and what is wrong.
Writes are atomic (:func:`rnnlens.io.atomic.write_atomic`).

>>> import tempfile, pathlib, numpy as np, rnnlens as rl
>>> from rnnlens.layers import LSTM, Dense
>>> model = rl.Sequential([LSTM(4, input_shape=(3, 2)), Dense(1)])
>>> path = pathlib.Path(tempfile.mkdtemp()) / "m.rnnlens"
>>> model.save(path)
>>> again = rl.load(path)
>>> x = np.ones((1, 3, 2), dtype="float32")
>>> bool(np.allclose(again.predict(x), model.predict(x)))
True
"""

from __future__ import annotations

import json
import math
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelFileError, RnnlensError
from ..hooks import runtime
from .atomic import write_atomic

if TYPE_CHECKING:
    import numpy as np

    from ..graph import ModelSpec

FORMAT = "rnnlens"
#: Bumped whenever a reader of the previous version could misread a new file.
FORMAT_VERSION = 1
# safetensors's own limit on the JSON header; a larger one is corruption or an attack.
_MAX_HEADER_BYTES = 100 * 1024 * 1024
_DTYPES = {"F16": ("<f2", 2), "F32": ("<f4", 4), "F64": ("<f8", 8)}


@dataclass(frozen=True)
class NativeFile:
    """A parsed ``.rnnlens`` file: the model config and the raw tensors, not yet a model."""

    config: dict[str, Any]
    metadata: dict[str, str]
    tensors: dict[str, np.ndarray]


# ------------------------------------------------------------------------ save
def save_model(model: ModelSpec, path: str | os.PathLike[str]) -> Path:
    """Write ``model`` (config + weights) to ``path`` atomically; returns the path.

    Raises:
        ModelFileError: the folder does not exist or cannot be written.
    """
    import numpy as np
    from safetensors.numpy import save

    from ..version import __version__

    tensors: dict[str, np.ndarray] = {}
    for layer in model.weighted_layers():
        for spec, value in zip(layer.weight_specs(), layer.get_weights()):
            tensors[f"{layer.name}/{spec.name}"] = np.ascontiguousarray(value)
    metadata = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "rnnlens_version": __version__,
        "config": json.dumps(model.get_config(), sort_keys=True),
    }
    return write_atomic(path, save(tensors, metadata=metadata))


# ------------------------------------------------------------------------ load
def load_model(path: str | os.PathLike[str]) -> ModelSpec:
    """Rebuild the model saved at ``path``, weights included.

    Raises:
        ModelFileError: missing, truncated, corrupted, newer-version or inconsistent file.
    """
    parsed = read_native(path)
    model = _model_from_config(parsed.config, path)
    assign_weights(model, parsed.tensors, source=str(path))
    return model


def load_config(path: str | os.PathLike[str]) -> ModelSpec:
    """The model saved at ``path`` without its weights (no torch needed): for explaining it."""
    return _model_from_config(read_native(path, with_tensors=False).config, path)


def read_native(path: str | os.PathLike[str], *, with_tensors: bool = True) -> NativeFile:
    """Parse and validate a ``.rnnlens`` file without building the model."""
    data = read_bytes(path, "an rnnlens model")
    header, data_start = _parse_header(data, path)
    metadata = header.pop("__metadata__", None)
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ModelFileError(
            f"{path}: a safetensors file without rnnlens's metadata (no format='rnnlens'); "
            "save models with model.save(path), or load Keras files with rl.from_keras(path)"
        )
    version = metadata.get("format_version")
    if not isinstance(version, str) or not version.isdigit():
        raise ModelFileError(f"{path}: format_version must be an integer, file has {version!r}")
    if int(version) != FORMAT_VERSION:
        newer = int(version) > FORMAT_VERSION
        raise ModelFileError(
            f"{path}: file format version {version}, this rnnlens reads version {FORMAT_VERSION}"
            + (": upgrade rnnlens to read it" if newer else ": re-save it with a current rnnlens")
        )
    config = _parse_config(metadata.get("config"), path)
    tensors = _read_tensors(data, data_start, header, path) if with_tensors else {}
    return NativeFile(config, {str(k): str(v) for k, v in metadata.items()}, tensors)


def read_bytes(path: str | os.PathLike[str], what: str) -> bytes:
    """The whole file, with OS errors turned into :class:`ModelFileError`."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{path}: is a folder, expected {what} file") from None
    except OSError as error:
        raise ModelFileError(f"{path}: cannot read: {error.strerror or error}") from None


def _parse_header(data: bytes, path: object) -> tuple[dict[str, Any], int]:
    if len(data) < 8:
        raise ModelFileError(
            f"{path}: truncated or not a model file: {len(data)} bytes, shorter than the 8-byte "
            "header length every .rnnlens (safetensors) file starts with"
        )
    (length,) = struct.unpack("<Q", data[:8])
    if length > _MAX_HEADER_BYTES or 8 + length > len(data):
        raise ModelFileError(
            f"{path}: truncated or corrupted: the header claims {length:,} bytes, the file holds "
            f"{len(data) - 8:,} after the length field"
        )
    try:
        header = json.loads(data[8 : 8 + length].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ModelFileError(f"{path}: corrupted: the header is not valid JSON") from None
    if not isinstance(header, dict):
        raise ModelFileError(f"{path}: corrupted: the header is not a JSON object")
    return header, 8 + length


def _parse_config(text: object, path: object) -> dict[str, Any]:
    if not isinstance(text, str):
        raise ModelFileError(f"{path}: the metadata has no model config")
    try:
        config = json.loads(text)
    except (ValueError, RecursionError):
        raise ModelFileError(f"{path}: the model config is not valid JSON") from None
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise ModelFileError(f"{path}: the model config needs a list under 'layers'")
    return config


def _read_tensors(
    data: bytes, start: int, header: dict[str, Any], path: object
) -> dict[str, np.ndarray]:
    import numpy as np

    available = len(data) - start
    tensors: dict[str, np.ndarray] = {}
    for name, entry in header.items():
        if not isinstance(entry, dict):
            raise ModelFileError(f"{path}: tensor {name!r}: header entry is not an object")
        dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
        if not isinstance(dtype, str) or dtype not in _DTYPES:
            raise ModelFileError(
                f"{path}: tensor {name!r}: dtype {dtype!r} unsupported (F16, F32 or F64)"
            )
        if not (_int_list(shape) and _int_list(offsets)) or len(offsets) != 2:  # type: ignore[arg-type]
            raise ModelFileError(f"{path}: tensor {name!r}: shape or data_offsets malformed")
        assert isinstance(shape, list) and isinstance(offsets, list)
        begin, end = offsets
        numpy_dtype, itemsize = _DTYPES[dtype]
        if not 0 <= begin <= end <= available:
            raise ModelFileError(
                f"{path}: truncated or corrupted: tensor {name!r} lies at bytes {begin}..{end}, "
                f"the file holds {available} bytes of tensor data"
            )
        if end - begin != math.prod(shape) * itemsize:
            raise ModelFileError(
                f"{path}: corrupted: tensor {name!r} of shape {tuple(shape)} needs "
                f"{math.prod(shape) * itemsize} bytes, its offsets span {end - begin}"
            )
        array = np.frombuffer(data, dtype=numpy_dtype, count=math.prod(shape), offset=start + begin)
        tensors[name] = array.reshape(shape).astype(np.float32 if dtype == "F16" else array.dtype)
    return tensors


def _int_list(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value
    )


# ---------------------------------------------------------- config and weights
def _model_from_config(config: dict[str, Any], path: object) -> ModelSpec:
    try:
        # A functional model's config names its ends (Keras's format); a Sequential's does not.
        kind = (
            "functional" if isinstance(config, dict) and "input_layers" in config else "sequential"
        )
        return runtime().model_class(kind).from_config(config)
    except RnnlensError as error:
        raise ModelFileError(f"{path}: the model config is not usable: {error}") from None
    except (TypeError, KeyError, ValueError, AttributeError, IndexError, RecursionError) as error:
        # A hand-edited config can put any JSON value anywhere; the layer constructors check
        # what a person types, not every shape of JSON, so report it as a file defect.
        raise ModelFileError(
            f"{path}: the model config is malformed ({type(error).__name__}: {error})"
        ) from None


def assign_weights(model: ModelSpec, tensors: dict[str, np.ndarray], *, source: str) -> None:
    """Check ``tensors`` (named ``layer/weight``) against the model's specs, then load them."""
    expected: list[tuple[str, str, tuple[int, ...]]] = [
        (layer.name, spec.name, spec.shape)
        for layer in model.layers
        for spec in layer.weight_specs()
    ]
    for layer_name, weight, shape in expected:
        key = f"{layer_name}/{weight}"
        if key not in tensors:
            raise ModelFileError(
                f"{source}: weights for layer '{layer_name}' {weight}: missing from the file"
            )
        if tuple(tensors[key].shape) != shape:
            raise ModelFileError(
                f"{source}: weights for layer '{layer_name}' {weight}: expected {shape}, "
                f"file has {tuple(tensors[key].shape)}"
            )
    known = {f"{layer}/{weight}" for layer, weight, _ in expected}
    extra = sorted(set(tensors) - known)
    if extra:
        raise ModelFileError(
            f"{source}: the file holds weights no layer of the config owns: {', '.join(extra[:5])}"
            + (" ..." if len(extra) > 5 else "")
        )
    for layer in model.layers:
        names = [f"{layer.name}/{spec.name}" for spec in layer.weight_specs()]
        if names:
            layer.set_weights([tensors[n] for n in names])
