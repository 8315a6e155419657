"""``rl.from_keras`` on a Keras model held in memory: no file, same function."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import rnnlens as rl
from rnnlens.errors import ModelFileError

# Keras 3.15's predict hands np.array a tensor the numpy-2 way it deprecates (Keras's code,
# not rnnlens's: from_keras itself reads the weights without it).
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


def _keras_model() -> keras.Model:
    keras.utils.set_random_seed(3)
    return keras.Sequential(
        [
            keras.Input((10, 2)),
            keras.layers.LSTM(64, return_sequences=True),
            keras.layers.Bidirectional(keras.layers.GRU(8)),
            keras.layers.Dense(1),
        ]
    )


def test_from_keras_object_computes_what_keras_computes() -> None:
    theirs = _keras_model()
    ours = rl.from_keras(theirs)
    x = np.random.default_rng(0).normal(size=(3, 10, 2)).astype("float32")
    np.testing.assert_allclose(ours.predict(x), np.asarray(theirs.predict(x, verbose=0)), atol=1e-5)
    assert [layer.count_params() for layer in ours.layers] == [
        layer.count_params() for layer in theirs.layers
    ]
    assert [layer.output_shape for layer in ours.layers] == [
        tuple(layer.output.shape) for layer in theirs.layers
    ]


def test_from_keras_object_without_weights_reads_the_config_only() -> None:
    ours = rl.from_keras(_keras_model(), weights=False)
    assert ours.count_params() == _keras_model().count_params()
    assert not any(layer.materialized for layer in ours.layers)


def test_an_unbuilt_keras_model_is_refused_with_the_fix() -> None:
    unbuilt = keras.Sequential([keras.layers.LSTM(4), keras.layers.Dense(1)])
    with pytest.raises(ModelFileError, match="not built yet"):
        rl.from_keras(unbuilt)
