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

import itertools
import json
import math
import os
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelFileError, RnnlensError
from ..hooks import runtime
from ..limits import MAX_CONFIG_BYTES, MAX_DIMENSION, MAX_RANK
from ..show import preview
from .atomic import write_atomic
from .budget import check_layer_count, model_file_cap, read_capped

if TYPE_CHECKING:
    import numpy as np

    from ..graph import ModelSpec

FORMAT = "rnnlens"
#: Bumped whenever a reader of the previous version could misread a new file.
FORMAT_VERSION = 1
# A real header is the config plus ~100 bytes per tensor: 16 MiB is far above any real model.
_MAX_HEADER_BYTES = 16 << 20
_MAX_TENSORS = 100_000
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
            key = f"{layer.name}/{spec.name}"
            if key in tensors:  # two weights under one key: the file would lose one of them
                raise ModelFileError(
                    f"cannot save to {path}: two weights would share the key {preview(key)}; "
                    "rename one of the layers (layer names may not contain '/')"
                )
            tensors[key] = np.ascontiguousarray(value)
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
    """Parse and validate a ``.rnnlens`` file without building the model.

    Only the 8-byte length and the header are read first (both capped); the tensor data is
    read only ``with_tensors``, and only when the file's size is within
    :func:`~rnnlens.io.budget.model_file_cap`.
    """
    prefix = read_capped(path, "an rnnlens model", 8, start=0, length=8)
    header, data_start = _parse_header(prefix, path)
    metadata = header.pop("__metadata__", None)
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ModelFileError(
            f"{path}: a safetensors file without rnnlens's metadata (no format='rnnlens'); "
            "save models with model.save(path), or load Keras files with rl.from_keras(path)"
        )
    _check_version(metadata.get("format_version"), path)
    config = _parse_config(metadata.get("config"), path)
    tensors: dict[str, np.ndarray] = {}
    if with_tensors:
        data = read_capped(path, "an rnnlens model", model_file_cap(), start=data_start)
        tensors = _read_tensors(data, header, path)
    return NativeFile(config, {str(k): str(v) for k, v in metadata.items()}, tensors)


def _check_version(version: object, path: object) -> None:
    # isdigit() accepts "¹" and other digits int() refuses; 5,000 digits would make int()
    # itself raise. Six ASCII digits are plenty for a format version.
    if (
        not (isinstance(version, str) and version.isascii() and version.isdigit())
        or len(version) > 6
    ):
        raise ModelFileError(
            f"{path}: format_version must be a small integer, file has {preview(version)}"
        )
    if int(version) != FORMAT_VERSION:
        newer = int(version) > FORMAT_VERSION
        raise ModelFileError(
            f"{path}: file format version {version}, this rnnlens reads version {FORMAT_VERSION}"
            + (": upgrade rnnlens to read it" if newer else ": re-save it with a current rnnlens")
        )


def read_bytes(path: str | os.PathLike[str], what: str) -> bytes:
    """The whole regular file, capped (:mod:`rnnlens.io.budget`); errors as ModelFileError."""
    return read_capped(path, what, model_file_cap())


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys; two tensors under one key lose one silently.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


class _DuplicateKey(ValueError):
    pass


def _parse_header(prefix: bytes, path: str | os.PathLike[str]) -> tuple[dict[str, Any], int]:
    if len(prefix) < 8:
        raise ModelFileError(
            f"{path}: truncated or not a model file: {len(prefix)} bytes, shorter than the "
            "8-byte header length every .rnnlens (safetensors) file starts with"
        )
    (length,) = struct.unpack("<Q", prefix[:8])
    if length > _MAX_HEADER_BYTES:
        raise ModelFileError(
            f"{path}: corrupted or hostile: the header claims {length:,} bytes, more than the "
            f"{_MAX_HEADER_BYTES:,} an rnnlens file needs"
        )
    raw = read_capped(path, "an rnnlens model", _MAX_HEADER_BYTES, start=8, length=length)
    if len(raw) < length:
        raise ModelFileError(
            f"{path}: truncated or corrupted: the header claims {length:,} bytes, the file holds "
            f"{len(raw):,} after the length field"
        )
    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=_unique_keys)
    except _DuplicateKey as error:
        raise ModelFileError(
            f"{path}: corrupted or hostile: the header names {preview(str(error))} twice"
        ) from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ModelFileError(f"{path}: corrupted: the header is not valid JSON") from None
    if not isinstance(header, dict):
        raise ModelFileError(f"{path}: corrupted: the header is not a JSON object")
    if len(header) > _MAX_TENSORS:
        raise ModelFileError(
            f"{path}: corrupted or hostile: {len(header):,} header entries, more than "
            f"{_MAX_TENSORS:,}"
        )
    return header, 8 + length


def _parse_config(text: object, path: object) -> dict[str, Any]:
    if not isinstance(text, str):
        raise ModelFileError(f"{path}: the metadata has no model config")
    if len(text) > MAX_CONFIG_BYTES:
        raise ModelFileError(
            f"{path}: the model config holds {len(text):,} characters, more than "
            f"{MAX_CONFIG_BYTES:,}"
        )
    try:
        config = json.loads(text)
    except (ValueError, RecursionError):
        raise ModelFileError(f"{path}: the model config is not valid JSON") from None
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise ModelFileError(f"{path}: the model config needs a list under 'layers'")
    check_layer_count(len(config["layers"]), path)
    return config


def _read_tensors(data: bytes, header: dict[str, Any], path: object) -> dict[str, np.ndarray]:
    import numpy as np

    available = len(data)
    spans: list[tuple[int, int, str]] = []
    tensors: dict[str, np.ndarray] = {}
    for name, entry in header.items():
        where = f"{path}: tensor {preview(name)}"
        if not isinstance(entry, dict):
            raise ModelFileError(f"{where}: header entry is not an object")
        dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
        if not isinstance(dtype, str) or dtype not in _DTYPES:
            raise ModelFileError(f"{where}: dtype {preview(dtype)} unsupported (F16, F32 or F64)")
        if not (_int_list(shape) and _int_list(offsets)) or len(offsets) != 2:  # type: ignore[arg-type]
            raise ModelFileError(f"{where}: shape or data_offsets malformed")
        assert isinstance(shape, list) and isinstance(offsets, list)
        if len(shape) > MAX_RANK or any(d > MAX_DIMENSION for d in shape):
            raise ModelFileError(
                f"{where}: shape {preview(shape)} is beyond what rnnlens reads ({MAX_RANK} "
                f"dimensions of at most {MAX_DIMENSION:,})"
            )
        begin, end = offsets
        numpy_dtype, itemsize = _DTYPES[dtype]
        if not 0 <= begin <= end <= available:
            raise ModelFileError(
                f"{path}: truncated or corrupted: tensor {preview(name)} lies at bytes "
                f"{preview(begin)}..{preview(end)}, the file holds {available} bytes of tensor data"
            )
        count = math.prod(shape)  # exact: the offsets bound it once it matches them
        if end - begin != count * itemsize:
            raise ModelFileError(
                f"{path}: corrupted: tensor {preview(name)} of shape {preview(tuple(shape))} "
                f"needs {preview(count * itemsize)} bytes, its offsets span {end - begin}"
            )
        spans.append((begin, end, name))
        array = np.frombuffer(data, dtype=numpy_dtype, count=count, offset=begin)
        tensors[name] = array.reshape(shape).astype(np.float32 if dtype == "F16" else array.dtype)
    _check_disjoint(spans, path)
    _warn_non_finite(tensors, path)
    return tensors


def _check_disjoint(spans: list[tuple[int, int, str]], path: object) -> None:
    # Two tensors sharing bytes is not a file any writer makes (safetensors refuses it too).
    spans.sort()
    for (_, end, first), (begin, _, second) in itertools.pairwise(spans):
        if begin < end:
            raise ModelFileError(
                f"{path}: corrupted or hostile: tensors {preview(first)} and {preview(second)} "
                "overlap in the file"
            )


def _warn_non_finite(tensors: dict[str, np.ndarray], path: object) -> None:
    import numpy as np

    bad = [name for name, array in tensors.items() if array.size and not np.isfinite(array).all()]
    if bad:
        warnings.warn(
            NonFiniteWeightsWarning(
                f"{path}: weights {', '.join(preview(n, 60) for n in bad[:5])} hold NaN or "
                "infinite values: predictions will be NaN; retrain, or load an earlier checkpoint"
            ),
            stacklevel=4,
        )


class NonFiniteWeightsWarning(UserWarning):
    """A loaded model file holds NaN or infinite weights (loaded anyway, as Keras does)."""


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
    except (
        TypeError,
        KeyError,
        ValueError,
        AttributeError,
        IndexError,
        RecursionError,
        OverflowError,
    ) as error:
        # A hand-edited config can put any JSON value anywhere; the layer constructors check
        # what a person types, not every shape of JSON, so report it as a file defect.
        raise ModelFileError(
            f"{path}: the model config is malformed ({type(error).__name__}: "
            f"{preview(str(error), 200)})"
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
