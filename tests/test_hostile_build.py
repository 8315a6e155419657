"""Arguments checked when a layer, a model or ``fit`` is built, with Keras's exception types.

For every case Keras 3 also refuses, the test asserts Keras raises the same builtin class
(``ValueError``/``TypeError``) that rnnlens's error derives from."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import rnnlens as rl
from rnnlens import ConfigError, InputDataError, ShapeError
from rnnlens import layers as L

HUGE = (10**18,) * 300


def _keras_raises(build) -> type[BaseException] | None:  # type: ignore[no-untyped-def]
    import keras

    try:
        build(keras)
    except Exception as error:
        return type(error)
    return None


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda: L.LSTM(4, name="a/b"), lambda k: k.layers.LSTM(4, name="a/b")),
        (
            lambda: L.Input(shape=(3, 2), batch_size="x"),
            lambda k: k.Input(shape=(3, 2), batch_size="x"),
        ),
        (
            lambda: L.Dropout(0.5, noise_shape="abc"),
            lambda k: k.layers.Dropout(0.5, noise_shape="abc"),
        ),
        (
            lambda: L.TimeDistributed(L.Input((3, 2))),
            lambda k: k.layers.TimeDistributed(k.Input((3, 2))),
        ),
        (lambda: L.Dropout(float("nan")), lambda k: k.layers.Dropout(float("nan"))),
        (lambda: L.Dense(0), lambda k: k.layers.Dense(0)),
    ],
    ids=["slash", "batch_size", "noise_shape", "td_input", "nan_rate", "zero_units"],
)
def test_refused_at_construction_with_keras_builtin_class(ours, theirs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(rl.RnnlensError) as caught:
        ours()
    keras_class = _keras_raises(theirs)
    assert keras_class is not None, "keras accepts it"
    builtin = next(c for c in keras_class.__mro__ if c.__module__ == "builtins")
    assert isinstance(caught.value, builtin), (type(caught.value).__mro__, keras_class)


@pytest.mark.parametrize(
    "build, error",
    [
        (lambda: L.LSTM(4, batch_input_shape=()), ShapeError),
        (lambda: L.LSTM(4, batch_input_shape=(None,)), ShapeError),
        (lambda: L.LSTM(4, batch_input_shape="ab"), ShapeError),
        (lambda: L.Input(batch_shape=()), ShapeError),
        (lambda: L.Input(batch_shape=(0, 3)), ConfigError),
        (lambda: L.LSTM(4, input_shape=HUGE), ShapeError),
        (lambda: L.LSTM(4, input_shape=(3, 2**41)), ShapeError),
        (lambda: L.LSTM(10**5000), ConfigError),
        (lambda: L.LSTM(4, name=""), ConfigError),
        (lambda: L.Dense(4, name=5), ConfigError),
        (lambda: L.LSTM(4, batch_size=True, input_shape=(3, 2)), ConfigError),
        (lambda: L.Dropout(0.5, seed=-1), ConfigError),
        (lambda: L.Dropout(0.5, noise_shape=(None, 0)), ConfigError),
        (lambda: L.Dropout(1j), ConfigError),
        (lambda: L.TimeDistributed(L.Input((3, 2))), ConfigError),
    ],
)
def test_refused_at_construction(build, error) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as caught:
        build()
    assert len(str(caught.value)) < 400  # the value shows as a bounded preview


def test_good_arguments_still_build() -> None:
    assert L.InputLayer(batch_shape=(8, 3, 2)).batch_size == 8
    assert L.LSTM(4, batch_input_shape=(None, 3, 2)).declared_input_shape == (3, 2)
    assert L.Dropout(0.5, noise_shape=(None, 1, 4), seed=3).noise_shape == (None, 1, 4)


@pytest.mark.parametrize(
    "option, value",
    [
        ("shuffle", "no"),
        ("validation_split", "abc"),
        ("validation_split", float("nan")),
        ("checkpoint_dir", 5),
        ("resume", "yes"),
    ],
)
def test_fit_checks_option_types(option: str, value: object) -> None:
    model = rl.Sequential([L.LSTM(2, input_shape=(3, 1)), L.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.zeros((4, 3, 1), "float32"), np.zeros((4, 1), "float32")
    with pytest.raises(ConfigError, match=option):
        model.fit(x, y, epochs=1, verbose=0, **{option: value})


def test_complex_inputs_are_refused_not_truncated() -> None:
    model = rl.Sequential([L.LSTM(2, input_shape=(3, 1)), L.Dense(1)])
    with pytest.raises(InputDataError, match="complex"):
        model.predict(np.ones((1, 3, 1)) * (1 + 2j))


def test_zero_time_steps_on_a_free_time_axis_is_an_input_data_error() -> None:
    model = rl.Sequential([L.LSTM(2, input_shape=(None, 1)), L.Dense(1)])
    with pytest.raises(InputDataError, match="0 time steps"):
        model.predict(np.zeros((2, 0, 1), "float32"))


def test_the_memory_check_honours_an_address_space_limit() -> None:
    code = textwrap.dedent(
        """
        import resource, sys
        import rnnlens as rl
        from rnnlens.layers import LSTM
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, resource.RLIM_INFINITY))
        model = rl.Sequential([LSTM(12000, input_shape=(3, 2))])
        try:
            model.module
        except rl.ResourceError as error:
            print("ResourceError", error)
            sys.exit(0)
        sys.exit(1)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ulimit -v" in done.stdout


@pytest.mark.parametrize("seed", [[1], "7", True, 2**70, -(2**64)])
def test_an_initializer_seed_from_a_file_is_checked_when_the_layer_is_made(seed: object) -> None:
    # A mutated config once reached torch's Generator with a list or a 70-bit seed.
    from rnnlens.errors import RnnlensError
    from rnnlens.layers import LSTM

    config = {"class_name": "GlorotUniform", "config": {"seed": seed}}
    with pytest.raises(RnnlensError, match="seed must be"):
        LSTM(4, kernel_initializer=config)
