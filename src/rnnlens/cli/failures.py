"""Every way a subcommand can fail, as one paragraph that says what happened and what to do.

The ``rnnlens`` command never shows a Python traceback for bad input (``--debug`` does):
errors rnnlens raises on purpose are already written for people, and the families Python
itself raises on hostile files or a full disk are mapped here to a sentence with a fix.
"""

from __future__ import annotations

import errno

from ..errors import RnnlensError
from ..show import preview

_OS_ADVICE = {
    errno.ENOSPC: "the disk is full: free some space or write somewhere else",
    errno.EDQUOT: "the disk quota is used up: free some space or write somewhere else",
    errno.EROFS: "the folder is on a read-only file system: write somewhere else",
    errno.EACCES: "permission denied: check the file's and the folder's permissions",
    errno.EPERM: "operation not permitted: check the file's and the folder's permissions",
    errno.ENOENT: "no such file or folder",
    errno.EISDIR: "is a folder, expected a file",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EFBIG: "the file would be larger than this process may write (ulimit -f)",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.EMFILE: "too many open files (ulimit -n)",
}


def describe(error: BaseException) -> str:
    """The one paragraph the CLI prints for ``error`` (its class decides the wording).

    >>> describe(OSError(28, "No space left on device", "out.svg"))
    "'out.svg': the disk is full: free some space or write somewhere else"
    >>> describe(RecursionError("maximum recursion depth exceeded"))
    'the input is nested too deeply to read (maximum recursion depth exceeded)'
    """
    if isinstance(error, RnnlensError):
        return str(error)
    if isinstance(error, OSError):
        advice = _OS_ADVICE.get(error.errno or -1, error.strerror or str(error) or "system error")
        names = [n for n in (error.filename, error.filename2) if n is not None]
        where = " -> ".join(preview(str(n), 200) for n in names)
        return f"{where}: {advice}" if where else advice
    if isinstance(error, MemoryError):
        return (
            "ran out of memory: the model or the data is larger than this process may use "
            "(check ulimit -v and the container's memory limit); use fewer units or less data"
        )
    if isinstance(error, RecursionError):
        return f"the input is nested too deeply to read ({error})"
    if isinstance(error, UnicodeError):
        return (
            f"text that is not valid Unicode ({type(error).__name__}: {preview(str(error), 200)});"
            " save files as UTF-8"
        )
    return (
        f"unexpected {type(error).__name__}: {preview(str(error), 300)}. This is a bug in "
        "rnnlens or an input it does not check yet: rerun with --debug for the traceback and "
        "report it"
    )
