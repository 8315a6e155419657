"""Legacy ``.h5`` files that hang or blow up HDF5: read in a bounded worker, never in the caller.

The files are written by the real keras (``model.save("m.h5")``), then bit-flipped.
"""

from __future__ import annotations

import functools
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

import rnnlens as rl
from rnnlens import ModelFileError
from rnnlens.io import h5child

pytestmark = pytest.mark.filterwarnings(
    "ignore:You are saving your model as an HDF5 file",
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning",
)
LIMIT_S = 3.0


@functools.cache
def keras_h5() -> bytes:
    """``Sequential([Input((3, 2)), LSTM(4), Dense(1)])`` saved by Keras 3 as legacy h5."""
    import keras

    keras.backend.clear_session()
    model = keras.Sequential([keras.Input((3, 2)), keras.layers.LSTM(4), keras.layers.Dense(1)])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.h5"
        model.save(path)
        return path.read_bytes()


def _flipped(offset: int, bit: int = 0x40) -> bytes:
    data = bytearray(keras_h5())
    data[offset] ^= bit
    return bytes(data)


@pytest.fixture
def short_limit(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setenv("RNNLENS_H5_TIMEOUT", str(LIMIT_S))
    return LIMIT_S


def test_the_real_file_loads_in_the_worker_with_keras_weights(tmp_path: Path) -> None:
    import keras

    path = tmp_path / "m.h5"
    path.write_bytes(keras_h5())
    ours = rl.from_keras(path)
    theirs = keras.saving.load_model(path, compile=False)
    x = np.random.default_rng(0).normal(size=(2, 3, 2)).astype("float32")
    np.testing.assert_allclose(ours.predict(x), theirs.predict(x, verbose=0), atol=1e-6)


def test_the_flip_that_hung_hdf5_ends_in_a_model_file_error(tmp_path, short_limit) -> None:
    path = tmp_path / "flip.h5"
    path.write_bytes(_flipped(4648))
    start = time.perf_counter()
    with pytest.raises(ModelFileError):
        rl.from_keras(path)
    assert time.perf_counter() - start < short_limit + 3
    # The worker was replaced: the next good file still loads.
    (tmp_path / "good.h5").write_bytes(keras_h5())
    assert rl.from_keras(tmp_path / "good.h5").count_params() == 117


@pytest.mark.parametrize("seed", range(3))
def test_bit_flips_at_many_offsets_end_in_a_model_or_an_error(tmp_path, short_limit, seed) -> None:
    rng = random.Random(seed)
    size = len(keras_h5())
    path = tmp_path / "f.h5"
    outcomes: dict[str, int] = {}
    for offset in sorted(rng.sample(range(size), 12)):
        path.write_bytes(_flipped(offset, 1 << rng.randrange(8)))
        start = time.perf_counter()
        try:
            rl.from_keras(path)
            kind = "model"
        except ModelFileError as error:
            kind = "timeout" if "longer than" in str(error) else "ModelFileError"
        assert time.perf_counter() - start < short_limit + 3, offset
        outcomes[kind] = outcomes.get(kind, 0) + 1
    assert sum(outcomes.values()) == 12


def test_ctrl_c_stops_a_hung_read(tmp_path: Path) -> None:
    path = tmp_path / "flip.h5"
    path.write_bytes(_flipped(4648))
    code = f"import sys; from rnnlens.cli import main\nsys.exit(main(['summary', {str(path)!r}]))\n"
    env = dict(os.environ, RNNLENS_H5_TIMEOUT="120")
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    time.sleep(3)  # inside the hung read by now (the worker starts in about 0.5 s)
    process.send_signal(signal.SIGINT)
    start = time.perf_counter()
    _, err = process.communicate(timeout=10)
    assert time.perf_counter() - start < 5
    assert process.returncode == 130, err
    assert b"Traceback" not in err


def test_a_memory_limit_ends_in_a_model_file_error(tmp_path, monkeypatch) -> None:
    rl.clear_session()
    big = rl.Sequential([rl.layers.LSTM(256, input_shape=(3, 2)), rl.layers.Dense(1)])
    keras_file = rl.to_keras(big, tmp_path / "big.keras")
    monkeypatch.setenv("RNNLENS_H5_MEMORY", str(1 << 20))  # 1 MiB more than the worker uses
    h5child.stop_worker()
    with pytest.raises(ModelFileError):
        rl.from_keras(keras_file)
    monkeypatch.delenv("RNNLENS_H5_MEMORY")
    assert rl.from_keras(keras_file).count_params() == big.count_params()


def test_explaining_an_h5_reads_attributes_only(tmp_path: Path) -> None:
    from rnnlens.io.config_only import load_spec

    path = tmp_path / "m.h5"
    path.write_bytes(keras_h5())
    code = (
        "import sys\nfrom rnnlens.io.config_only import load_spec\n"
        f"print(load_spec({str(path)!r}).count_params(), 'torch' in sys.modules,"
        " 'h5py' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["117", "False", "False"], done.stderr
    assert load_spec(path).count_params() == 117
