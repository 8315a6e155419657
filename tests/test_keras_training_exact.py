"""rnnlens trains exactly as Keras 3 trains: the same weights after five steps, in float64.

Keras (torch backend) and rnnlens start from the same weights, take the same five batches
through ``train_on_batch`` with the same optimizer (clipping and a learning-rate schedule
on), and must agree to 1e-6 on every weight. Also: a frozen layer, regularized layers and
constrained layers, each against Keras doing the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import rnnlens as rl
from rnnlens import layers as rlayers
from rnnlens.layers import objects as ro
from rnnlens.train import keras_optimizers as ropt
from rnnlens.train import schedules as rsched

keras = pytest.importorskip("keras")

B, T, F, U, STEPS = 4, 5, 3, 4, 5

# Keras 3.15 calls np.array(variable) in get_weights(), which numpy 2 flags as deprecated.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.fixture
def float64() -> Iterator[None]:
    previous, policy = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx("float64")
    # the global dtype policy is fixed at Keras's first use, so it is set too: without it a
    # session that used Keras before computes in float32 on float64 weights
    keras.config.set_dtype_policy("float64")
    keras.utils.set_random_seed(1)  # Keras draws the shared starting weights
    yield
    keras.config.set_floatx(previous)
    keras.config.set_dtype_policy(policy)


def _batches() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(7)
    return [(rng.normal(size=(B, T, F)), rng.normal(size=(B, 1))) for _ in range(STEPS)]


def _train_both(
    keras_layers: Callable[[], list[Any]],
    rnnlens_layers: Callable[[], list[Any]],
    keras_optimizer: Callable[[], Any],
    rnnlens_optimizer: Callable[[], Any],
) -> tuple[list[np.ndarray], list[np.ndarray], list[float], list[float]]:
    k_model = keras.Sequential([keras.Input((T, F)), *keras_layers()])
    r_model = rl.Sequential([rlayers.Input(shape=(T, F)), *rnnlens_layers()])
    r_model.module.double()
    start = k_model.get_weights()
    r_model.set_weights(start)
    k_model.compile(optimizer=keras_optimizer(), loss="mse")
    r_model.compile(optimizer=rnnlens_optimizer(), loss="mse")
    k_losses, r_losses = [], []
    for x, y in _batches():
        k_losses.append(float(k_model.train_on_batch(x, y)))
        r_losses.append(float(r_model.train_on_batch(x, y)))
    k_weights, r_weights = k_model.get_weights(), r_model.get_weights()
    assert any(not np.allclose(a, b) for a, b in zip(start, k_weights))  # Keras did train
    return k_weights, r_weights, k_losses, r_losses


def _assert_same(
    result: tuple[list[np.ndarray], list[np.ndarray], list[float], list[float]],
) -> None:
    k_weights, r_weights, k_losses, r_losses = result
    assert len(k_weights) == len(r_weights)
    for k, r in zip(k_weights, r_weights):
        np.testing.assert_allclose(r, k, rtol=0, atol=1e-6)
    np.testing.assert_allclose(r_losses, k_losses, rtol=0, atol=1e-6)


def _lstm_dense(module: Any, **lstm: Any) -> Callable[[], list[Any]]:
    return lambda: [module.LSTM(U, **lstm), module.Dense(1)]


OPTIMIZERS = {
    "adam_clipnorm_exponential": (
        lambda: keras.optimizers.Adam(
            keras.optimizers.schedules.ExponentialDecay(0.05, 2, 0.5), clipnorm=0.3
        ),
        lambda: ropt.Adam(rsched.ExponentialDecay(0.05, 2, 0.5), clipnorm=0.3),
    ),
    "adam_amsgrad_weight_decay": (
        lambda: keras.optimizers.Adam(0.02, amsgrad=True, weight_decay=0.01),
        lambda: ropt.Adam(0.02, amsgrad=True, weight_decay=0.01),
    ),
    "adamw_global_clipnorm_cosine": (
        lambda: keras.optimizers.AdamW(
            keras.optimizers.schedules.CosineDecay(0.05, 4, alpha=0.1), global_clipnorm=0.5
        ),
        lambda: ropt.AdamW(rsched.CosineDecay(0.05, 4, alpha=0.1), global_clipnorm=0.5),
    ),
    "rmsprop_centered_momentum_clipvalue_piecewise": (
        lambda: keras.optimizers.RMSprop(
            keras.optimizers.schedules.PiecewiseConstantDecay([1, 3], [0.02, 0.01, 0.005]),
            momentum=0.5,
            centered=True,
            clipvalue=0.1,
        ),
        lambda: ropt.RMSprop(
            rsched.PiecewiseConstantDecay([1, 3], [0.02, 0.01, 0.005]),
            momentum=0.5,
            centered=True,
            clipvalue=0.1,
        ),
    ),
    "sgd_nesterov_clipnorm_cosine_warmup": (
        lambda: keras.optimizers.SGD(
            keras.optimizers.schedules.CosineDecay(0.0, 3, warmup_target=0.1, warmup_steps=2),
            momentum=0.9,
            nesterov=True,
            clipnorm=1.0,
        ),
        lambda: ropt.SGD(
            rsched.CosineDecay(0.0, 3, warmup_target=0.1, warmup_steps=2),
            momentum=0.9,
            nesterov=True,
            clipnorm=1.0,
        ),
    ),
    "sgd_momentum_polynomial": (
        lambda: keras.optimizers.SGD(
            keras.optimizers.schedules.PolynomialDecay(0.1, 3, 0.01, power=2.0), momentum=0.5
        ),
        lambda: ropt.SGD(rsched.PolynomialDecay(0.1, 3, 0.01, power=2.0), momentum=0.5),
    ),
}


@pytest.mark.parametrize("case", sorted(OPTIMIZERS))
def test_optimizer_steps_equal_keras(float64: None, case: str) -> None:
    keras_optimizer, rnnlens_optimizer = OPTIMIZERS[case]
    _assert_same(
        _train_both(
            _lstm_dense(keras.layers), _lstm_dense(rlayers), keras_optimizer, rnnlens_optimizer
        )
    )


@pytest.mark.parametrize("name", ["adam", "adamw", "rmsprop", "sgd"])
def test_optimizer_by_name_equals_keras_defaults(float64: None, name: str) -> None:
    _assert_same(
        _train_both(_lstm_dense(keras.layers), _lstm_dense(rlayers), lambda: name, lambda: name)
    )


def test_frozen_layer_equals_keras(float64: None) -> None:
    def layers(module: Any) -> Callable[[], list[Any]]:
        return lambda: [
            module.LSTM(U, return_sequences=True, trainable=False),
            module.GRU(U),
            module.Dense(1),
        ]

    # a frozen LSTM that moved would differ from Keras's, which stays where it started
    _assert_same(_train_both(layers(keras.layers), layers(rlayers), lambda: "adam", ropt.Adam))


def test_frozen_wrapped_layer_is_not_updated(float64: None) -> None:
    # Keras's setter freezes the layers inside a wrapper; its constructor argument
    # (Bidirectional(..., trainable=False)) does not reach them, so fit still trains them
    # while trainable_weights says []. rnnlens freezes them either way; the setter is the
    # form both agree on.
    def layers(module: Any) -> Callable[[], list[Any]]:
        def make() -> list[Any]:
            wrapper = module.Bidirectional(module.LSTM(U, return_sequences=True))
            wrapper.trainable = False
            return [
                wrapper,
                module.TimeDistributed(module.Dense(2, trainable=False)),
                module.SimpleRNN(U),
                module.Dense(1),
            ]

        return make

    _assert_same(_train_both(layers(keras.layers), layers(rlayers), lambda: "sgd", lambda: "sgd"))


def test_regularized_layers_equal_keras(float64: None) -> None:
    def layers(module: Any, reg: Any) -> Callable[[], list[Any]]:
        return lambda: [
            module.LSTM(
                U,
                return_sequences=True,
                kernel_regularizer=reg.L2(0.05),
                recurrent_regularizer=reg.L1(0.02),
                bias_regularizer=reg.L1L2(l1=0.01, l2=0.03),
                activity_regularizer=reg.L2(0.1),
            ),
            module.GRU(U, kernel_regularizer=reg.L1L2(0.01, 0.02), activity_regularizer="l1"),
            module.Dense(1, kernel_regularizer="l2", bias_regularizer="l1"),
        ]

    result = _train_both(
        layers(keras.layers, keras.regularizers),
        layers(rlayers, ro),
        lambda: keras.optimizers.Adam(0.01),
        lambda: ropt.Adam(0.01),
    )
    _assert_same(result)


def test_regularization_terms_are_model_losses(float64: None) -> None:
    k_model = keras.Sequential(
        [
            keras.Input((T, F)),
            keras.layers.LSTM(U, kernel_regularizer="l2"),
            keras.layers.Dense(1, bias_regularizer=keras.regularizers.L1(0.5)),
        ]
    )
    r_model = rl.Sequential(
        [
            rlayers.Input(shape=(T, F)),
            rlayers.LSTM(U, kernel_regularizer="l2"),
            rlayers.Dense(1, bias_regularizer=ro.L1(0.5)),
        ]
    )
    r_model.module.double()
    weights = [w + 0.1 for w in k_model.get_weights()]
    k_model.set_weights(weights)
    r_model.set_weights(weights)
    expected = [float(keras.ops.convert_to_numpy(t)) for t in k_model.losses]
    assert len(expected) == 2
    np.testing.assert_allclose([t.item() for t in r_model.losses], expected, rtol=1e-12)


def test_constrained_layers_equal_keras(float64: None) -> None:
    def layers(module: Any, con: Any) -> Callable[[], list[Any]]:
        return lambda: [
            module.LSTM(
                U,
                return_sequences=True,
                kernel_constraint=con.MaxNorm(0.5),
                recurrent_constraint=con.UnitNorm(axis=1),
                bias_constraint="non_neg",
            ),
            module.SimpleRNN(U, kernel_constraint=con.MinMaxNorm(0.2, 0.6, rate=0.7)),
            module.Dense(1, kernel_constraint="max_norm", bias_constraint="non_neg"),
        ]

    result = _train_both(
        layers(keras.layers, keras.constraints),
        layers(rlayers, ro),
        lambda: keras.optimizers.SGD(0.1),
        lambda: ropt.SGD(0.1),
    )
    _assert_same(result)


def test_fit_five_steps_equals_keras_fit(float64: None) -> None:
    """``fit`` (not only train_on_batch) with shuffle off: five batches, Keras's weights."""
    x = np.concatenate([b[0] for b in _batches()])
    y = np.concatenate([b[1] for b in _batches()])
    k_model = keras.Sequential(
        [keras.Input((T, F)), keras.layers.GRU(U, kernel_regularizer="l2"), keras.layers.Dense(1)]
    )
    r_model = rl.Sequential(
        [rlayers.Input(shape=(T, F)), rlayers.GRU(U, kernel_regularizer="l2"), rlayers.Dense(1)]
    )
    r_model.module.double()
    r_model.set_weights(k_model.get_weights())
    k_model.compile(optimizer=keras.optimizers.RMSprop(0.01, clipnorm=0.5), loss="mse")
    r_model.compile(optimizer=ropt.RMSprop(0.01, clipnorm=0.5), loss="mse")
    k_model.fit(x, y, batch_size=B, epochs=1, shuffle=False, verbose=0)
    r_model.fit(x, y, batch_size=B, epochs=1, shuffle=False, verbose=0)
    for k, r in zip(k_model.get_weights(), r_model.get_weights()):
        np.testing.assert_allclose(r, k, rtol=0, atol=1e-6)


def test_stateful_fit_with_fixed_batch_equals_keras(float64: None) -> None:
    """Input(batch_size=4) and 12 samples: three batches of 4, states carried between them.

    Keras 3.15's own stateful ``fit`` fails on the torch backend (the carried state is
    modified in place before backward), so Keras is the oracle for what the fitted model
    computes: the same weights give the same stateful predictions and carried states.
    """
    x = np.concatenate([b[0] for b in _batches()])[:12]
    y = np.concatenate([b[1] for b in _batches()])[:12]
    k_model = keras.Sequential(
        [
            keras.Input((T, F), batch_size=B),
            keras.layers.LSTM(U, stateful=True),
            keras.layers.Dense(1),
        ]
    )
    r_model = rl.Sequential(
        [
            rlayers.Input(shape=(T, F), batch_size=B),
            rlayers.LSTM(U, stateful=True),
            rlayers.Dense(1),
        ]
    )
    r_model.module.double()
    r_model.set_weights(k_model.get_weights())
    r_model.compile(optimizer=ropt.Adam(0.01), loss="mse")
    start = r_model.get_weights()
    history = r_model.fit(x, y, epochs=2, shuffle=False, verbose=0)  # the fixed batch size
    assert history.params["steps"] == 3
    assert not np.allclose(start[0], r_model.get_weights()[0])
    k_model.set_weights(r_model.get_weights())
    r_model.reset_states()  # Keras's model has not run yet: its states are zeros
    np.testing.assert_allclose(
        r_model.predict(x), k_model.predict(x, batch_size=B, verbose=0), rtol=0, atol=1e-6
    )
    np.testing.assert_allclose(
        r_model.layers[0].states[0].numpy(),
        keras.ops.convert_to_numpy(k_model.layers[0].states[0]),
        rtol=0,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        r_model.predict(x), k_model.predict(x, batch_size=B, verbose=0), rtol=0, atol=1e-6
    )
    r_model.reset_states()
    k_model.layers[0].reset_states()
    assert r_model.layers[0].states == [None, None]
    np.testing.assert_allclose(
        r_model.predict(x), k_model.predict(x, batch_size=B, verbose=0), rtol=0, atol=1e-6
    )
