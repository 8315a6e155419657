"""One process at a time per folder: the lock a checkpoint directory is written under.

Two runs resuming one ``checkpoint_dir`` would delete each other's temporaries and
interleave checkpoints. :func:`lock_folder` takes an exclusive ``flock`` on
``<folder>/.rnnlens.lock`` (holding the owner's pid, for the message) without waiting: the
second process gets a :class:`~rnnlens.errors.ConfigError` at once. The kernel drops the lock
when its process dies, even by SIGKILL, so a crashed run never leaves the folder locked. In
one process the lock is shared: a second ``fit`` after a failed one takes it over.

>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> lock = lock_folder(folder, "checkpoint_dir")
>>> lock.release()
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from ..errors import ConfigError

LOCK_NAME = ".rnnlens.lock"
_HELD: dict[str, FolderLock] = {}


class FolderLock:
    """An exclusive lock on a folder, held until :meth:`release` or the process ends."""

    def __init__(self, key: str, descriptor: int) -> None:
        self.key, self.descriptor = key, descriptor

    def release(self) -> None:
        """Drop the lock (idempotent)."""
        if _HELD.get(self.key) is self:
            del _HELD[self.key]
        if self.descriptor >= 0:
            with contextlib.suppress(OSError):
                os.close(self.descriptor)
            self.descriptor = -1


def lock_folder(folder: str | os.PathLike[str], what: str) -> FolderLock:
    """Create ``folder`` if needed and lock it for this process.

    Raises:
        ConfigError: another process holds the lock (its pid is named), or the folder cannot
            be created or written.
    """
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"{what} {path}: cannot create it ({error.strerror or error})") from None
    key = os.path.realpath(path)
    held = _HELD.get(key)
    if held is not None and held.descriptor >= 0:
        return held
    try:
        descriptor = os.open(path / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise ConfigError(
            f"{what} {path}: cannot write its lock file ({error.strerror or error}); choose a "
            "folder you may write to"
        ) from None
    try:
        import fcntl
    except ImportError:  # Windows: no flock; runs there are not locked
        lock = FolderLock(key, descriptor)
        _HELD[key] = lock
        return lock
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        owner = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(descriptor)
        raise ConfigError(
            f"{what} {path} is in use by another running process (pid {owner}); wait for it "
            "to finish, or give this run its own folder"
        ) from None
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
    lock = FolderLock(key, descriptor)
    _HELD[key] = lock
    return lock
