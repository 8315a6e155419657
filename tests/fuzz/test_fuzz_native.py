"""The native loader on random, truncated, bit-flipped and hand-mutated files."""

from __future__ import annotations

import functools
import json
import struct
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import rnnlens as rl
from tests.fuzz.support import outcome
from tests.io_support import build

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@functools.cache
def _saved(name: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "real.rnnlens"
        build(name).save(path)
        return path.read_bytes()


def real_file(tmp_path: Path, name: str = "bi_concat") -> bytes:
    return _saved(name)


def load_bytes(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "fuzzed.rnnlens"
    path.write_bytes(data)
    return outcome(lambda: rl.load(path))


@given(data=st.binary(max_size=2048))
def test_random_bytes(tmp_path: Path, data: bytes) -> None:
    assert load_bytes(tmp_path, data) != "model"


@given(data=st.binary(max_size=512))
def test_random_bytes_behind_a_plausible_header_length(tmp_path: Path, data: bytes) -> None:
    assert load_bytes(tmp_path, struct.pack("<Q", len(data)) + data) != "model"


@given(cut=st.integers(0, 10**6))
def test_truncated_real_file(tmp_path: Path, cut: int) -> None:
    real = real_file(tmp_path)
    assert load_bytes(tmp_path, real[: cut % len(real)]) == "ModelFileError"


@given(
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), min_size=1, max_size=8)
)
def test_bit_flipped_real_file(tmp_path: Path, flips: list[tuple[int, int]]) -> None:
    data = bytearray(real_file(tmp_path))
    for position, mask in flips:
        data[position % len(data)] ^= mask
    load_bytes(tmp_path, bytes(data))  # flips in weight bytes still give a model


def paths(value: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            out += paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            out += paths(inner, (*prefix, index))
    return out


def mutate(config: dict, choice: int, replacement: object, delete: bool) -> None:
    """Replace (or delete) one value anywhere in ``config``, picked by ``choice``."""
    where = paths(config)[1:]
    *parent_path, key = where[choice % len(where)]
    parent = config
    for step in parent_path:
        parent = parent[step]
    if delete and isinstance(parent, dict):
        del parent[key]
    else:
        parent[key] = replacement


@given(choice=st.integers(0, 10**6), replacement=JSON, delete=st.booleans())
def test_mutated_config(tmp_path: Path, choice: int, replacement: object, delete: bool) -> None:
    real = real_file(tmp_path)
    (length,) = struct.unpack("<Q", real[:8])
    header = json.loads(real[8 : 8 + length])
    config = json.loads(header["__metadata__"]["config"])
    mutate(config, choice, replacement, delete)
    header["__metadata__"]["config"] = json.dumps(config)
    text = json.dumps(header).encode()
    load_bytes(tmp_path, struct.pack("<Q", len(text)) + text + real[8 + length :])


@given(entry=st.dictionaries(st.sampled_from(["dtype", "shape", "data_offsets"]), JSON))
def test_mutated_tensor_entries(tmp_path: Path, entry: dict) -> None:
    real = real_file(tmp_path, "lstm_story")
    (length,) = struct.unpack("<Q", real[:8])
    header = json.loads(real[8 : 8 + length])
    header["dense/bias"] = {**header["dense/bias"], **entry}
    text = json.dumps(header).encode()
    load_bytes(tmp_path, struct.pack("<Q", len(text)) + text + real[8 + length :])
