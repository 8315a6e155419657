"""The one writer of every file rnnlens makes: a reader sees the old file or the new one.

The bytes go to a temporary file in the destination's folder (same filesystem, so the final
``os.replace`` is a rename), are flushed and ``fsync``-ed, then renamed over the destination;
the folder is ``fsync``-ed too so the rename itself survives a power cut. Around that:

* **permissions** are those a plain ``open()`` would give (``0666`` less the umask), or the
  replaced file's own; ``mkstemp``'s private ``0600`` never reaches the result.
* **stale temporaries**: a process killed mid-write leaves
  ``.<name>.<pid>-<random>.rnnlens.tmp``; the next write to the same destination removes
  those whose writer (the pid) is gone, and any older than :data:`STALE_SECONDS` (a pid on
  another host, or reused). Only files of exactly that pattern are touched.
* **failures** (a full disk, a read-only folder, ``ulimit -f``, a destination that is a
  folder) remove the temporary and raise :class:`~rnnlens.errors.ModelFileError` saying what
  to do; the destination keeps its old content. ``errno`` is kept on the error.

Every writer in rnnlens (``save``, checkpoints, ``to_keras``, ``to_onnx``, SVG diagrams,
``History.plot``, ``CSVLogger``, reports, benchmark results) calls :func:`write_atomic`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
import time
from pathlib import Path

from ..errors import ModelFileError

_SUFFIX = ".rnnlens.tmp"
#: A temporary this old belongs to a writer that died (a real write takes seconds).
STALE_SECONDS = 3600.0

_ADVICE = {
    errno.ENOSPC: "the disk is full; free some space or choose another folder",
    errno.EDQUOT: "the disk quota is used up; free some space or choose another folder",
    errno.EFBIG: "the file is larger than this process may write (ulimit -f); raise the limit",
    errno.EROFS: "the folder is on a read-only file system; choose another folder",
    errno.EACCES: "permission denied; choose a folder you may write to",
    errno.EPERM: "permission denied; choose a folder you may write to",
}


def write_atomic(
    path: str | os.PathLike[str], data: bytes | str, *, make_parents: bool = False
) -> Path:
    """Write ``data`` (text is UTF-8) to ``path`` atomically and return the path.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_atomic(folder / "a.bin", b"hello").read_bytes()
    b'hello'
    >>> write_atomic(folder, b"x")
    Traceback (most recent call last):
    ...
    rnnlens.errors.ModelFileError: cannot write ...: it is a folder; give a file name inside it

    Args:
        path: the destination file.
        data: its whole content.
        make_parents: create missing folders first.

    Raises:
        ModelFileError: the folder is missing or not writable, the disk is full, or the
            destination is a folder; nothing is left half-written.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if target.is_dir():
        raise ModelFileError(f"cannot write {target}: it is a folder; give a file name inside it")
    if make_parents:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _failure(target, error) from None
    if not folder.is_dir():
        raise ModelFileError(f"cannot write {target}: folder {folder} does not exist")
    remove_stale_temporaries(target)
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}-", suffix=_SUFFIX, dir=folder
        )
    except OSError as error:
        raise _failure(target, error) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            os.chmod(temporary, _mode_for(target))
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise _failure(target, error) from None
        raise
    _fsync_folder(folder)
    return target


def _failure(target: Path, error: OSError) -> ModelFileError:
    advice = _ADVICE.get(error.errno or -1, error.strerror or str(error))
    failure = ModelFileError(f"cannot write {target}: {advice} (nothing was written)")
    failure.errno = error.errno
    return failure


def remove_stale_temporaries(target: str | os.PathLike[str], *, age: float = STALE_SECONDS) -> int:
    """Delete :func:`write_atomic`'s temporaries for ``target`` left by dead writers.

    One is stale when the process named in it no longer exists, or it is older than ``age``
    seconds.

    >>> import tempfile, pathlib, os
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> old = folder / ".m.rnnlens.1-abc123_x.rnnlens.tmp"
    >>> _ = old.write_bytes(b"half")
    >>> os.utime(old, (0, 0))
    >>> mine = folder / f".m.rnnlens.{os.getpid()}-abc123_x.rnnlens.tmp"
    >>> _ = mine.write_bytes(b"being written")
    >>> remove_stale_temporaries(folder / "m.rnnlens"), old.exists(), mine.exists()
    (1, False, True)

    Returns:
        How many were removed.
    """
    target = Path(target)
    pattern = re.compile(
        re.escape(f".{target.name}.") + r"(\d{1,10})-[A-Za-z0-9_]{6,16}" + re.escape(_SUFFIX)
    )
    removed = 0
    now = time.time()
    try:
        entries = list(os.scandir(target.parent if str(target.parent) else "."))
    except OSError:
        return 0
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        with contextlib.suppress(OSError):
            old = now - entry.stat(follow_symlinks=False).st_mtime > age
            if entry.is_file(follow_symlinks=False) and (old or not _alive(int(match[1]))):
                os.unlink(entry.path)
                removed += 1
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # exists but is someone else's (or cannot tell): keep the file
    return True


def refuse_overwriting_input(
    output: str | os.PathLike[str], *inputs: str | os.PathLike[str]
) -> None:
    """Refuse when ``output`` is one of ``inputs`` (same file, by path or hard/soft link).

    >>> refuse_overwriting_input("a.svg", "m.keras")
    >>> refuse_overwriting_input("m.keras", "./m.keras")
    Traceback (most recent call last):
    ...
    rnnlens.errors.ModelFileError: refused: the output m.keras is the input ./m.keras; writing it would destroy the input: choose another output name

    Raises:
        ModelFileError: the output would replace an input.
    """
    out = Path(output)
    for source in inputs:
        same = False
        try:
            same = out.exists() and Path(source).exists() and out.samefile(source)
        except OSError:
            same = False
        if same or os.path.abspath(out) == os.path.abspath(source):
            raise ModelFileError(
                f"refused: the output {out} is the input {source}; writing it would destroy the "
                "input: choose another output name"
            )


def _mode_for(target: Path) -> int:
    """The existing file's permissions, else the default a new file gets under the umask."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0o022)  # reading the umask means setting it; put it straight back
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    # Makes the rename durable on POSIX; Windows cannot open folders, and does not need it.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
