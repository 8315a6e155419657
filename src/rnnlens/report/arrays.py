"""The report's recorded arrays, stored compactly: 8-bit per value, one range per array.

Each array is quantised to bytes over its own [min, max]: ``q = round((v - min) / (max - min)
· 255)``, so a value read back is off by at most (max - min) / 510. Long sequences can be
pooled in time: every ``stride`` steps become one column holding their mean. All bytes go into
one zlib-compressed blob, base64-encoded into the page; the page inflates it with the
browser's own ``DecompressionStream``. An array that is the same memory as one stored before
(a layer's input is the previous layer's output) is stored once.
"""

from __future__ import annotations

import base64
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def pooled(array: np.ndarray, stride: int) -> np.ndarray:
    """Means over consecutive groups of ``stride`` rows (the last group may be shorter).

    >>> pooled(np.arange(10.0).reshape(5, 2), 2).tolist()
    [[1.0, 2.0], [5.0, 6.0], [8.0, 9.0]]
    """
    if stride <= 1 or array.ndim < 2:
        return array
    steps = array.shape[0]
    starts = np.arange(0, steps, stride)
    sums = np.add.reduceat(array, starts, axis=0)
    counts = np.minimum(stride, steps - starts).reshape(-1, *([1] * (array.ndim - 1)))
    return sums / counts


def quantised(array: np.ndarray) -> tuple[np.ndarray, float, float]:
    """``array`` as uint8 over its own range, and that range (min, max)."""
    values = np.nan_to_num(np.asarray(array, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if high == low:
        return np.zeros(values.shape, dtype=np.uint8), low, high
    scaled = np.rint((values - low) * (255.0 / (high - low)))
    return np.clip(scaled, 0, 255).astype(np.uint8), low, high


@dataclass
class ArrayStore:
    """Arrays added one by one, referred to by number, packed into one blob at the end."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    _chunks: list[bytes] = field(default_factory=list)
    _size: int = 0
    _seen: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def add(self, array: np.ndarray, stride: int = 1) -> int:
        """Store ``array`` ((time, width) pooled by ``stride``, or any shape) and return its number."""
        array = np.asarray(array)
        key = (array.__array_interface__["data"][0], array.shape, array.strides, stride)
        if key in self._seen:
            return self._seen[key]
        data, low, high = quantised(pooled(array, stride))
        self.entries.append(
            {
                "offset": self._size,
                "shape": list(data.shape),
                "lo": low,
                "hi": high,
                "stride": stride,
            }
        )
        raw = data.tobytes()
        self._chunks.append(raw)
        self._size += len(raw)
        self._seen[key] = len(self.entries) - 1
        return len(self.entries) - 1

    @property
    def raw_bytes(self) -> int:
        """Bytes of the quantised arrays before compression."""
        return self._size

    def blob(self) -> str:
        """Every array's bytes, zlib-compressed, as base64 text."""
        return base64.b64encode(zlib.compress(b"".join(self._chunks), 6)).decode("ascii")

    def array(self, ref: int) -> np.ndarray:
        """Array ``ref`` as the page reads it back (dequantised, pooled), for checks."""
        entry = self.entries[ref]
        raw = b"".join(self._chunks)
        count = int(np.prod(entry["shape"]))
        q = np.frombuffer(raw, np.uint8, count, entry["offset"]).reshape(entry["shape"])
        return entry["lo"] + q * ((entry["hi"] - entry["lo"]) / 255.0)
