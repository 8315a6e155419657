"""Keras 3's API where rnnlens claims it: frozen weights in summaries, inference mode after
training, unbuilt models, fixed batch sizes, initializer objects and error types.

Keras (torch backend) is the oracle wherever it can answer: summaries are compared text for
text, weight lists by count and shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import rnnlens as rl
from rnnlens import layers as L
from rnnlens.errors import ConfigError, ConfigTypeError, InputDataError, RnnlensError, ShapeError
from rnnlens.layers import objects as ro

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


def _keras_summary(model: Any) -> str:
    lines: list[str] = []
    model.summary(print_fn=lambda text, line_break=None: lines.append(text))
    return "\n".join(lines).rstrip()


def _rnnlens_summary(model: rl.Sequential) -> str:
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines).rstrip()


def _frozen(module: Any) -> list[Any]:
    layers = [
        module.LSTM(4, return_sequences=True, trainable=False, name="lstm"),
        module.Bidirectional(module.GRU(2, return_sequences=True, name="gru"), name="bi"),
        module.TimeDistributed(module.Dense(3, trainable=False, name="inner"), name="td"),
        module.Dense(1, name="head"),
    ]
    layers[1].trainable = False  # the setter: Keras freezes the layers inside with it
    return layers


def test_frozen_layers_summary_and_weight_lists_equal_keras() -> None:
    keras.backend.clear_session()
    k_model = keras.Sequential([keras.Input((5, 3)), *_frozen(keras.layers)], name="frozen")
    r_model = rl.Sequential([L.Input(shape=(5, 3)), *_frozen(L)], name="frozen")
    assert _rnnlens_summary(r_model) == _keras_summary(k_model)
    for attribute in ("weights", "trainable_weights", "non_trainable_weights"):
        ours = [tuple(w.shape) for w in getattr(r_model, attribute)]
        theirs = [tuple(w.shape) for w in getattr(k_model, attribute)]
        assert ours == theirs, attribute
    assert [tuple(w.shape) for w in r_model.layers[1].backward_layer.trainable_weights] == []
    assert r_model.layers[1].forward_layer.name == k_model.layers[1].forward_layer.name


def test_unbuilt_sequential_summary_equals_keras_then_builds_on_first_data() -> None:
    keras.backend.clear_session()
    k_model = keras.Sequential([keras.layers.LSTM(4), keras.layers.Dense(1)], name="lazy")
    r_model = rl.Sequential([L.LSTM(4), L.Dense(1)], name="lazy")
    assert not r_model.built and not r_model.layers[0].built
    assert _rnnlens_summary(r_model) == _keras_summary(k_model)
    x = np.zeros((2, 6, 3), dtype="float32")
    r_model.compile(optimizer="adam", loss="mse")  # kept until the first data builds the model
    r_model.fit(x, np.zeros((2, 1), dtype="float32"), verbose=0)
    k_model(x)
    # Keras then prints the first batch's size, (2, 4); rnnlens keeps the batch open (None):
    # a number there would be a fixed batch size, which its stateful layers enforce
    assert r_model.built and r_model.input_shape == (None, 6, 3)
    assert r_model.count_params() == k_model.count_params()
    assert [w.shape for w in r_model.get_weights()] == [w.shape for w in k_model.get_weights()]


def test_built_means_what_keras_means() -> None:
    assert L.Dropout(0.5).built == keras.layers.Dropout(0.5).built is True
    assert L.Masking().built == keras.layers.Masking().built is True
    dense, k_dense = L.Dense(2), keras.layers.Dense(2)
    assert dense.built == k_dense.built is False
    dense.build((None, 3))
    k_dense.build((None, 3))
    assert dense.built == k_dense.built is True
    assert tuple(dense.kernel.shape) == tuple(k_dense.kernel.shape) == (3, 2)


@pytest.mark.parametrize("step", ["fit", "train_on_batch"])
def test_training_leaves_the_model_in_inference_mode(step: str) -> None:
    model = rl.Sequential(
        [L.Input(shape=(4, 2)), L.LSTM(8, dropout=0.5), L.Dropout(0.5), L.Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((8, 4, 2), dtype="float32"), np.zeros((8, 1), dtype="float32")
    if step == "fit":
        model.fit(x, y, epochs=1, verbose=0)
    else:
        model.train_on_batch(x, y)
    assert not model.module.training
    assert not any(m.training for m in model.module.modules())
    with torch.no_grad():
        first, second = model.module(torch.ones(8, 4, 2)), model.module(torch.ones(8, 4, 2))
    np.testing.assert_array_equal(first.numpy(), second.numpy())  # dropout is off
    np.testing.assert_allclose(first.numpy(), model.predict(x), rtol=0, atol=0)


def test_fixed_batch_size_takes_multiples_and_names_the_fix() -> None:
    model = rl.Sequential(
        [L.Input(shape=(3, 2), batch_size=4), L.GRU(2, stateful=True), L.Dense(1)]
    )
    model.compile(optimizer="adam", loss="mse")
    x, y = np.ones((12, 3, 2), dtype="float32"), np.zeros((12, 1), dtype="float32")
    history = model.fit(x, y, verbose=0)
    assert history.params["steps"] == 3
    assert model.predict(x).shape == (12, 1)
    assert isinstance(model.evaluate(x, y), float)
    assert [tuple(s.shape) for s in model.layers[0].states] == [(4, 2)]
    with pytest.raises(InputDataError, match="a multiple of 4 samples, received 6: drop or pad 2"):
        model.predict(x[:6])
    with pytest.raises(ConfigError, match=r"fixed batch size of 4 .* received batch_size=8"):
        model.fit(x, y, batch_size=8, verbose=0)
    model.reset_states()
    assert model.layers[0].states == [None]


def test_initializer_objects_match_keras_values() -> None:
    shape = (4, 6)
    for ours, theirs in [
        (ro.Constant(0.25), keras.initializers.Constant(0.25)),
        (ro.Ones(), keras.initializers.Ones()),
        (ro.Zeros(), keras.initializers.Zeros()),
        (ro.Identity(gain=2.0), keras.initializers.Identity(gain=2.0)),
    ]:
        layer = L.Dense(6, kernel_initializer=ours)
        layer.build((None, 4))
        expected = keras.ops.convert_to_numpy(theirs(shape))
        np.testing.assert_array_equal(layer.get_weights()[0], expected)


def test_seeded_and_random_initializers_keep_keras_statistics() -> None:
    def kernel(init: Any, rows: int = 300, cols: int = 200) -> np.ndarray:
        layer = L.Dense(cols, kernel_initializer=init)
        layer.build((None, rows))
        return layer.get_weights()[0]

    np.testing.assert_array_equal(
        kernel(ro.GlorotUniform(seed=3)), kernel(ro.GlorotUniform(seed=3))
    )
    assert not np.array_equal(kernel(ro.GlorotUniform(seed=3)), kernel(ro.GlorotUniform(seed=4)))
    limit = np.sqrt(6 / (300 + 200))  # Keras's glorot_uniform limit
    assert np.abs(kernel(ro.GlorotUniform(seed=1))).max() <= limit
    he = kernel(ro.HeNormal(seed=1))
    assert np.abs(he.std() - np.sqrt(2 / 300)) < 0.05 * np.sqrt(2 / 300)
    assert np.abs(he).max() <= 2 * np.sqrt(2 / 300) / 0.87962566103423978 + 1e-6  # truncated at 2σ
    orthogonal = kernel(ro.Orthogonal(gain=1.5, seed=0), 6, 6)
    np.testing.assert_allclose(orthogonal.T @ orthogonal, 2.25 * np.eye(6), atol=1e-5)
    uniform = kernel(ro.RandomUniform(-0.2, 0.3, seed=0))
    assert uniform.min() >= -0.2 and uniform.max() <= 0.3
    scaled = kernel(ro.VarianceScaling(scale=3.0, mode="fan_out", distribution="uniform", seed=0))
    assert np.abs(scaled).max() <= np.sqrt(3.0 * 3.0 / 200)


def test_keras_error_types_and_messages() -> None:
    with pytest.raises(TypeError, match="Expected an integer value for `n`") as caught:
        L.RepeatVector(n="3")
    assert isinstance(caught.value, RnnlensError) and isinstance(caught.value, ConfigTypeError)
    with pytest.raises(ValueError, match="Invalid value received for argument `noise_shape`"):
        L.Dropout(0.5, noise_shape="x")
    dense = L.Dense(2, name="head")
    dense.build((None, 2))
    with pytest.raises(ShapeError, match=r'layer "head" is incompatible .* value 2, .* \(1, 3\)'):
        dense.module(torch.zeros(1, 3))
    with pytest.raises(
        ValueError, match="Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"
    ):
        rl.train.keras_optimizers.Adam(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ConfigError, match="unknown kernel_regularizer 'l22'; did you mean 'l2'"):
        L.LSTM(2, kernel_regularizer="l22")
