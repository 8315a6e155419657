"""The child process of :mod:`rnnlens.io.h5child`: reads one HDF5 file from stdin.

Input: 8 bytes (little-endian length N), N bytes of JSON request, then the HDF5 bytes.
Requests: ``{"task": "legacy-config"}`` (the ``model_config`` attribute only),
``{"task": "legacy", "config": <rnnlens config>}`` (attribute and weights of a legacy
``.h5``) and ``{"task": "keras3", "config": <rnnlens config>}`` (a ``model.weights.h5``).
Output on stdout: an ``.npz`` (no pickle) with ``config`` (UTF-8 bytes), ``layers`` (arrays
per layer) and ``w<layer>_<j>``. A refusal prints its message on stderr and exits with
:data:`rnnlens.io.h5child.REFUSED`.
"""

from __future__ import annotations

import io
import json
import struct
import sys
from typing import Any


def _limit_memory(limit: int) -> None:
    try:
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # not POSIX: the wall-clock limit still holds
        pass


def _work(request: dict[str, Any], data: bytes) -> dict[str, Any]:
    import numpy as np

    from ..model import Sequential
    from .keras import _build, _json
    from .keras_weights import _wrap_h5, open_h5, read_keras3, read_legacy

    source = str(request.get("source", "<h5>"))
    task = request.get("task")
    answer: dict[str, Any] = {}
    if task == "keras3":
        model = Sequential.from_config(request["config"])
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


def main() -> int:
    from ..errors import RnnlensError
    from .h5child import REFUSED

    stream = sys.stdin.buffer
    (length,) = struct.unpack("<Q", stream.read(8))
    request = json.loads(stream.read(length).decode("utf-8"))
    _limit_memory(int(request.get("memory", 2 << 30)))
    data = stream.read()
    try:
        answer = _work(request, data)
    except RnnlensError as error:
        print(str(error).replace("\n", " "), file=sys.stderr)
        return REFUSED
    import numpy as np

    buffer = io.BytesIO()
    np.savez(buffer, **answer)
    sys.stdout.buffer.write(buffer.getvalue())
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
