"""One budget for untrusted input: which files are read, how much of them, and how values show.

Every reader of a file a user hands over (``.rnnlens``, ``.keras``, ``.h5``, ``.py``, train
configs, ``.npz``/``.csv`` data) opens it through :func:`read_capped`:

* only **regular files** are read. A FIFO would block forever, ``/dev/zero`` (or a symlink to
  it) never ends, a folder named ``x.py`` is no file; all are refused before a byte is read.
  The file is opened with ``O_NONBLOCK`` so that opening a FIFO cannot block either.
* the **size is checked before reading**, from ``fstat`` on the opened descriptor (no race
  with a rename), and the read itself stops one byte past the cap, so a file that grows while
  it is read cannot get past it.

:func:`~rnnlens.show.preview` (re-exported here) is the one way error messages show a value
from a file or snippet; :data:`~rnnlens.limits.MAX_LAYERS` and
:data:`~rnnlens.limits.MAX_CONFIG_BYTES` cap configs in ``from_config`` itself.

The caps are module constants; ``RNNLENS_MAX_FILE_BYTES`` in the environment overrides
:data:`MAX_MODEL_FILE_BYTES` for people who really have larger models.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from ..errors import ModelFileError, RnnlensError
from ..limits import MAX_CONFIG_BYTES, MAX_LAYERS
from ..show import preview

__all__ = ["MAX_CONFIG_BYTES", "MAX_LAYERS", "preview", "read_capped", "read_text_capped"]

#: A whole model file with its weights (the largest LSTM stacks people explain are far below).
MAX_MODEL_FILE_BYTES = 4 << 30
#: A train config (TOML/JSON) or a ``.py`` model snippet.
MAX_TEXT_BYTES = 4 << 20
#: A data file named in a train config.
MAX_DATA_BYTES = 2 << 30
_CHUNK = 1 << 20


def model_file_cap() -> int:
    """:data:`MAX_MODEL_FILE_BYTES`, or ``RNNLENS_MAX_FILE_BYTES`` when that is a number."""
    override = os.environ.get("RNNLENS_MAX_FILE_BYTES", "")
    return int(override) if override.isascii() and override.isdigit() else MAX_MODEL_FILE_BYTES


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def open_regular(
    path: str | os.PathLike[str], what: str, error: type[RnnlensError] = ModelFileError
) -> tuple[int, int]:
    """Open ``path`` for reading if it is a regular file; returns ``(descriptor, size)``.

    >>> import tempfile
    >>> open_regular(tempfile.gettempdir(), "a model")
    Traceback (most recent call last):
    ...
    rnnlens.errors.ModelFileError: ...: is a folder, expected a model file

    Raises:
        ModelFileError (or ``error``): missing, unreadable, or not a regular file.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, expected {what} file") from None
    except OSError as failure:
        raise error(f"{path}: cannot open: {failure.strerror or failure}") from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        kind = _kind(info.st_mode)
        if kind == "a folder":
            raise error(f"{path}: is a folder, expected {what} file")
        raise error(f"{path}: is {kind}, expected {what} file; rnnlens reads regular files only")
    return descriptor, info.st_size


def read_capped(
    path: str | os.PathLike[str],
    what: str,
    limit: int,
    error: type[RnnlensError] = ModelFileError,
    *,
    start: int = 0,
    length: int | None = None,
) -> bytes:
    """The bytes of the regular file ``path`` (or ``length`` of them from ``start``), at most
    ``limit``.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_bytes(b"hello")
    >>> read_capped(p, "a text", 10), read_capped(p, "a text", 10, start=1, length=2)
    (b'hello', b'el')
    >>> read_capped(p, "a text", 3)
    Traceback (most recent call last):
    ...
    rnnlens.errors.ModelFileError: ...: 5 bytes, more than the 3 bytes rnnlens reads from a text file

    Raises:
        ModelFileError (or ``error``): not a regular file, larger than ``limit``, unreadable.
    """
    descriptor, size = open_regular(path, what, error)
    try:
        wanted = max(size - start, 0) if length is None else length
        if wanted > limit:
            raise error(
                f"{path}: {wanted:,} bytes, more than the {limit:,} bytes rnnlens reads from "
                f"{what} file"
                + (
                    " (set RNNLENS_MAX_FILE_BYTES to allow more)"
                    if limit == model_file_cap()
                    else ""
                )
            )
        if start:
            os.lseek(descriptor, start, os.SEEK_SET)
        parts: list[bytes] = []
        total = 0
        # Read until EOF or one byte past ``wanted``: a file growing under us cannot pass.
        while total <= wanted:
            chunk = os.read(descriptor, min(_CHUNK, wanted + 1 - total))
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
        if total > wanted and length is None:
            raise error(
                f"{path}: the file grew while it was read; read it again when it is written"
            )
        return b"".join(parts)[:wanted]
    except OSError as failure:
        raise error(f"{path}: cannot read: {failure.strerror or failure}") from None
    finally:
        os.close(descriptor)


def open_capped(
    path: str | os.PathLike[str], what: str, limit: int, error: type[RnnlensError] = ModelFileError
) -> BinaryIO:
    """The regular file ``path`` opened for binary reading, after checking its size.

    For readers that seek (a zip's directory sits at its end) and read only parts.

    Raises:
        ModelFileError (or ``error``): not a regular file, or larger than ``limit``.
    """
    descriptor, size = open_regular(path, what, error)
    if size > limit:
        os.close(descriptor)
        raise error(
            f"{path}: {size:,} bytes, more than the {limit:,} bytes rnnlens reads from {what} file"
        )
    if hasattr(os, "set_blocking"):
        os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "rb")


def read_text_capped(
    path: str | os.PathLike[str], what: str, limit: int, error: type[RnnlensError]
) -> str:
    """:func:`read_capped`, decoded as UTF-8 (a leading byte-order mark is dropped).

    Raises:
        ``error``: as :func:`read_capped`, or the bytes are not UTF-8 (the offset is named).
    """
    data = read_capped(path, what, limit, error)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as failure:
        raise error(
            f"{path}: not UTF-8 text (byte {failure.start} is {data[failure.start : failure.start + 1]!r});"
            " save the file as UTF-8"
        ) from None


def check_layer_count(count: int, source: object) -> None:
    """Refuse a config with more than :data:`MAX_LAYERS` layers before building any.

    Raises:
        ModelFileError: too many layers.
    """
    if count > MAX_LAYERS:
        raise ModelFileError(
            f"{source}: the config lists {count:,} layers, more than the {MAX_LAYERS:,} rnnlens "
            "reads; a model file with that many layers is damaged or hostile"
        )
