"""The spec side without Keras: weight layouts, parameter formulas, config round trips, predict."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import rnnlens
from rnnlens.layers import (
    GRU,
    LSTM,
    Bidirectional,
    Dense,
    Dropout,
    Flatten,
    Input,
    Masking,
    RepeatVector,
    SimpleRNN,
    TimeDistributed,
)


@pytest.mark.parametrize(
    ("layer", "shapes", "formula"),
    [
        (LSTM(64), [(2, 256), (64, 256), (256,)], ("4·u·(d + u + 1)", "4·64·(2 + 64 + 1)")),
        (GRU(5), [(2, 15), (5, 15), (2, 15)], ("3·u·(d + u + 2)", "3·5·(2 + 5 + 2)")),
        (
            GRU(5, reset_after=False),
            [(2, 15), (5, 15), (15,)],
            ("3·u·(d + u + 1)", "3·5·(2 + 5 + 1)"),
        ),
        (SimpleRNN(3, use_bias=False), [(2, 3), (3, 3)], ("1·u·(d + u)", "1·3·(2 + 3)")),
    ],
)
def test_keras_weight_layout_and_formula(layer: Any, shapes: list[Any], formula: Any) -> None:
    layer.build((None, 7, 2))
    assert [spec.shape for spec in layer.weight_specs()] == shapes
    assert [w.shape for w in layer.get_weights()] == shapes
    assert layer.count_params() == sum(int(np.prod(s)) for s in shapes)
    assert layer.param_formula() == formula


def test_lstm_initial_weights_follow_keras_defaults() -> None:
    rnnlens.set_seed(0)
    layer = LSTM(8)
    layer.build((None, 3, 4))
    kernel, recurrent, bias = layer.get_weights()
    limit = np.sqrt(6 / (4 + 32))  # glorot_uniform on (d, 4u)
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.8 * limit
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(8), atol=1e-5)  # orthogonal rows
    np.testing.assert_array_equal(
        bias, np.r_[np.zeros(8), np.ones(8), np.zeros(16)]
    )  # unit_forget_bias


def test_bidirectional_weights_forward_then_backward() -> None:
    layer = Bidirectional(GRU(3), merge_mode="sum")
    layer.build((None, 4, 2))
    names = [spec.name for spec in layer.weight_specs()]
    assert names == [
        "forward_gru/kernel",
        "forward_gru/recurrent_kernel",
        "forward_gru/bias",
        "backward_gru/kernel",
        "backward_gru/recurrent_kernel",
        "backward_gru/bias",
    ]
    assert layer.backward.go_backwards and not layer.forward.go_backwards
    assert layer.output_shape == (None, 3)


def story_like() -> rnnlens.Sequential:
    return rnnlens.Sequential(
        [
            Input((6, 3)),
            Masking(0.0),
            Bidirectional(LSTM(4, return_sequences=True), merge_mode="ave"),
            Dropout(0.2),
            TimeDistributed(Dense(2, activation="relu")),
            GRU(3, reset_after=False),
            RepeatVector(2),
            SimpleRNN(2, return_sequences=True),
            Flatten(),
            Dense(1),
        ]
    )


def test_config_round_trip_rebuilds_the_same_function() -> None:
    model = story_like()
    x = np.random.default_rng(0).normal(size=(4, 6, 3)).astype("float32")
    rebuilt = rnnlens.Sequential.from_config(model.get_config())
    assert rebuilt.get_config() == model.get_config()
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_array_equal(rebuilt.predict(x), model.predict(x))
    assert model.predict(x).dtype == np.float32 and model.output_shape == (None, 1)


def test_predict_batches_and_module_agree() -> None:
    model = story_like()
    x = np.random.default_rng(1).normal(size=(7, 6, 3))
    whole = model.predict(x, batch_size=None)
    np.testing.assert_allclose(model.predict(x, batch_size=3), whole, atol=1e-6)
    assert not model.module.training  # starts in inference mode, as Keras's model(x)
    with torch.no_grad():
        direct = model(torch.as_tensor(x, dtype=torch.float32))
    np.testing.assert_allclose(direct.numpy(), whole, atol=1e-6)


def test_predict_restores_training_mode() -> None:
    model = story_like()
    model.module.train()
    model.predict(np.ones((1, 6, 3)))
    assert model.module.training


def test_input_with_batch_shape_and_free_time() -> None:
    model = rnnlens.Sequential([Input(batch_shape=(2, None, 3)), LSTM(4, return_sequences=True)])
    assert model.input_shape == (2, None, 3) and model.output_shape == (2, None, 4)
    assert model.predict(np.zeros((2, 9, 3))).shape == (2, 9, 4)


def test_stateful_training_continues_from_predicted_state() -> None:
    """A state stored by predict (inference mode) can seed a training step afterwards."""
    model = rnnlens.Sequential([Input((4, 2), batch_size=2), LSTM(3, stateful=True)])
    model.predict(np.ones((2, 4, 2)))
    out = model.module(torch.ones(2, 4, 2))
    out.sum().backward()
    assert model.layers[0].module.kernel.grad is not None
    with pytest.raises(
        rnnlens.InputDataError,
        match=r"fixed batch size of 2 .* a multiple of 2 samples, received 3",
    ):
        model.predict(np.ones((3, 4, 2)))
    free = rnnlens.Sequential([Input((4, 2)), GRU(3, stateful=True)])
    free.predict(np.ones((2, 4, 2)))
    with pytest.raises(
        rnnlens.ShapeError, match="stateful with batch size 2, received a batch of 3"
    ):
        free.predict(np.ones((3, 4, 2)))
    free.reset_states()
    assert free.predict(np.ones((3, 4, 2))).shape == (3, 3)


def test_pop_and_get_layer() -> None:
    model = story_like()
    assert model.get_layer("gru") is model.layers[4] and model.get_layer(index=0).name == "masking"
    assert model.pop().name == "dense_1"
    with pytest.raises(rnnlens.ConfigError, match="has no layer 'nope'"):
        model.get_layer("nope")


def test_config_of_a_model_declared_with_input_shape_keeps_the_shape() -> None:
    # Keras 3 records input_shape= of the first layer as an input entry of the model config;
    # without it, from_config would rebuild a model that does not know its input.
    model = rnnlens.Sequential(
        [LSTM(64, return_sequences=True, input_shape=(10, 2)), LSTM(32)], name="story"
    )
    config = model.get_config()
    assert config["layers"][0] == {
        "class_name": "Input",
        "config": {"shape": [10, 2], "batch_size": None},
    }
    rebuilt = rnnlens.Sequential.from_config(config)
    assert rebuilt.input_shape == (None, 10, 2)
    assert rebuilt.count_params() == 17_152 + 12_416
