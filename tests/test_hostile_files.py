"""Hostile files for every reader: not-regular files, size lies, duplicate and overlapping
tensors, absurd numbers, names that would collide, and config-only explanation."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

import rnnlens as rl
from rnnlens import ConfigError, ModelFileError, ParseError
from rnnlens.io.config_only import load_spec
from rnnlens.io.native import NonFiniteWeightsWarning
from rnnlens.layers import LSTM, Bidirectional, Dense
from rnnlens.parse import read_source

READERS = {
    "native": lambda p: rl.load(p),
    "spec": lambda p: load_spec(p),
    "keras": lambda p: rl.from_keras(p),
}


def _model() -> rl.Sequential:
    return rl.Sequential([LSTM(4, input_shape=(3, 2)), Dense(1)])


def _safetensors(header: dict, data: bytes = b"") -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def _native_header(path: Path) -> tuple[dict, bytes]:
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8 : 8 + n]), raw[8 + n :]


# ----------------------------------------------------------- not regular files
@pytest.mark.parametrize("suffix", [".rnnlens", ".keras", ".h5", ".py"])
def test_a_fifo_is_refused_at_once(tmp_path: Path, suffix: str) -> None:
    fifo = tmp_path / f"m{suffix}"
    os.mkfifo(fifo)
    start = time.perf_counter()
    with pytest.raises((ModelFileError, ParseError), match="FIFO"):
        read_source(str(fifo))
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize("suffix", [".rnnlens", ".keras", ".h5", ".py"])
def test_a_symlink_to_dev_zero_is_refused(tmp_path: Path, suffix: str) -> None:
    link = tmp_path / f"z{suffix}"
    link.symlink_to("/dev/zero")
    with pytest.raises((ModelFileError, ParseError), match="character device"):
        read_source(str(link))


def test_a_folder_named_like_a_file_is_refused(tmp_path: Path) -> None:
    for name in ("x.py", "x.rnnlens", "x.keras"):
        (tmp_path / name).mkdir()
        with pytest.raises((ModelFileError, ParseError), match="is a folder"):
            read_source(str(tmp_path / name))


def test_a_sparse_file_beyond_the_cap_is_refused_before_reading(tmp_path, monkeypatch) -> None:
    path = tmp_path / "big.keras"
    with open(path, "wb") as stream:
        stream.truncate(20 << 30)  # 20 GiB of holes: reading it would take minutes
    start = time.perf_counter()
    with pytest.raises(ModelFileError, match="more than the"):
        rl.from_keras(path)
    big = tmp_path / "big.rnnlens"
    _model().save(big)
    monkeypatch.setenv("RNNLENS_MAX_FILE_BYTES", "100")
    with pytest.raises(ModelFileError, match="RNNLENS_MAX_FILE_BYTES"):
        rl.load(big)
    assert time.perf_counter() - start < 2


# -------------------------------------------------------------- native format
def test_a_huge_header_claim_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "h.rnnlens"
    path.write_bytes(struct.pack("<Q", 97 << 20) + b"{" * 100)
    with pytest.raises(ModelFileError, match="header claims"):
        load_spec(path)


def test_duplicate_tensor_keys_in_a_file_are_refused(tmp_path: Path) -> None:
    saved = tmp_path / "m.rnnlens"
    _model().save(saved)
    raw = saved.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = raw[8 : 8 + n].decode()
    # Repeat the first tensor entry under the same key: json.loads alone would keep one.
    key = next(k for k in json.loads(header) if k != "__metadata__")
    entry = json.dumps({key: json.loads(header)[key]})[1:-1]
    doubled = header.rstrip()[:-1] + "," + entry + "}"
    padded = doubled.encode()
    (tmp_path / "d.rnnlens").write_bytes(struct.pack("<Q", len(padded)) + padded + raw[8 + n :])
    with pytest.raises(ModelFileError, match="twice"):
        rl.load(tmp_path / "d.rnnlens")


def test_overlapping_tensor_offsets_are_refused(tmp_path: Path) -> None:
    saved = tmp_path / "m.rnnlens"
    _model().save(saved)
    header, data = _native_header(saved)
    names = [k for k in header if k != "__metadata__"]
    bias = next(k for k in names if k.endswith("dense/bias"))
    header[bias]["data_offsets"] = [84, 88]  # inside lstm/kernel (safetensors sorts by name)
    (tmp_path / "o.rnnlens").write_bytes(_safetensors(header, data))
    with pytest.raises(ModelFileError, match="overlap"):
        rl.load(tmp_path / "o.rnnlens")


@pytest.mark.parametrize(
    "version", ["9" * 5000, "\u00b9", "\u0661", "-1", "1.0", "", " 1"], ids=repr
)
def test_odd_format_versions_are_model_file_errors(tmp_path: Path, version: str) -> None:
    saved = tmp_path / "m.rnnlens"
    _model().save(saved)
    header, data = _native_header(saved)
    header["__metadata__"]["format_version"] = version
    (tmp_path / "v.rnnlens").write_bytes(_safetensors(header, data))
    with pytest.raises(ModelFileError, match="format_version") as caught:
        load_spec(tmp_path / "v.rnnlens")
    assert len(str(caught.value)) < 400  # a bounded preview, not 5,000 digits


@pytest.mark.parametrize("shape", [[0, 2**70], [0] * 65, [2**41]])
def test_absurd_tensor_shapes_are_model_file_errors(tmp_path: Path, shape: list[int]) -> None:
    header = {
        "__metadata__": {"format": "rnnlens", "format_version": "1", "config": '{"layers": []}'},
        "t": {"dtype": "F32", "shape": shape, "data_offsets": [0, 0]},
    }
    (tmp_path / "s.rnnlens").write_bytes(_safetensors(header))
    with pytest.raises(ModelFileError, match="shape"):
        rl.io.native.read_native(tmp_path / "s.rnnlens")


def test_nan_weights_load_with_a_warning(tmp_path: Path) -> None:
    # Chosen: warn, as Keras loads them silently; the model still loads (it may be inspected).
    model = _model()
    weights = model.get_weights()
    weights[0][0, 0] = np.nan
    model.set_weights(weights)
    model.save(tmp_path / "n.rnnlens")
    with pytest.warns(NonFiniteWeightsWarning, match="NaN or infinite"):
        back = rl.load(tmp_path / "n.rnnlens")
    assert np.isnan(back.get_weights()[0][0, 0])


def test_a_config_with_too_many_layers_is_refused_quickly(tmp_path: Path) -> None:
    layers = [
        {"class_name": "Dense", "config": {"units": 1, "name": f"d{i}"}} for i in range(10_001)
    ]
    config = json.dumps({"layers": [{"class_name": "Input", "config": {"shape": [1]}}, *layers]})
    header = {"__metadata__": {"format": "rnnlens", "format_version": "1", "config": config}}
    (tmp_path / "many.rnnlens").write_bytes(_safetensors(header))
    start = time.perf_counter()
    with pytest.raises(ModelFileError, match="10,002 layers"):
        load_spec(tmp_path / "many.rnnlens")
    assert time.perf_counter() - start < 2


def test_ten_thousand_layers_build_in_linear_time() -> None:
    # Sequential.add checked names by scanning every earlier layer: quadratic.
    start = time.perf_counter()
    model = rl.Sequential([rl.layers.Input((2,)), *[Dense(2, name=f"d{i}") for i in range(5000)]])
    assert len(model.layers) == 5000
    assert time.perf_counter() - start < 10


# ------------------------------------------------------------------- names
def test_a_slash_in_a_layer_name_is_refused_like_keras() -> None:
    import keras

    with pytest.raises(ValueError, match="cannot contain"):
        keras.layers.LSTM(4, name="bi/forward_lstm")
    with pytest.raises(ConfigError, match="cannot contain '/'") as caught:
        LSTM(4, name="bi/forward_lstm")
    assert isinstance(caught.value, ValueError)


def test_a_slash_in_a_file_names_layer_is_a_model_file_error(tmp_path: Path) -> None:
    saved = tmp_path / "m.rnnlens"
    _model().save(saved)
    header, data = _native_header(saved)
    config = json.loads(header["__metadata__"]["config"])
    config["layers"][1]["config"]["name"] = "bi/forward_lstm"
    header["__metadata__"]["config"] = json.dumps(config)
    (tmp_path / "s.rnnlens").write_bytes(_safetensors(header, data))
    with pytest.raises(ModelFileError, match="cannot contain"):
        load_spec(tmp_path / "s.rnnlens")


def test_save_refuses_two_weights_under_one_key(tmp_path: Path) -> None:
    model = rl.Sequential(
        [Bidirectional(LSTM(2, return_sequences=True), name="bi", input_shape=(3, 2)), LSTM(1)]
    )
    model.layers[1].name = "bi/forward_lstm"  # by hand, past the constructor's checks
    with pytest.raises((ModelFileError, ConfigError)):
        model.save(tmp_path / "k.rnnlens")
    assert not (tmp_path / "k.rnnlens").exists()


# ---------------------------------------------------------- explain: config only
def test_explaining_a_keras_file_reads_config_json_only(tmp_path: Path) -> None:
    path = rl.to_keras(_model(), tmp_path / "m.keras")
    # Replace the weights with a bomb-sized lie: explaining must not touch them.
    with zipfile.ZipFile(path) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    bomb = tmp_path / "b.keras"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", entries["config.json"])
        archive.writestr("model.weights.h5", b"\0" * (50 << 20))  # 50 MiB of zeros, 1000x
    code = (
        "import sys\n"
        "from rnnlens.io.config_only import load_spec\n"
        f"m = load_spec({str(bomb)!r})\n"
        "print(m.count_params(), sorted(n for n in ('torch', 'h5py') if n in sys.modules),"
        # VmHWM: this process's peak; ru_maxrss would carry the forking parent's over exec
        " [int(l.split()[1]) // 1024 for l in open('/proc/self/status') if l.startswith('VmHWM')][0])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    peak_mib = done.stdout.split()[-1]
    assert int(done.stdout.split()[0]) == 117
    assert "[]" in done.stdout  # neither torch nor h5py was imported
    assert int(peak_mib) < 200  # the 50 MiB entry was never decompressed
    with pytest.raises(ModelFileError, match="more than"):  # and loading refuses it
        rl.from_keras(bomb)


def test_a_deflate_bomb_entry_is_refused_by_its_ratio(tmp_path: Path) -> None:
    from rnnlens.io.zipsafe import read_members

    path = tmp_path / "l.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", b"\0" * (8 << 20))
    with pytest.raises(ModelFileError, match=r"expands|more than"):
        read_members(path.read_bytes(), {"config.json": 1 << 30}, source="l.zip")


# ---------------------------------------------------------------- .py files
def test_a_py_file_with_a_byte_order_mark_reads(tmp_path: Path) -> None:
    path = tmp_path / "bom.py"
    path.write_bytes(
        b"\xef\xbb\xbfimport keras\nm = keras.Sequential([keras.Input((3, 2)), keras.layers.LSTM(4)])\n"
    )
    assert read_source(str(path)).model.count_params() == 112


def test_a_py_file_that_is_not_utf8_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(b"# caf\xe9\nimport keras\n")
    with pytest.raises(ParseError, match="not UTF-8"):
        read_source(str(path))


def test_readers_never_show_a_whole_value(tmp_path: Path) -> None:
    huge = [[0] * 10_000] * 50
    for bad in (
        lambda: LSTM(huge),
        lambda: LSTM(4, input_shape=huge),
        lambda: Dense(4, name=str(huge)[:100_000] + "/"),
    ):
        with pytest.raises(ValueError) as caught:  # ConfigError or ShapeError
            bad()
        assert len(str(caught.value)) < 600


def test_warnings_stay_quiet_for_good_files(tmp_path: Path) -> None:
    _model().save(tmp_path / "g.rnnlens")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rl.load(tmp_path / "g.rnnlens")
