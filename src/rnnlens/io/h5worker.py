"""The child process of :mod:`rnnlens.io.h5child`: reads one HDF5 file from stdin.

Requests arrive on stdin, one after another: two little-endian 8-byte lengths N and M, N
bytes of JSON request, M bytes of HDF5 file.
Requests: ``{"task": "legacy-config"}`` (the ``model_config`` attribute only),
``{"task": "legacy", "config": <rnnlens config>}`` (attribute and weights of a legacy
``.h5``) and ``{"task": "keras3", "config": <rnnlens config>}`` (a ``model.weights.h5``).
Each answer on stdout: a 1-byte code (:data:`rnnlens.io.h5child.OK`, ``REFUSED`` or
``FAILED``), an 8-byte length and the payload: an ``.npz`` (no pickle) with ``config``
(UTF-8 bytes), ``layers`` (arrays per layer) and ``w<layer>_<j>``, or the error message.
"""

from __future__ import annotations

import io
import json
import struct
import sys
from typing import Any


def _limit_memory(budget: int) -> None:
    """Allow this process ``budget`` more bytes of address space than it uses now."""
    try:
        import resource

        used = 0
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    used = int(line.split()[1]) * 1024
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        soft = used + budget
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    except (ImportError, ValueError, OSError):  # not Linux: the time limit still holds
        pass


def _work(request: dict[str, Any], data: bytes) -> dict[str, Any]:
    import numpy as np

    from .keras import _build, _json
    from .keras_weights import _wrap_h5, open_h5, read_keras3, read_legacy

    source = str(request.get("source", "<h5>"))
    task = request.get("task")
    answer: dict[str, Any] = {}
    if task == "keras3":
        model = _build(request["keras_config"], source)
        per_layer = read_keras3(model, data, source)
    else:
        with _wrap_h5(source):
            store = open_h5(data, source)
            with store:
                raw = store.attrs.get("model_config")
                if raw is not None:
                    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
                    answer["config"] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
                if task == "legacy-config" or raw is None:
                    return answer
                model = _build(_json(text.encode("utf-8"), f"{source}: model_config"), source)
                per_layer = read_legacy(model, store, source)
    answer["layers"] = np.array([len(arrays) for arrays in per_layer], dtype=np.int64)
    for i, arrays in enumerate(per_layer):
        for j, array in enumerate(arrays):
            answer[f"w{i}_{j}"] = array
    return answer


def _send(code: int, payload: bytes) -> None:
    sys.stdout.buffer.write(struct.pack("<BQ", code, len(payload)) + payload)
    sys.stdout.buffer.flush()


def _read(stream: Any, count: int) -> bytes:
    data = stream.read(count)
    if len(data) != count:
        raise EOFError
    return data


def main() -> int:
    """Answer requests until stdin closes; exit after a failure that is not a refusal."""
    import numpy as np

    from ..errors import RnnlensError
    from .h5child import FAILED, OK, REFUSED

    stream = sys.stdin.buffer
    while True:
        try:
            length, size = struct.unpack("<QQ", _read(stream, 16))
            request = json.loads(_read(stream, length).decode("utf-8"))
            data = _read(stream, size)
        except EOFError:
            return 0
        _limit_memory(int(request.get("memory", 1 << 30)))
        try:
            answer = _work(request, data)
            buffer = io.BytesIO()
            np.savez(buffer, **answer)
        except RnnlensError as error:
            _send(REFUSED, str(error).encode("utf-8", "replace"))
            continue
        except MemoryError:
            _send(FAILED, b"it needed more memory than the limit: the file is damaged or hostile")
            return 1
        except Exception as error:  # h5py's own errors on damaged data
            text = f"damaged HDF5 data ({type(error).__name__}: {str(error)[:300]})"
            _send(FAILED, text.encode("utf-8", "replace"))
            return 1
        _send(OK, buffer.getvalue())


if __name__ == "__main__":
    sys.exit(main())
