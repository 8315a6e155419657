"""Render files in Debian's headless Chromium from the command line, and read the PNG back.

``require_browser()`` skips a test with the reason when Chromium is missing, except where the
environment sets RNNLENS_REQUIRE_BROWSER=1 (CI): there a missing browser fails the test.
``read_png`` decodes the 8-bit, non-interlaced PNGs Chromium writes, so pixel checks need no
imaging library.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path
from typing import NoReturn

import numpy as np
import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium() -> str | None:
    """Path of the Chromium executable, or None."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require_browser() -> str:
    """The Chromium path; skip (or, with RNNLENS_REQUIRE_BROWSER=1, fail) when it is missing."""
    path = chromium()
    if path is None:
        unavailable("Chromium is not installed (apt-get install chromium, or make unit)")
    return path


def unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it in CI (RNNLENS_REQUIRE_BROWSER=1), where a browser must exist."""
    if os.environ.get("RNNLENS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"RNNLENS_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def screenshot(file_path: Path, png_path: Path, width: int, height: int) -> Path:
    """Render ``file_path`` (opened as file://) into ``png_path`` at ``width`` × ``height``."""
    browser = require_browser()
    with tempfile.TemporaryDirectory(prefix="rnnlens-chromium-") as profile:
        command = [
            browser,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--screenshot={Path(png_path).resolve()}",
            Path(file_path).resolve().as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0 or not Path(png_path).exists():
        raise AssertionError(f"chromium failed ({result.returncode}): {result.stderr[-2000:]}")
    return Path(png_path)


def read_png(path: Path) -> np.ndarray:
    """Pixels of an 8-bit RGB/RGBA/grey PNG as an array (height, width, channels)."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    position, chunks, header = 8, [], b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and interlace == 0, "only 8-bit non-interlaced PNGs are read"
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows = np.zeros((height, stride), dtype=np.int32)
    previous = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], np.frombuffer(raw, np.uint8, stride, start + 1).astype(np.int32)
        rows[y] = _unfilter(kind, line, previous, channels)
        previous = rows[y]
    return rows.reshape(height, width, channels).astype(np.uint8)


def _unfilter(kind: int, line: np.ndarray, above: np.ndarray, bpp: int) -> np.ndarray:
    if kind == 0:
        return line
    if kind == 2:
        return (line + above) & 0xFF
    out = line.copy()
    for i in range(len(out)):  # Sub, Average and Paeth depend on the pixel to the left
        left = out[i - bpp] if i >= bpp else 0
        up, corner = above[i], above[i - bpp] if i >= bpp else 0
        if kind == 1:
            predictor = left
        elif kind == 3:
            predictor = (left + up) // 2
        else:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
        out[i] = (out[i] + predictor) & 0xFF
    return out
