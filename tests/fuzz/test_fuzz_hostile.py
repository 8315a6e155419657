"""Generated hostile input for the readers issue 17 hardened: config-only loading of every
saved format, train configs, ``.npz`` data, huge values in layer arguments, names with
control characters, and the bounded preview. ``make fuzz`` runs them at 2000 examples."""

from __future__ import annotations

import functools
import io
import json
import re
import struct
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rnnlens as rl
from rnnlens import RnnlensError
from rnnlens.io.config_only import load_spec
from rnnlens.show import preview, safe_text
from tests.fuzz.support import HANG_SECONDS, SEEN, outcome
from tests.fuzz.test_fuzz_native import JSON, mutate, real_file

pytestmark = pytest.mark.filterwarnings(
    "ignore:You are saving your model as an HDF5 file",
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning",
)
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\ud800-\udfff]")


def _spec_of(tmp_path: Path, data: bytes, suffix: str) -> str:
    path = tmp_path / f"fuzzed{suffix}"
    path.write_bytes(data)
    return outcome(lambda: load_spec(path))


# ------------------------------------------------------------ config-only loader
@given(
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), min_size=1, max_size=8)
)
def test_config_only_on_bit_flipped_native(tmp_path: Path, flips: list[tuple[int, int]]) -> None:
    data = bytearray(real_file(tmp_path))
    for position, mask in flips:
        data[position % len(data)] ^= mask
    _spec_of(tmp_path, bytes(data), ".rnnlens")


@given(choice=st.integers(0, 10**6), replacement=JSON, delete=st.booleans())
def test_config_only_on_mutated_native_config(tmp_path, choice, replacement, delete) -> None:  # type: ignore[no-untyped-def]
    real = real_file(tmp_path)
    (length,) = struct.unpack("<Q", real[:8])
    header = json.loads(real[8 : 8 + length])
    config = json.loads(header["__metadata__"]["config"])
    mutate(config, choice, replacement, delete)
    header["__metadata__"]["config"] = json.dumps(config)
    text = json.dumps(header).encode()
    _spec_of(tmp_path, struct.pack("<Q", len(text)) + text, ".rnnlens")


@functools.cache
def _keras_bytes() -> bytes:
    import tempfile

    from tests.io_support import build

    model = build("bi_concat")
    with tempfile.TemporaryDirectory() as folder:
        return rl.to_keras(model, Path(folder) / "m.keras").read_bytes()


@given(
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), min_size=1, max_size=8)
)
def test_config_only_on_bit_flipped_keras(tmp_path: Path, flips: list[tuple[int, int]]) -> None:
    data = bytearray(_keras_bytes())
    for position, mask in flips:
        data[position % len(data)] ^= mask
    _spec_of(tmp_path, bytes(data), ".keras")


@given(offsets=st.lists(st.integers(0, 10**6), min_size=1, max_size=4), bit=st.integers(0, 7))
def test_config_only_on_bit_flipped_h5(tmp_path: Path, offsets: list[int], bit: int) -> None:
    from tests.test_hostile_h5 import keras_h5

    data = bytearray(keras_h5())
    for offset in offsets:
        data[offset % len(data)] ^= 1 << bit
    _spec_of(tmp_path, bytes(data), ".h5")  # hung reads stop at 3 s (tests/fuzz/conftest.py)


# ---------------------------------------------------------------- train configs
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        key: JSON
        for key in (
            "shuffle",
            "validation_split",
            "checkpoint_dir",
            "output",
            "epochs",
            "batch_size",
            "seed",
            "verbose",
            "timeout",
            "loss",
            "metrics",
            "distributed",
        )
    },
)


@given(
    fields=FIELDS,
    data=st.dictionaries(
        st.sampled_from(["time_steps", "horizon", "normalize", "max_samples", "path"]), JSON
    ),
)
def test_train_config_fields(tmp_path: Path, fields: dict[str, Any], data: dict[str, Any]) -> None:
    from rnnlens.cli.train import read_config

    config = {
        "model": "LSTM(2, input_shape=(3, 1)) -> Dense(1)",
        "data": {"name": "sunspots", **data},
    }
    config.update(fields)
    path = tmp_path / "run.json"
    try:
        path.write_text(json.dumps(config), encoding="utf-8")
    except ValueError:  # NaN in JSON is allowed by json.dumps; anything else: skip
        return
    start = time.perf_counter()
    try:
        read_config(path)
        kind = "config"
    except RnnlensError as error:
        kind = type(error).__name__
        assert len(str(error)) < 2000
    assert time.perf_counter() - start < HANG_SECONDS
    SEEN[f"train-config {kind}"] += 1


# ---------------------------------------------------------------------- .npz
@functools.cache
def _npz() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, x=np.zeros((16, 3, 1), "float32"), y=np.zeros((16, 1), "float32"))
    return buffer.getvalue()


@given(
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), min_size=1, max_size=8)
)
def test_bit_flipped_npz(tmp_path: Path, flips: list[tuple[int, int]]) -> None:
    from rnnlens.cli.train_checks import read_npz

    data = bytearray(_npz())
    for position, mask in flips:
        data[position % len(data)] ^= mask
    path = tmp_path / "d.npz"
    path.write_bytes(bytes(data))
    start = time.perf_counter()
    try:
        x, y = read_npz(path)
        kind = "arrays"
        assert x.nbytes + y.nbytes <= 64 * len(data)  # never more than the file can hold
    except RnnlensError:
        kind = "InputDataError"
    assert time.perf_counter() - start < HANG_SECONDS
    SEEN[f"npz {kind}"] += 1


@given(shape=st.lists(st.integers(0, 2**62), min_size=1, max_size=4))
def test_npz_headers_that_lie_about_their_shape(tmp_path: Path, shape: list[int]) -> None:
    from rnnlens.cli.train_checks import read_npz

    header = {"descr": "<f4", "fortran_order": False, "shape": tuple(shape)}
    member = io.BytesIO()
    np.lib.format.write_array_header_1_0(member, header)
    member.write(b"\0" * 64)
    with zipfile.ZipFile(tmp_path / "lie.npz", "w") as archive:
        archive.writestr("x.npy", member.getvalue())
        archive.writestr("y.npy", member.getvalue())
    try:
        x, _ = read_npz(tmp_path / "lie.npz")
        assert x.nbytes <= 64
    except RnnlensError as error:
        assert re.search("damaged|needs|truncated", str(error)), str(error)
    SEEN["npz-header checked"] += 1


# --------------------------------------------------------- values and names
BIG = st.builds(
    lambda n, m, depth: functools.reduce(lambda v, _: [v] * m, range(depth), [0] * n),
    st.integers(0, 10_000),
    st.integers(0, 3_000),
    st.integers(0, 3),
)


@given(value=BIG | JSON, argument=st.sampled_from(["units", "input_shape", "name", "activation"]))
def test_huge_values_in_layer_arguments(value: Any, argument: str) -> None:
    from rnnlens.layers import LSTM

    start = time.perf_counter()
    try:
        if argument == "units":
            LSTM(value)
        else:
            LSTM(4, **{argument: value})
        kind = "layer"
    except RnnlensError as error:
        kind = type(error).__name__
        assert len(str(error)) < 1000
    assert time.perf_counter() - start < HANG_SECONDS
    SEEN[f"argument {kind}"] += 1


@given(name=st.text(min_size=1, max_size=40))
def test_any_name_either_refused_or_printed_safely(name: str) -> None:
    from rnnlens.layers import LSTM, Dense

    try:
        model = rl.Sequential([LSTM(2, input_shape=(3, 1), name=name), Dense(1)])
    except RnnlensError:
        assert "/" in name
        SEEN["name refused"] += 1
        return
    from rnnlens.explain.flow import build_flow
    from rnnlens.summary import render_summary

    coloured = re.sub(r"\x1b\[[0-9;]*m", "", build_flow(model).to_text(color=True))
    text = render_summary(model) + build_flow(model).to_text() + coloured
    assert not RAW.search(text.replace("\n", ""))
    text.encode("utf-8")  # no lone surrogate left
    SEEN["name printed"] += 1


@given(value=BIG | JSON | st.integers() | st.text())
def test_preview_is_bounded_and_escaped(value: Any) -> None:
    start = time.perf_counter()
    shown = preview(value)
    assert len(shown) <= 120 and not RAW.search(shown)
    assert safe_text(shown) == shown  # nothing left to escape
    assert time.perf_counter() - start < 1
