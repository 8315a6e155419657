"""Port of ``keras/src/layers/regularization/dropout_test.py`` (expected values as Keras's)."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlens.layers import Dropout
from tests.keras_port.support import assert_all_close, call_layer, run_layer_test


# keras/src/layers/regularization/dropout_test.py::DropoutTest::test_dropout_basics
def test_dropout_basics() -> None:
    run_layer_test(
        Dropout,
        init_kwargs={"rate": 0.2},
        input_shape=(2, 3),
        call_kwargs={"training": True},
        expected_output_shape=(2, 3),
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
    )


# keras/src/layers/regularization/dropout_test.py::DropoutTest::test_dropout_rescaling
def test_dropout_rescaling() -> None:
    inputs = np.ones((20, 500))
    layer = Dropout(0.5, seed=1337)
    outputs = call_layer(layer, inputs, training=True)
    assert_all_close(np.mean(outputs), 1.0, atol=0.02)
    assert_all_close(np.max(outputs), 2.0)


# keras/src/layers/regularization/dropout_test.py::DropoutTest::test_dropout_partial_noise_shape_dynamic
def test_dropout_partial_noise_shape_dynamic() -> None:
    inputs = np.ones((20, 5, 10))
    layer = Dropout(0.5, noise_shape=(None, 1, None))
    outputs = call_layer(layer, inputs, training=True)
    assert_all_close(outputs[:, 0, :], outputs[:, 1, :])


# keras/src/layers/regularization/dropout_test.py::DropoutTest::test_dropout_partial_noise_shape_static
def test_dropout_partial_noise_shape_static() -> None:
    inputs = np.ones((20, 5, 10))
    layer = Dropout(0.5, noise_shape=(20, 1, 10))
    outputs = call_layer(layer, inputs, training=True)
    assert_all_close(outputs[:, 0, :], outputs[:, 1, :])


# keras/src/layers/regularization/dropout_test.py::DropoutTest::test_dropout_negative_rate
def test_dropout_negative_rate() -> None:
    with pytest.raises(
        ValueError,
        match="Invalid value received for argument `rate`. Expected a float value between 0 and 1.",
    ):
        _ = Dropout(rate=-0.5)


# keras/src/layers/regularization/dropout_test.py::DropoutTest::test_dropout_rate_greater_than_one
def test_dropout_rate_greater_than_one() -> None:
    with pytest.raises(
        ValueError,
        match="Invalid value received for argument `rate`. Expected a float value between 0 and 1.",
    ):
        _ = Dropout(rate=1.5)


# keras/src/layers/regularization/dropout_test.py::DropoutTest::test_validate_noise_shape_none
def test_validate_noise_shape_none() -> None:
    layer = Dropout(0.5, noise_shape=None)
    assert layer.noise_shape is None


# keras/src/layers/regularization/dropout_test.py::DropoutTest::test_validate_noise_shape_integer_tuple
def test_validate_noise_shape_integer_tuple() -> None:
    layer = Dropout(0.5, noise_shape=(20, 1, 10))
    assert layer.noise_shape == (20, 1, 10)


# keras/src/layers/regularization/dropout_test.py::DropoutTest::test_validate_noise_shape_none_values
def test_validate_noise_shape_none_values() -> None:
    layer = Dropout(0.5, noise_shape=(None, 1, None))
    assert layer.noise_shape == (None, 1, None)


# keras/src/layers/regularization/dropout_test.py::DropoutTest::test_validate_noise_shape_cast_to_a_tuple
def test_validate_noise_shape_cast_to_a_tuple() -> None:
    layer = Dropout(0.5, noise_shape=[20, 1, 10])
    assert layer.noise_shape == (20, 1, 10)
    assert isinstance(layer.noise_shape, tuple)


# keras/src/layers/regularization/dropout_test.py::DropoutTest::test_validate_noise_shape_non_iterable
def test_validate_noise_shape_non_iterable() -> None:
    with pytest.raises(
        ValueError,
        match="Invalid value received for argument `noise_shape`. "
        "Expected a tuple or list of integers.",
    ):
        Dropout(0.5, noise_shape="Invalid")


# keras/src/layers/regularization/dropout_test.py::DropoutTest::test_validate_noise_shape_invalid_type
def test_validate_noise_shape_invalid_type() -> None:
    with pytest.raises(
        ValueError,
        match="Invalid value received for argument `noise_shape`. "
        "Expected all elements to be integers or None.",
    ):
        Dropout(0.5, noise_shape=(20, 1.5, 10))


# keras/src/layers/regularization/dropout_test.py::DropoutTest::test_validate_noise_shape_negative_value
def test_validate_noise_shape_negative_value() -> None:
    with pytest.raises(
        ValueError,
        match="Invalid value received for argument `noise_shape`. "
        "Expected all dimensions to be positive integers or None.",
    ):
        Dropout(0.5, noise_shape=(20, -1, 10))


# keras/src/layers/regularization/dropout_test.py::DropoutTest::test_validate_noise_shape_zero_value
def test_validate_noise_shape_zero_value() -> None:
    with pytest.raises(
        ValueError,
        match="Invalid value received for argument `noise_shape`. "
        "Expected all dimensions to be positive integers or None.",
    ):
        Dropout(0.5, noise_shape=(20, 0, 10))
