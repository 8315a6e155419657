"""HDF5 from untrusted files, read in a child process bounded in time and memory.

HDF5 is a large C library; a damaged file can make it loop forever inside one C call (a
legacy ``.h5`` with one flipped bit did), where neither a Python timeout nor Ctrl-C reaches.
So rnnlens never opens an untrusted HDF5 file in the caller's process: :func:`run_h5_task`
starts ``python -m rnnlens.io.h5worker``, sends it the bytes on stdin, and reads the answer
(an ``.npz`` without pickle) from stdout. The child sets its own address-space limit before
touching the bytes, and the parent kills it when the wall-clock limit passes, when the
caller presses Ctrl-C, or on any other exit. Every way the child can fail ends as a
:class:`~rnnlens.errors.ModelFileError` naming the file.

Limits: :data:`TIMEOUT_S` seconds plus :data:`TIMEOUT_PER_GIB_S` per GiB of file
(``RNNLENS_H5_TIMEOUT`` overrides) and
:data:`BASE_MEMORY_BYTES` plus four times the file's size of address space
(``RNNLENS_H5_MEMORY`` overrides, in bytes).
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..errors import ModelFileError

TIMEOUT_S = 20.0
#: Extra seconds per GiB of file: big legitimate files take longer to copy out.
TIMEOUT_PER_GIB_S = 20.0
BASE_MEMORY_BYTES = 2 << 30
#: Exit status of the worker when it refused the file on purpose (message on stderr).
REFUSED = 3


def _limit(name: str, default: float) -> float:
    text = os.environ.get(name, "")
    try:
        value = float(text)
    except ValueError:
        return default
    return value if value > 0 else default


def run_h5_task(task: dict[str, Any], data: bytes, source: str) -> dict[str, Any]:
    """Run one worker ``task`` on the HDF5 ``data``; returns the arrays and texts it sent back.

    Args:
        task: ``{"task": "legacy" | "legacy-config" | "keras3", ...}`` (see
            :mod:`rnnlens.io.h5worker`).
        data: the HDF5 file's bytes.
        source: the file's name for messages.

    Returns:
        ``{"config": str | None, "weights": list[list[np.ndarray]] | None}``.

    Raises:
        ModelFileError: the file is damaged, refused, too slow or too large to read.
    """
    import numpy as np

    timeout = _limit("RNNLENS_H5_TIMEOUT", TIMEOUT_S + TIMEOUT_PER_GIB_S * len(data) / 2**30)
    memory = int(_limit("RNNLENS_H5_MEMORY", BASE_MEMORY_BYTES + 4 * len(data)))
    request = json.dumps({**task, "source": source, "memory": memory}).encode("utf-8")
    # The child imports this same rnnlens, installed or not.
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    child = subprocess.Popen(
        [sys.executable, "-m", "rnnlens.io.h5worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        out, err = child.communicate(struct.pack("<Q", len(request)) + request + data, timeout)
    except subprocess.TimeoutExpired:
        raise ModelFileError(
            f"{source}: reading its HDF5 data took longer than {timeout:g} s and was stopped: "
            "the file is damaged or hostile (set RNNLENS_H5_TIMEOUT=seconds to allow longer)"
        ) from None
    finally:
        # Ctrl-C, a timeout or any error: the child must not outlive the call.
        if child.poll() is None:
            child.kill()
            child.wait()
    message = err.decode("utf-8", "replace").strip()
    if child.returncode == REFUSED:
        raise ModelFileError(message.splitlines()[-1] if message else f"{source}: refused")
    if child.returncode != 0:
        why = {-9: "was killed", -11: "crashed (segmentation fault)", -6: "aborted"}.get(
            child.returncode, f"failed (exit status {child.returncode})"
        )
        last = message.splitlines()[-1][:300] if message else ""
        if "MemoryError" in message:
            why = f"needed more than {memory:,} bytes of memory"
        raise ModelFileError(
            f"{source}: reading its HDF5 data {why}: the file is damaged or hostile"
            + (f" ({last})" if last and "MemoryError" not in message else "")
        )
    return _answer(out, source, np)


def _answer(out: bytes, source: str, np: Any) -> dict[str, Any]:
    try:
        with np.load(io.BytesIO(out), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (ValueError, OSError, EOFError) as error:
        raise ModelFileError(f"{source}: the HDF5 reader sent back no answer ({error})") from None
    config = arrays.pop("config").tobytes().decode("utf-8") if "config" in arrays else None
    layers = arrays.pop("layers", None)
    weights: list[list[Any]] | None = None
    if layers is not None:
        weights = [
            [arrays[f"w{i}_{j}"] for j in range(int(count))] for i, count in enumerate(layers)
        ]
    return {"config": config, "weights": weights}
