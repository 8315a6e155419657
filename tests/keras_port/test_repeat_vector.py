"""Port of ``keras/src/layers/reshaping/repeat_vector_test.py`` (expected values as Keras's)."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlens.layers import RepeatVector
from tests.keras_port.support import run_layer_test


# keras/src/layers/reshaping/repeat_vector_test.py::FlattenTest::test_repeat_vector
def test_repeat_vector() -> None:
    inputs = np.random.random((2, 5)).astype("float32")
    expected_output = np.repeat(np.reshape(inputs, (2, 1, 5)), 3, axis=1)
    run_layer_test(
        RepeatVector, init_kwargs={"n": 3}, input_data=inputs, expected_output=expected_output
    )


# keras/src/layers/reshaping/repeat_vector_test.py::FlattenTest::test_repeat_vector_with_dynamic_batch_size
def test_repeat_vector_with_dynamic_batch_size() -> None:
    # Keras calls the layer on Input(batch_shape=...); rnnlens's build is the same shape step
    layer = RepeatVector(n=3)
    layer.build((None, 5))
    assert layer.output_shape == (None, 3, 5)


# keras/src/layers/reshaping/repeat_vector_test.py::FlattenTest::test_repeat_vector_with_dynamic_dimension
def test_repeat_vector_with_dynamic_dimension() -> None:
    layer = RepeatVector(n=3)
    layer.build((2, None))
    assert layer.output_shape == (2, 3, None)


# keras/src/layers/reshaping/repeat_vector_test.py::FlattenTest::test_repeat_vector_with_invalid_n
def test_repeat_vector_with_invalid_n() -> None:
    with pytest.raises(TypeError, match="Expected an integer value for `n`"):
        RepeatVector(n="3")

    with pytest.raises(TypeError, match="Expected an integer value for `n`"):
        RepeatVector(n=3.5)

    with pytest.raises(TypeError, match="Expected an integer value for `n`"):
        RepeatVector(n=[3])


# keras/src/layers/reshaping/repeat_vector_test.py::FlattenTest::test_repeat_vector_with_non_positive_n
def test_repeat_vector_with_non_positive_n() -> None:
    for n in (0, -3):
        with pytest.raises(ValueError, match="should be a positive integer"):
            RepeatVector(n=n)
