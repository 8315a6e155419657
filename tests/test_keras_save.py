"""``model.save("x.keras")`` writes a Keras 3 archive that Keras opens with equal outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import rnnlens as rl
from rnnlens import layers as L
from rnnlens.errors import ModelFileError
from rnnlens.layers import objects as ro

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

MODELS = {
    "story": lambda: [L.LSTM(8, return_sequences=True, input_shape=(6, 2)), L.LSTM(4), L.Dense(1)],
    "options": lambda: [
        L.Input(shape=(6, 2)),
        L.Bidirectional(L.GRU(3, return_sequences=True, kernel_regularizer=ro.L2(0.1))),
        L.TimeDistributed(L.Dense(2, kernel_constraint=ro.MaxNorm(1.5))),
        L.SimpleRNN(3, kernel_initializer=ro.Constant(0.1), recurrent_regularizer="l1"),
        L.Dropout(0.2, seed=3),
        L.Dense(1, activity_regularizer=ro.L1L2(0.01, 0.02)),
    ],
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_saved_keras_file_opens_in_keras_with_equal_outputs(tmp_path: Path, name: str) -> None:
    model = rl.Sequential(MODELS[name]())
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = np.random.default_rng(0).normal(size=(3, 6, 2)).astype("float32")
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded.predict(x, verbose=0)), model.predict(x), atol=1e-5
    )
    assert [w.shape for w in loaded.get_weights()] == [w.shape for w in model.get_weights()]


def test_other_extensions_are_refused(tmp_path: Path) -> None:
    model = rl.Sequential([L.LSTM(2, input_shape=(3, 1))])
    with pytest.raises(ModelFileError, match=r"save as .*m\.keras"):
        model.save(tmp_path / "m.h5")
    with pytest.raises(ModelFileError, match=r"unknown model file extension '\.pkl'"):
        model.save(tmp_path / "m.pkl")
    assert list(tmp_path.iterdir()) == []
