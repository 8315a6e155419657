"""HDF5 from untrusted files, read in a child process bounded in time and memory.

HDF5 is a large C library; a damaged file can make it loop forever inside one C call (a
legacy ``.h5`` with one flipped bit did), where neither a Python timeout nor Ctrl-C reaches.
So rnnlens never opens an untrusted HDF5 file in the caller's process: :func:`run_h5_task`
hands the bytes to a worker (``python -m rnnlens.io.h5worker``) and waits for its answer (an
``.npz`` without pickle) at most :func:`timeout_s` seconds. The worker caps its own address
space before each file. The worker is started once and reused (its start costs about half a
second); it is killed, and started afresh next time, when a file takes too long, when the
caller presses Ctrl-C, or when it dies. Every way it can fail ends as a
:class:`~rnnlens.errors.ModelFileError` naming the file.

Limits: :data:`TIMEOUT_S` seconds plus :data:`TIMEOUT_PER_GIB_S` per GiB of file
(``RNNLENS_H5_TIMEOUT`` overrides) and :data:`BASE_MEMORY_BYTES` plus four times the file's
size of memory for the reading itself (``RNNLENS_H5_MEMORY`` overrides, in bytes).
"""

from __future__ import annotations

import atexit
import io
import json
import os
import select
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import ModelFileError

TIMEOUT_S = 20.0
#: Extra seconds per GiB of file: big legitimate files take longer to copy out.
TIMEOUT_PER_GIB_S = 20.0
BASE_MEMORY_BYTES = 1 << 30
#: Answer codes of the worker: the arrays, a refusal on purpose, a failure (it then exits).
OK, REFUSED, FAILED = 0, 3, 4

_worker: subprocess.Popen[bytes] | None = None


def _number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def timeout_s(size: int) -> float:
    """Seconds a file of ``size`` bytes may take."""
    return _number("RNNLENS_H5_TIMEOUT", TIMEOUT_S + TIMEOUT_PER_GIB_S * size / 2**30)


def _start() -> subprocess.Popen[bytes]:
    global _worker
    if _worker is None or _worker.poll() is not None:
        # The worker imports this same rnnlens, installed or not.
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        _worker = subprocess.Popen(
            [sys.executable, "-m", "rnnlens.io.h5worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    return _worker


def stop_worker() -> None:
    """Kill the worker (it is started again when needed)."""
    global _worker
    if _worker is not None:
        if _worker.poll() is None:
            _worker.kill()
        _worker.wait()
        for stream in (_worker.stdin, _worker.stdout):
            if stream is not None:
                stream.close()
        _worker = None


atexit.register(stop_worker)


def _read_exactly(fd: int, count: int, deadline: float) -> bytes:
    parts: list[bytes] = []
    while count:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError
        chunk = os.read(fd, min(count, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        count -= len(chunk)
    return b"".join(parts)


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
    limit = timeout_s(len(data))
    memory = int(_number("RNNLENS_H5_MEMORY", BASE_MEMORY_BYTES + 4 * len(data)))
    request = json.dumps({**task, "source": source, "memory": memory}).encode("utf-8")
    worker = _start()
    assert worker.stdin is not None and worker.stdout is not None
    done = False
    try:
        worker.stdin.write(struct.pack("<QQ", len(request), len(data)) + request + data)
        worker.stdin.flush()
        deadline = time.monotonic() + limit
        fd = worker.stdout.fileno()
        code, length = struct.unpack("<BQ", _read_exactly(fd, 9, deadline))
        payload = _read_exactly(fd, length, deadline)
        done = code in (OK, REFUSED)
    except TimeoutError:
        raise ModelFileError(
            f"{source}: reading its HDF5 data took longer than {limit:g} s and was stopped: "
            "the file is damaged or hostile (set RNNLENS_H5_TIMEOUT=seconds to allow longer)"
        ) from None
    except (EOFError, BrokenPipeError, OSError):
        worker.wait()
        raise ModelFileError(f"{source}: reading its HDF5 data {_death(worker, memory)}") from None
    finally:
        if not done:  # a timeout, Ctrl-C, a failure: this worker is not trusted again
            stop_worker()
    message = payload.decode("utf-8", "replace")
    if code == REFUSED:
        raise ModelFileError(message)
    if code != OK:
        raise ModelFileError(f"{source}: reading its HDF5 data failed: {message}")
    return _answer(payload, source)


def _death(worker: subprocess.Popen[bytes], memory: int) -> str:
    status = worker.returncode
    reasons = {-9: "was killed", -11: "crashed (segmentation fault)", -6: "aborted"}
    why = reasons.get(status, f"failed (exit status {status})") if status is not None else "failed"
    return f"{why}: the file is damaged or hostile (memory limit {memory:,} bytes)"


def _answer(out: bytes, source: str) -> dict[str, Any]:
    import numpy as np

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
