"""Reading members of an untrusted zip archive (a ``.keras`` file) without surprises.

Refused before anything is decompressed: entry names that could escape a folder (``..``,
absolute paths, drive letters, backslashes, NUL), duplicate names, encrypted entries, more
entries than any model file has, and entries whose declared size or compression ratio is
absurd (a "zip bomb"). Decompression then streams with a running total checked against both
the size limit and the ratio, so an archive that lies about its sizes cannot make us
allocate more than the limit either.
"""

from __future__ import annotations

import io
import lzma
import zipfile
import zlib
from pathlib import PurePosixPath
from typing import BinaryIO

from ..errors import ModelFileError

MAX_ENTRIES = 1000
# A deflated model file compresses maybe 2-10x; 200x only happens with crafted or empty data.
MAX_RATIO = 200
# Below this size a high ratio is harmless (tiny JSON files compress well).
_RATIO_FREE_BYTES = 1 << 20
_CHUNK = 1 << 20


def odd_name(name: str) -> bool:
    """Whether a zip entry name could point outside the archive's folder.

    >>> [odd_name(n) for n in ("config.json", "../x", "/etc/passwd", "a\\\\b", "C:x")]
    [False, True, True, True, True]
    """
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return True
    if len(name) >= 2 and name[1] == ":":
        return True
    return ".." in PurePosixPath(name).parts


def read_members(
    data: bytes | BinaryIO, wanted: dict[str, int], *, source: str
) -> dict[str, bytes]:
    """The members named in ``wanted`` (name -> size limit in bytes) that the archive holds.

    ``data`` is the archive's bytes or a seekable binary file; other members are never
    decompressed.

    Raises:
        ModelFileError: not a zip file, odd or duplicate entry names, encrypted or oversized
            entries, or corrupted data (CRC mismatch, truncated stream).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ModelFileError(f"{source}: not a zip archive (or a truncated one)") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise ModelFileError(f"{source}: {len(entries)} zip entries, more than {MAX_ENTRIES}")
        names = [entry.filename for entry in entries]
        odd = sorted({n for n in names if odd_name(n)})
        if odd:
            raise ModelFileError(
                f"{source}: refused: zip entries with paths outside the archive: {odd[:5]}"
            )
        if len(set(names)) != len(names):
            raise ModelFileError(f"{source}: refused: the zip archive repeats entry names")
        found: dict[str, bytes] = {}
        for entry in entries:
            if entry.filename in wanted:
                found[entry.filename] = _read_entry(archive, entry, wanted[entry.filename], source)
        return found


def _read_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limit: int, source: str) -> bytes:
    where = f"{source}: zip entry {entry.filename!r}"
    if entry.flag_bits & 0x1:
        raise ModelFileError(f"{where} is encrypted")
    if entry.file_size > limit:
        raise ModelFileError(f"{where} declares {entry.file_size:,} bytes, more than {limit:,}")
    if entry.file_size > _RATIO_FREE_BYTES and entry.file_size > MAX_RATIO * max(
        entry.compress_size, 1
    ):
        raise ModelFileError(
            f"{where} expands {entry.file_size / max(entry.compress_size, 1):,.0f}x "
            f"(limit {MAX_RATIO}x): refused as a probable zip bomb"
        )
    parts: list[bytes] = []
    total = 0
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > limit:
                    raise ModelFileError(f"{where} holds more than {limit:,} bytes")
                # The declared sizes may lie: the ratio is checked on what really came out.
                if total > _RATIO_FREE_BYTES and total > MAX_RATIO * max(entry.compress_size, 1):
                    raise ModelFileError(
                        f"{where} expands more than {MAX_RATIO}x while it is read: refused as "
                        "a probable zip bomb"
                    )
                parts.append(chunk)
    except ModelFileError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        lzma.LZMAError,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
    ) as e:
        raise ModelFileError(f"{where} is corrupted ({type(e).__name__}: {e})") from None
    return b"".join(parts)
