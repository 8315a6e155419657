"""The Keras loader on random, truncated, bit-flipped and mutated .keras / .h5 files, and on
hostile zip archives (odd names, bombs)."""

from __future__ import annotations

import functools
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rnnlens as rl
from tests.fuzz.support import outcome
from tests.fuzz.test_fuzz_native import JSON, mutate

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.filterwarnings(
    "ignore:You are saving your model as an HDF5 file",
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning",
)


@functools.cache
def real(suffix: str) -> bytes:
    """A real Keras file (made by the keras package) covering the supported layer kinds."""
    import keras

    L = keras.layers
    keras.backend.clear_session()
    model = keras.Sequential(
        [
            keras.Input((4, 2)),
            L.LSTM(3, return_sequences=True),
            L.Bidirectional(L.GRU(2, return_sequences=True)),
            L.TimeDistributed(L.Dense(2)),
            L.SimpleRNN(2),
            L.Dense(1),
        ]
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"m{suffix}"
        model.save(path)
        return path.read_bytes()


def load_bytes(tmp_path: Path, data: bytes, suffix: str = ".keras") -> str:
    path = tmp_path / f"fuzzed{suffix}"
    path.write_bytes(data)
    return outcome(lambda: rl.from_keras(path))


def test_real_files_load() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for suffix in (".keras", ".h5"):
            assert load_bytes(Path(folder), real(suffix), suffix) == "model"


@given(
    prefix=st.sampled_from([b"", b"PK\x03\x04", b"\x89HDF\r\n\x1a\n"]),
    data=st.binary(max_size=2048),
)
def test_random_bytes(tmp_path: Path, prefix: bytes, data: bytes) -> None:
    assert load_bytes(tmp_path, prefix + data) != "model"


@given(suffix=st.sampled_from([".keras", ".h5"]), cut=st.integers(0, 10**7))
def test_truncated_real_files(tmp_path: Path, suffix: str, cut: int) -> None:
    data = real(suffix)
    assert load_bytes(tmp_path, data[: cut % len(data)], suffix) != "model"


@given(
    suffix=st.sampled_from([".keras", ".h5"]),
    flips=st.lists(st.tuples(st.integers(0, 10**7), st.integers(1, 255)), min_size=1, max_size=8),
)
def test_bit_flipped_real_files(tmp_path: Path, suffix: str, flips: list[tuple[int, int]]) -> None:
    data = bytearray(real(suffix))
    for position, mask in flips:
        data[position % len(data)] ^= mask
    load_bytes(tmp_path, bytes(data), suffix)


def archive(entries: list[tuple[str, bytes]], compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as out:
        for name, data in entries:
            out.writestr(name, data)
    return buffer.getvalue()


@given(choice=st.integers(0, 10**6), replacement=JSON, delete=st.booleans())
def test_mutated_config(tmp_path: Path, choice: int, replacement: object, delete: bool) -> None:
    with zipfile.ZipFile(io.BytesIO(real(".keras"))) as source:
        members = {name: source.read(name) for name in source.namelist()}
    config = json.loads(members["config.json"])
    mutate(config, choice, replacement, delete)
    members["config.json"] = json.dumps(config).encode()
    load_bytes(tmp_path, archive(list(members.items())))


NAMES = st.sampled_from(["config.json", "model.weights.h5", "metadata.json"]) | st.text(max_size=20)


@given(entries=st.lists(st.tuples(NAMES, st.binary(max_size=256)), max_size=5))
def test_random_archives_with_odd_names(tmp_path: Path, entries: list[tuple[str, bytes]]) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names while writing
        data = archive([(n.replace("\x00", ""), d) for n, d in entries if n.replace("\x00", "")])
    assert load_bytes(tmp_path, data) != "model"


@given(
    size=st.integers(1 << 20, 1 << 26), member=st.sampled_from(["config.json", "model.weights.h5"])
)
def test_zip_bombs(tmp_path: Path, size: int, member: str) -> None:
    bomb = (member, b"\x00" * size)
    entries = [bomb] if member == "config.json" else [("config.json", real_config()), bomb]
    data = archive(entries, zipfile.ZIP_DEFLATED)
    assert load_bytes(tmp_path, data) != "model"


def real_config() -> bytes:
    with zipfile.ZipFile(io.BytesIO(real(".keras"))) as source:
        return source.read("config.json")


def test_lambda_code_is_never_run(tmp_path: Path) -> None:
    """A Keras Lambda layer stores marshalled Python code; rnnlens refuses without reading it."""
    import base64
    import marshal

    witness = tmp_path / "executed"
    code = compile(f"open({str(witness)!r}, 'w').write('x')", "<lambda>", "exec")
    config = json.loads(real_config())
    config["config"]["layers"].insert(
        2,
        {
            "module": "keras.layers",
            "class_name": "Lambda",
            "config": {
                "name": "evil",
                "function": {
                    "class_name": "__lambda__",
                    "config": {"code": base64.b64encode(marshal.dumps(code)).decode()},
                },
            },
        },
    )
    data = archive([("config.json", json.dumps(config).encode())])
    assert load_bytes(tmp_path, data) == "ModelFileError"
    assert not witness.exists()
