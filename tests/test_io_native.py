"""The native .rnnlens file: atomic writes and a clear ModelFileError for every defect."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np
import pytest

import rnnlens as rl
from rnnlens.io import atomic, native
from tests.io_support import build, sample


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "m.rnnlens"
    build("lstm_story").save(path)
    return path


def split(path: Path) -> tuple[dict, bytes]:
    data = path.read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + length]), data[8 + length :]


def join(path: Path, header: dict, body: bytes) -> None:
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + body)


def test_file_is_plain_safetensors_with_the_config_in_its_metadata(saved: Path) -> None:
    from safetensors.numpy import load_file

    tensors = load_file(saved)
    model = build("lstm_story")
    assert sorted(tensors) == sorted(
        f"{layer.name}/{spec.name}" for layer in model.layers for spec in layer.weight_specs()
    )
    np.testing.assert_array_equal(tensors["lstm_1/kernel"], model.layers[1].get_weights()[0])
    header, _ = split(saved)
    meta = header["__metadata__"]
    assert meta["format"] == "rnnlens" and meta["format_version"] == "1"
    assert json.loads(meta["config"])["layers"][0]["class_name"] == "Input"


def test_model_declared_with_input_shape_round_trips(tmp_path: Path) -> None:
    model = rl.Sequential([rl.layers.GRU(3, input_shape=(5, 3)), rl.layers.Dense(1)])
    model.save(tmp_path / "g.rnnlens")
    again = rl.load(tmp_path / "g.rnnlens")
    np.testing.assert_array_equal(again.predict(sample()), model.predict(sample()))


def test_write_is_atomic_and_leaves_no_temporary(saved: Path, monkeypatch) -> None:
    before = saved.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise KeyboardInterrupt  # the process dies between writing and renaming

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        build("gru_state").save(saved)
    assert saved.read_bytes() == before
    assert sorted(p.name for p in saved.parent.iterdir()) == ["m.rnnlens"]


def test_write_into_missing_folder_is_a_model_file_error(tmp_path: Path) -> None:
    with pytest.raises(rl.ModelFileError, match="does not exist"):
        atomic.write_atomic(tmp_path / "no" / "m.rnnlens", b"x")


@pytest.mark.parametrize("keep", [0, 5, 8, 100, -1])
def test_truncated_file(saved: Path, keep: int) -> None:
    data = saved.read_bytes()
    saved.write_bytes(data[:keep])
    with pytest.raises(rl.ModelFileError, match="truncated"):
        rl.load(saved)


def test_wrong_version(saved: Path) -> None:
    header, body = split(saved)
    header["__metadata__"]["format_version"] = "2"
    join(saved, header, body)
    with pytest.raises(rl.ModelFileError, match="version 2, this rnnlens reads version 1: upgrade"):
        rl.load(saved)


def test_weight_of_wrong_shape_names_layer_weight_and_both_shapes(saved: Path) -> None:
    header, body = split(saved)
    entry = header["lstm_1/kernel"]  # (6, 16) float32 -> claim (6, 15) and shrink its bytes
    begin, end = entry["data_offsets"]
    shrink = 6 * 4
    body = body[:begin] + body[begin : end - shrink] + body[end:]
    entry["shape"], entry["data_offsets"] = [6, 15], [begin, end - shrink]
    for other in header.values():
        if isinstance(other, dict) and "data_offsets" in other and other["data_offsets"][0] >= end:
            other["data_offsets"] = [o - shrink for o in other["data_offsets"]]
    join(saved, header, body)
    with pytest.raises(
        rl.ModelFileError,
        match=r"weights for layer 'lstm_1' kernel: expected \(6, 16\), file has \(6, 15\)",
    ):
        rl.load(saved)


def test_hand_edited_config(saved: Path) -> None:
    header, body = split(saved)
    config = json.loads(header["__metadata__"]["config"])
    config["layers"][1]["config"]["units"] = "six"
    header["__metadata__"]["config"] = json.dumps(config)
    join(saved, header, body)
    with pytest.raises(rl.ModelFileError, match="units must be a positive integer"):
        rl.load(saved)


def test_config_with_a_layer_rnnlens_lacks(saved: Path) -> None:
    header, body = split(saved)
    config = json.loads(header["__metadata__"]["config"])
    config["layers"][1]["class_name"] = "Lambda"
    header["__metadata__"]["config"] = json.dumps(config)
    join(saved, header, body)
    with pytest.raises(rl.ModelFileError, match="unsupported layer type 'Lambda'"):
        rl.load(saved)


def test_flipped_bytes_in_the_header(saved: Path) -> None:
    data = bytearray(saved.read_bytes())
    data[12:20] = b"\xff" * 8
    saved.write_bytes(bytes(data))
    with pytest.raises(rl.ModelFileError, match="not valid JSON"):
        rl.load(saved)


def test_plain_safetensors_without_rnnlens_metadata(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    save_file({"w": np.zeros(2, dtype="float32")}, tmp_path / "w.safetensors")
    with pytest.raises(rl.ModelFileError, match="without rnnlens's metadata"):
        rl.load(tmp_path / "w.safetensors")


def test_extra_and_missing_weights(saved: Path) -> None:
    header, body = split(saved)
    header["ghost/kernel"] = header.pop("dense/bias")
    join(saved, header, body)
    with pytest.raises(rl.ModelFileError, match="'dense' bias: missing"):
        rl.load(saved)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(rl.ModelFileError, match="no such file"):
        rl.load(tmp_path / "nope.rnnlens")
    with pytest.raises(rl.ModelFileError, match="is a folder"):
        rl.load(tmp_path)


def test_config_only_load_needs_no_weights(saved: Path) -> None:
    model = native.load_config(saved)
    assert [layer.output_shape for layer in model.layers] == [(None, 5, 6), (None, 4), (None, 1)]


def test_new_files_get_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        path = atomic.write_atomic(tmp_path / "f.bin", b"x")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644
