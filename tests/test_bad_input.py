"""Bad input gets an error a person can act on: which layer, what was expected, what came."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import rnnlens
from rnnlens.engine.predict import NonFiniteInputWarning
from rnnlens.errors import (
    ConfigError,
    InputDataError,
    ResourceError,
    RnnlensError,
    ShapeError,
)
from rnnlens.layers import GRU, LSTM, Bidirectional, Dense, Input, RepeatVector, SimpleRNN


@pytest.fixture
def story() -> rnnlens.Sequential:
    """The user story's model: LSTM(64, return_sequences) -> LSTM(32) on (10, 2)."""
    model = rnnlens.Sequential()
    model.add(LSTM(64, return_sequences=True, input_shape=(10, 2)))
    model.add(LSTM(32))
    return model


# -------------------------------------------------------------------- predict inputs
@pytest.mark.parametrize(
    ("x", "message"),
    [
        (
            np.zeros((4, 10)),
            r"expects x of shape \(None, 10, 2\) \(batch, time, features\), received \(4, 10\)",
        ),
        (np.zeros((10, 2)), r"received \(10, 2\)"),
        (np.zeros((1, 4, 10, 2)), r"received \(1, 4, 10, 2\)"),
        (np.zeros((4, 10, 3)), r"features=2 .*received \(4, 10, 3\)"),
        (np.zeros((4, 9, 2)), r"time=10 .*received \(4, 9, 2\)"),
        (np.full((1, 10, 2), "a"), r"numeric array, received dtype <U1"),
        (np.array([[[None, 1.0]] * 10], dtype=object), r"numeric array, received dtype object"),
        ([np.zeros((10, 2)), np.zeros((9, 2))], r"numeric array, could not read it"),
        (np.zeros((0, 10, 2)), r"x is empty"),
    ],
    ids=[
        "rank-2",
        "no-batch",
        "rank-4",
        "features",
        "time",
        "strings",
        "objects",
        "ragged",
        "empty",
    ],
)
def test_predict_rejects_bad_arrays(story: rnnlens.Sequential, x: Any, message: str) -> None:
    with pytest.raises(InputDataError, match=message) as caught:
        story.predict(x)
    assert isinstance(caught.value, RnnlensError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True])
def test_predict_rejects_bad_batch_size(story: rnnlens.Sequential, batch_size: Any) -> None:
    with pytest.raises(InputDataError, match="batch_size must be a positive integer"):
        story.predict(np.zeros((2, 10, 2)), batch_size=batch_size)


def test_nan_input_warns_with_its_position_and_outputs_nan_there(story: rnnlens.Sequential) -> None:
    x = np.zeros((3, 10, 2), dtype="float32")
    x[1, 4, 0] = np.nan
    with pytest.warns(
        NonFiniteInputWarning, match=r"1 NaN/inf value\(s\), first at index \(1, 4, 0\)"
    ):
        y = story.predict(x)
    assert np.isnan(y[1]).all() and np.isfinite(y[[0, 2]]).all()


def test_finite_input_does_not_warn(story: rnnlens.Sequential) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        story.predict(np.ones((2, 10, 2), dtype="float64"))


# ------------------------------------------------------------------ layer arguments
@pytest.mark.parametrize("units", [0, -3, 2.5, "32", True, None])
@pytest.mark.parametrize("layer", [LSTM, GRU, SimpleRNN, Dense])
def test_units_must_be_positive_integers(layer: Any, units: Any) -> None:
    with pytest.raises(
        ConfigError,
        match=rf"{layer.__name__}: units must be a positive integer, received {units!r}",
    ):
        layer(units)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: LSTM(4, return_sequence=True),
            "unknown argument 'return_sequence'; did you mean 'return_sequences'",
        ),
        (lambda: GRU(4, reset_afer=False), "did you mean 'reset_after'"),
        (lambda: SimpleRNN(4, activaton="relu"), "did you mean 'activation'"),
        (lambda: Dense(4, units_=3), "unknown argument 'units_'"),
        (lambda: LSTM(4, activation="tanhh"), "unknown activation 'tanhh'; did you mean 'tanh'"),
        (lambda: LSTM(4, recurrent_activation="softmax"), "unknown recurrent_activation 'softmax'"),
        (lambda: LSTM(4, dropout=1.0), r"dropout must be a number in \[0, 1\), received 1.0"),
        (lambda: GRU(4, recurrent_dropout=-0.1), "recurrent_dropout must be a number"),
        (lambda: LSTM(4, kernel_initializer="glorot"), "unknown kernel_initializer 'glorot'"),
        (lambda: Bidirectional(Dense(3)), "Bidirectional wraps a recurrent layer"),
        (lambda: Bidirectional(LSTM(3), merge_mode="max"), "unknown merge_mode 'max'"),
        (lambda: Bidirectional(LSTM(3, go_backwards=True)), "remove go_backwards=True"),
        (lambda: Bidirectional(LSTM(3), backward_layer=LSTM(3)), "go_backwards opposite"),
        (
            lambda: Bidirectional(
                LSTM(3), backward_layer=LSTM(3, go_backwards=True, return_sequences=True)
            ),
            "must agree on return_sequences",
        ),
        (lambda: RepeatVector(0), "Argument `n` should be a positive integer"),
        (lambda: Input(), r"Input needs shape=\(time, features\)"),
    ],
)
def test_bad_layer_arguments(make: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make()


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        (
            (10, -2),
            r"LSTM input_shape must hold positive integers \(or None for a free size\), received \(10, -2\)",
        ),
        ("10x2", "LSTM input_shape must be a tuple of positive integers, received '10x2'"),
        ((10, 2.0), "must hold positive integers"),
    ],
)
def test_bad_input_shape_argument(shape: Any, message: str) -> None:
    with pytest.raises(ShapeError, match=message):
        LSTM(4, input_shape=shape)


# ----------------------------------------------------------------------- stacking
def test_lstm_after_lstm_without_return_sequences_says_what_to_change() -> None:
    model = rnnlens.Sequential([LSTM(64, input_shape=(10, 2))])
    with pytest.raises(ShapeError) as caught:
        model.add(LSTM(32))
    text = str(caught.value)
    assert "layer 'lstm_1' (LSTM)" in text
    assert "expects input (batch, time, features)" in text
    assert "received shape (None, 64), i.e. (batch, units), from 'lstm'" in text
    assert "add return_sequences=True to 'lstm'" in text
    assert len(model.layers) == 1  # the refused layer was not added


def test_return_state_in_the_middle_of_a_stack() -> None:
    model = rnnlens.Sequential([GRU(8, return_state=True, input_shape=(5, 3))])
    with pytest.raises(
        ShapeError,
        match=r"received several tensors \[\(None, 8\), \(None, 8\)\].*'gru' has return_state=True",
    ):
        model.add(Dense(1))


def test_dense_output_into_lstm_suggests_repeat_vector() -> None:
    model = rnnlens.Sequential([Input((5, 3)), LSTM(4), Dense(6)])
    with pytest.raises(ShapeError, match=r"put RepeatVector\(n\) after 'dense'"):
        model.add(LSTM(2))


def test_repeat_vector_after_a_sequence_says_to_drop_return_sequences() -> None:
    model = rnnlens.Sequential([LSTM(4, return_sequences=True, input_shape=(5, 3))])
    with pytest.raises(ShapeError, match="set return_sequences=False on 'lstm'"):
        model.add(RepeatVector(2))


def test_first_layer_without_input_shape() -> None:
    """As Keras 3: the model is unbuilt until its first data; asking for shapes before says so."""
    model = rnnlens.Sequential([LSTM(4)])
    assert not model.built and not model.layers[0].built
    with pytest.raises(ShapeError, match=r"has not been built yet: it learns its input shape"):
        _ = model.input_shape


def test_unknown_feature_size() -> None:
    with pytest.raises(ShapeError, match="needs a known feature size"):
        rnnlens.Sequential([LSTM(4, input_shape=(10, None))])


def test_non_layer_and_duplicate_names() -> None:
    model = rnnlens.Sequential([Input((5, 3)), LSTM(2, name="enc", return_sequences=True)])
    with pytest.raises(ConfigError, match="expects a layer such as LSTM"):
        model.add("LSTM(3)")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="a layer named 'enc' is already"):
        model.add(GRU(2, name="enc"))


# ------------------------------------------------------------------------- weights
def test_set_weights_with_wrong_count(story: rnnlens.Sequential) -> None:
    with pytest.raises(ShapeError, match=r"has 6 weight arrays \(lstm 3, lstm_1 3\), received 2"):
        story.set_weights([np.zeros((2, 256)), np.zeros((64, 256))])


def test_set_weights_with_wrong_shape_names_the_weight(story: rnnlens.Sequential) -> None:
    weights = story.get_weights()
    weights[4] = weights[4].T  # lstm_1 recurrent_kernel (32, 128) -> (128, 32)
    with pytest.raises(
        ShapeError,
        match=r"'lstm_1' \(LSTM\): weight 'recurrent_kernel' must have shape \(32, 128\), received \(128, 32\)",
    ):
        story.set_weights(weights)


def test_layer_set_weights_lists_what_it_expects() -> None:
    layer = GRU(3)
    layer.build((None, 4, 2))
    with pytest.raises(
        ShapeError,
        match=r"3 weight arrays \(kernel \(2, 9\), recurrent_kernel \(3, 9\), bias \(2, 9\)\), received 1",
    ):
        layer.set_weights([np.zeros((2, 9))])


def test_non_numeric_weights() -> None:
    layer = Dense(2)
    layer.build((None, 3))
    with pytest.raises(ShapeError, match="must be numeric"):
        layer.set_weights([np.full((3, 2), "x"), np.zeros(2)])


def test_layer_without_input_shape_cannot_count_or_build() -> None:
    with pytest.raises(
        ShapeError, match=r"'lstm' \(LSTM\) has no input shape yet, needed for count_params\(\)"
    ):
        LSTM(3).count_params()


# ------------------------------------------------------------------------ huge specs
def test_huge_spec_summarises_without_memory_but_refuses_to_build() -> None:
    model = rnnlens.Sequential([LSTM(10**6, input_shape=(10, 2))])
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    assert "4,000,012,000,000" in lines[0]  # 4u(d + u + 1), counted without allocating
    assert model.layers[0].output_shape == (None, 10**6)
    for build in (lambda: model.module, lambda: model.predict(np.zeros((1, 10, 2)))):
        with pytest.raises(
            ResourceError, match=r"4,000,012,000,000 parameters: 14,901.2 GiB as float32"
        ) as caught:
            build()
        assert isinstance(caught.value, MemoryError) and "use fewer units" in str(caught.value)


def test_huge_single_layer_refuses_to_build() -> None:
    layer = GRU(200_000)
    layer.build((None, 5, 200_000))
    with pytest.raises(ResourceError, match=r"layer 'gru' \(GRU\) has 240,001,200,000 parameters"):
        _ = layer.module


@pytest.mark.parametrize("layers", [10, LSTM(3), "LSTM(3)"])
def test_sequential_refuses_what_is_not_a_list_of_layers(layers: Any) -> None:
    with pytest.raises(ConfigError, match=r"list of layers, e\.g\. Sequential\(\[LSTM"):
        rnnlens.Sequential(layers)


def test_large_finite_input_does_not_warn(story: rnnlens.Sequential) -> None:
    """The NaN check sums first; a sum that overflows on valid inputs must stay silent
    (pytest turns any warning into an error here)."""
    x = np.full((2, 10, 2), 3e38, dtype=np.float32)
    assert story.predict(x).shape == (2, 32)
