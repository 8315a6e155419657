"""The new layers through every file format: Keras .keras and .h5 in, .keras out (read back by
real Keras 3), native .rnnlens, and the config round trip."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

import rnnlens
from rnnlens.io.keras import from_keras, to_keras

from .layers_oracle import KERAS_WARNING, data, ids, keras_outputs, twins

pytestmark = [
    pytest.mark.filterwarnings(KERAS_WARNING),
    pytest.mark.filterwarnings("ignore:Layer .* does not support masking:UserWarning"),
    pytest.mark.filterwarnings("ignore:You are saving your model as an HDF5 file:UserWarning"),
]

MODELS: dict[str, tuple[Any, tuple[int, ...], Any]] = {
    "text-classifier": (
        lambda L: [
            L.Embedding(40, 6, mask_zero=True),
            L.SpatialDropout1D(0.2),
            L.Bidirectional(L.LSTM(4, return_sequences=True)),
            L.GlobalAveragePooling1D(),
            L.BatchNormalization(),
            L.Dense(1, activation="sigmoid"),
        ],
        (9,),
        lambda: ids(3, 9, 40),
    ),
    "conv-lstm": (
        lambda L: [
            L.Conv1D(8, 3, padding="causal", activation="relu"),
            L.MaxPooling1D(2),
            L.Conv1D(6, 2, strides=1, dilation_rate=2, groups=2),
            L.AveragePooling1D(2, padding="same"),
            L.LayerNormalization(),
            L.GRU(5),
            L.Activation("tanh"),
        ],
        (16, 4),
        lambda: data(3, 16, 4),
    ),
    "cells-and-wrappers": (
        lambda L: [
            L.RNN(L.LSTMCell(4), return_sequences=True),
            L.RNN(L.StackedRNNCells([L.GRUCell(3), L.SimpleRNNCell(2)]), return_sequences=True),
            L.Bidirectional(L.RNN(L.GRUCell(2), return_sequences=True), merge_mode="ave"),
            L.TimeDistributed(L.Dense(3)),
            L.Permute((2, 1)),
            L.Reshape((6, -1)),
            L.GlobalMaxPooling1D(),
        ],
        (6, 3),
        lambda: data(3, 6, 3),
    ),
    "time-distributed-lstm": (
        lambda L: [L.TimeDistributed(L.LSTM(3)), L.LSTM(2)],
        (4, 5, 2),
        lambda: data(2, 4, 5, 2),
    ),
}


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_keras_files_import(name: str, suffix: str, tmp_path: Path) -> None:
    recipe, shape, make_x = MODELS[name]
    k_model, _ = twins(recipe, shape, positive=True)
    path = tmp_path / f"model{suffix}"
    k_model.save(path)
    model = from_keras(path)
    x = make_x()
    assert model.count_params() == k_model.count_params()
    assert [layer.name for layer in model.layers] == [layer.name for layer in k_model.layers]
    for want, got in zip(k_model.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(model.predict(x), keras_outputs(k_model, x)[0], atol=1e-5)


@pytest.mark.parametrize("name", list(MODELS))
def test_keras_export_is_read_back_by_keras(name: str, tmp_path: Path) -> None:
    recipe, shape, make_x = MODELS[name]
    _, model = twins(recipe, shape, positive=True)
    path = to_keras(model, tmp_path / "out.keras")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        k_model = keras.saving.load_model(path)
    x = make_x()
    assert k_model.count_params() == model.count_params()
    np.testing.assert_allclose(keras_outputs(k_model, x)[0], model.predict(x), atol=1e-5)


@pytest.mark.parametrize("name", list(MODELS))
def test_native_save_load_and_config_round_trip(name: str, tmp_path: Path) -> None:
    recipe, shape, make_x = MODELS[name]
    _, model = twins(recipe, shape, positive=True)
    model.save(tmp_path / "m.rnnlens")
    loaded = rnnlens.load(tmp_path / "m.rnnlens")
    x = make_x()
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert loaded.get_config() == model.get_config()
    rebuilt = rnnlens.Sequential.from_config(model.get_config())
    assert rebuilt.get_config() == model.get_config()
    assert [layer.output_shape for layer in rebuilt.layers] == [
        layer.output_shape for layer in model.layers
    ]


def test_keras2_embedding_input_length_in_a_config(tmp_path: Path) -> None:
    from rnnlens.io.keras_config import keras_to_rnnlens

    config = {
        "class_name": "Sequential",
        "config": {
            "name": "old",
            "layers": [
                {
                    "class_name": "Embedding",
                    "config": {
                        "name": "embedding",
                        "input_dim": 100,
                        "output_dim": 8,
                        "input_length": 20,
                        "mask_zero": False,
                        "embeddings_initializer": {
                            "class_name": "RandomUniform",
                            "config": {"minval": -0.05, "maxval": 0.05},
                        },
                    },
                },
                {"class_name": "CuDNNLSTM", "config": {"name": "lstm", "units": 4}},
            ],
        },
    }
    with pytest.raises(rnnlens.errors.ModelFileError, match="CuDNNLSTM"):
        keras_to_rnnlens(config, "old.h5")  # a file names its class: no silent change
    config["config"]["layers"] = config["config"]["layers"][:1]  # type: ignore[index]
    model = rnnlens.Sequential.from_config(keras_to_rnnlens(config, "old.h5"))
    assert model.output_shape == (None, 20, 8)


def test_unsupported_layers_in_a_file_are_named() -> None:
    from rnnlens.io.keras_config import keras_to_rnnlens

    config = {
        "class_name": "Sequential",
        "config": {
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_shape": [None, 5, 2]}},
                {"class_name": "Lambda", "config": {"name": "lambda"}},
                {"class_name": "ConvLSTM2D", "config": {"name": "conv_lstm2d"}},
                {"class_name": "BatchNormalization", "config": {"name": "bn", "renorm": True}},
            ]
        },
    }
    with pytest.raises(rnnlens.errors.ModelFileError) as caught:
        keras_to_rnnlens(config, "m.keras")
    message = str(caught.value)
    assert "Lambda layers hold Python code" in message
    assert "no ConvLSTM2D layer" in message
    assert "renorm=True" in message


TORCH_MODELS = {
    **{name: MODELS[name] for name in ("conv-lstm", "cells-and-wrappers", "time-distributed-lstm")},
    "embedding-unmasked": (
        lambda L: [
            L.Embedding(40, 6),
            L.Conv1D(5, 3, padding="same", strides=2),
            L.AveragePooling1D(3, strides=1, padding="same"),
            L.SpatialDropout1D(0.3),
            L.LSTM(4),
            L.BatchNormalization(),
        ],
        (9,),
        lambda: ids(3, 9, 40),
    ),
}


@pytest.mark.parametrize("name", list(TORCH_MODELS))
def test_to_torch_computes_what_keras_computes(name: str) -> None:
    import torch

    recipe, shape, make_x = TORCH_MODELS[name]
    k_model, model = twins(recipe, shape, positive=True)
    stack = rnnlens.to_torch(model)
    x = make_x()
    with torch.no_grad():
        got = stack(torch.tensor(x, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(got, keras_outputs(k_model, x)[0], atol=1e-5)


def test_to_torch_refuses_a_mask_it_cannot_carry() -> None:
    _, model = twins(MODELS["text-classifier"][0], (9,))
    with pytest.raises(rnnlens.errors.ConfigError, match="mask_zero=True"):
        rnnlens.to_torch(model)


@pytest.mark.parametrize("name", ["conv-lstm", "cells-and-wrappers"])
def test_onnx_export_runs_like_keras(name: str, tmp_path: Path) -> None:
    import onnxruntime

    recipe, shape, make_x = MODELS[name]
    k_model, model = twins(recipe, shape, positive=True)
    from rnnlens.io.onnx import to_onnx

    path = to_onnx(model, tmp_path / "m.onnx")  # checks against predict too
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = make_x()
    (got,) = session.run(None, {"x": x})
    np.testing.assert_allclose(got, keras_outputs(k_model, x)[0], atol=1e-5)
