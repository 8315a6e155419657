"""Checks of a train config's values, and bounded readers for the data files it names.

Every field is checked for type and range before any work starts, so ``shuffle = "no"``
(a non-empty string, which ``bool()`` would call true), ``validation_split = "abc"`` or
``checkpoint_dir = 5`` fail with the key, the value and an example instead of deep inside
``fit``. Data files are read through :mod:`rnnlens.io.budget` (regular files, capped), and an
``.npz`` is checked against the sizes its ``.npy`` headers declare before an array is
allocated: a 3 MB file cannot ask for 3 GiB.
"""

from __future__ import annotations

import math
import zipfile
import zlib
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InputDataError
from ..io.budget import MAX_DATA_BYTES, open_capped, read_text_capped
from ..limits import memory_limit_bytes
from ..show import preview

_EXAMPLES = {
    "shuffle": "true or false",
    "validation_split": "a number in [0, 1), e.g. 0.2",
    "checkpoint_dir": 'a folder name, e.g. "runs/sunspots"',
    "output": 'a file name ending in .rnnlens, e.g. "model.rnnlens"',
    "loss": 'a loss name, e.g. "mse"',
    "metrics": 'a list of metric names, e.g. ["mae"]',
    "distributed": "true or false (or leave it out)",
    "timeout": "a positive number of seconds, e.g. 300",
    "time_steps": "a positive integer, e.g. 12",
    "horizon": "a positive integer, e.g. 1",
    "normalize": "true or false",
    "max_samples": "a positive integer",
    "path": 'a file name, e.g. "x_y.npz"',
    "name": 'a dataset name, e.g. "sunspots"',
}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)  # type: ignore[arg-type]


_RULES = {
    "shuffle": lambda v: isinstance(v, bool),
    "normalize": lambda v: isinstance(v, bool),
    "distributed": lambda v: isinstance(v, bool),
    "validation_split": lambda v: _is_number(v) and 0 <= v < 1,
    "checkpoint_dir": lambda v: isinstance(v, str) and bool(v) and "\x00" not in v,
    "output": lambda v: isinstance(v, str) and bool(v) and "\x00" not in v,
    "path": lambda v: isinstance(v, str) and bool(v) and "\x00" not in v,
    "name": lambda v: isinstance(v, str),
    "loss": lambda v: isinstance(v, str),
    "metrics": lambda v: isinstance(v, list) and all(isinstance(m, str) for m in v),
    "timeout": lambda v: _is_number(v) and v > 0,
    "time_steps": lambda v: _is_int(v) and 0 < v <= 1 << 24,
    "horizon": lambda v: _is_int(v) and 0 < v <= 1 << 24,
    "max_samples": lambda v: _is_int(v) and v > 0,
}


def check_fields(table: dict[str, Any], where: str) -> None:
    """Check every present key of ``table`` that has a rule; ``where`` prefixes messages.

    >>> check_fields({"shuffle": "no"}, "run.toml")
    Traceback (most recent call last):
    ...
    rnnlens.errors.ConfigError: run.toml: shuffle must be true or false, received 'no'

    Raises:
        ConfigError: a value of the wrong type or out of range.
    """
    for key, value in table.items():
        rule = _RULES.get(key)
        if rule is not None and not rule(value):
            raise ConfigError(f"{where}: {key} must be {_EXAMPLES[key]}, received {preview(value)}")


def read_config_text(path: Path) -> str:
    """The config file's text: a regular UTF-8 file of at most 4 MiB."""
    from ..io.budget import MAX_TEXT_BYTES

    return read_text_capped(path, "a train config", MAX_TEXT_BYTES, ConfigError)


def read_npz(file: Path) -> tuple[Any, Any]:
    """Arrays ``x`` and ``y`` of an ``.npz``, each checked against its header first.

    Raises:
        InputDataError: not a zip of ``.npy`` files, no ``x``/``y``, object or complex
            arrays, or arrays larger than the file holds or than memory allows.
    """
    import numpy as np

    budget = min(MAX_DATA_BYTES, memory_limit_bytes() // 2)
    with open_capped(file, "an .npz data", MAX_DATA_BYTES, InputDataError) as stream:
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            raise InputDataError(f"{file}: not an .npz file (a zip of .npy arrays)") from None
        with archive:
            names = {info.filename: info for info in archive.infolist()}
            missing = [k for k in ("x", "y") if f"{k}.npy" not in names]
            if missing:
                found = sorted(n.removesuffix(".npy") for n in names)[:10]
                raise InputDataError(
                    f"{file}: needs arrays named x and y, found {preview(found)}; save with "
                    "np.savez(path, x=x, y=y)"
                )
            arrays = []
            for key in ("x", "y"):
                info = names[f"{key}.npy"]
                if info.flag_bits & 0x1:
                    raise InputDataError(f"{file}: array {key} is encrypted")
                try:
                    with archive.open(info) as member:
                        arrays.append(_read_npy(member, info, file, key, budget, np))
                except InputDataError:
                    raise
                except (  # zipfile's and zlib's own errors on damaged data
                    zipfile.BadZipFile,
                    zlib.error,
                    OSError,
                    ValueError,
                    EOFError,
                    NotImplementedError,
                    OverflowError,
                    RuntimeError,
                ) as error:
                    raise InputDataError(
                        f"{file}: array {key} is damaged ({type(error).__name__}: "
                        f"{preview(str(error), 160)})"
                    ) from None
    return arrays[0], arrays[1]


def _read_npy(
    member: Any, info: zipfile.ZipInfo, file: Path, key: str, budget: int, np: Any
) -> Any:
    fmt = np.lib.format
    version = fmt.read_magic(member)
    reader = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
    shape, fortran, dtype = reader(member)
    if dtype.hasobject:
        raise InputDataError(
            f"{file}: array {key} holds Python objects, unreadable without pickle, which "
            "rnnlens never runs on a data file; save numbers: np.savez(path, x=x, y=y)"
        )
    if dtype.kind not in "biuf":
        raise InputDataError(
            f"{file}: array {key} has dtype {dtype}; rnnlens trains on real numbers only "
            "(no objects, no complex values)"
        )
    need = math.prod(shape) * dtype.itemsize
    if need > info.file_size:
        raise InputDataError(
            f"{file}: array {key} declares shape {preview(shape)} ({need:,} bytes) but its "
            f"entry holds {info.file_size:,}: the file is damaged or hostile"
        )
    if need > budget:
        raise InputDataError(
            f"{file}: array {key} needs {need:,} bytes, more than the {budget:,} this process may "
            "use for data; use fewer samples (data.max_samples) or a smaller file"
        )
    data = member.read(need)
    if len(data) != need:
        raise InputDataError(f"{file}: array {key} is truncated")
    order = "F" if fortran else "C"
    return np.frombuffer(data, dtype=dtype).reshape(shape, order=order)


def read_csv_text(file: Path) -> str:
    """A ``.csv`` series' text: a regular UTF-8 file within the data cap."""
    return read_text_capped(file, "a .csv data", MAX_DATA_BYTES, InputDataError)
