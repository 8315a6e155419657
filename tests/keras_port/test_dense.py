"""Port of ``keras/src/layers/core/dense_test.py``: the tests of features rnnlens has.

Not ported (features outside rnnlens, listed in docs/keras-port.md): quantization (int8,
int4, float8, GPTQ, AWQ), LoRA, sparse inputs, ``quantize_config``.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnlens.layers import *
from rnnlens.layers.objects import NonNeg
from tests.keras_port.support import assert_all_close, call_layer, run_layer_test


# keras/src/layers/core/dense_test.py::DenseTest::test_dense_basics
def test_dense_basics():
    # 2D case, no bias.
    run_layer_test(
        Dense,
        init_kwargs={
            "units": 4,
            "activation": "relu",
            "kernel_initializer": "random_uniform",
            "bias_initializer": "ones",
            "use_bias": False,
        },
        input_shape=(2, 3),
        expected_output_shape=(2, 4),
        expected_num_trainable_weights=1,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        expected_num_losses=0,
        supports_masking=True,
    )
    # 3D case, some regularizers.
    run_layer_test(
        Dense,
        init_kwargs={
            "units": 5,
            "activation": "sigmoid",
            "kernel_regularizer": "l2",
            "bias_regularizer": "l2",
        },
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 5),
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        expected_num_losses=2,  # we have 2 regularizers.
        supports_masking=True,
    )


# keras/src/layers/core/dense_test.py::DenseTest::test_dense_invalid_units_raises
@pytest.mark.parametrize(
    "units", [0, -3, 2.5, None, "64"], ids=["zero", "negative", "float", "none", "string"]
)
def test_dense_invalid_units_raises(units):
    with pytest.raises(ValueError, match="positive integer"):
        Dense(units)


# keras/src/layers/core/dense_test.py::DenseTest::test_dense_correctness
def test_dense_correctness():
    # With bias and activation.
    layer = Dense(units=2, activation="relu")
    layer.build((1, 2))
    layer.set_weights(
        [
            np.array([[1.0, -2.0], [3.0, -4.0]]),
            np.array([5.0, -6.0]),
        ]
    )
    inputs = np.array(
        [[-1.0, 2.0]],
    )
    assert_all_close(call_layer(layer, inputs), [[10.0, 0.0]])

    # Just a kernel matmul.
    layer = Dense(units=2, use_bias=False)
    layer.build((1, 2))
    layer.set_weights(
        [
            np.array([[1.0, -2.0], [3.0, -4.0]]),
        ]
    )
    inputs = np.array(
        [[-1.0, 2.0]],
    )
    assert layer.bias is None
    assert_all_close(call_layer(layer, inputs), [[5.0, -6.0]])


# keras/src/layers/core/dense_test.py::DenseTest::test_dense_errors
def test_dense_errors():
    # Keras calls the layer on KerasTensor((1, 2)) then KerasTensor((1, 3)); here on arrays
    with pytest.raises(ValueError, match="incompatible with the layer"):
        layer = Dense(units=2, activation="relu")
        call_layer(layer, np.zeros((1, 2), dtype="float32"))
        call_layer(layer, np.zeros((1, 3), dtype="float32"))


# keras/src/layers/core/dense_test.py::DenseTest::test_dense_no_activation
def test_dense_no_activation():
    layer = Dense(units=2, use_bias=False, activation=None)
    layer.build((1, 2))
    layer.set_weights(
        [
            np.array([[1.0, -2.0], [3.0, -4.0]]),
        ]
    )
    inputs = np.array(
        [[-1.0, 2.0]],
    )
    assert layer.bias is None
    assert_all_close(call_layer(layer, inputs), [[5.0, -6.0]])


# keras/src/layers/core/dense_test.py::DenseTest::test_dense_without_activation_set
def test_dense_without_activation_set():
    layer = Dense(units=2, use_bias=False)
    layer.build((1, 2))
    layer.set_weights(
        [
            np.array([[1.0, -2.0], [3.0, -4.0]]),
        ]
    )
    layer.activation = None
    inputs = np.array(
        [[-1.0, 2.0]],
    )
    assert layer.bias is None
    assert_all_close(call_layer(layer, inputs), [[5.0, -6.0]])


# keras/src/layers/core/dense_test.py::DenseTest::test_dense_with_activation
def test_dense_with_activation():
    layer = Dense(units=2, use_bias=False, activation="relu")
    layer.build((1, 2))
    layer.set_weights(
        [
            np.array([[1.0, -2.0], [3.0, -4.0]]),
        ]
    )

    inputs = np.array(
        [[-1.0, 2.0]],
    )
    output = call_layer(layer, inputs)
    expected_output = np.array([[5.0, 0.0]])
    assert_all_close(output, expected_output)


# keras/src/layers/core/dense_test.py::DenseTest::test_dense_constraints
def test_dense_constraints():
    # Keras reads the constraint off the variable (layer.kernel.constraint); rnnlens keeps
    # it on the layer, where the optimizer step applies it
    layer = Dense(units=2, kernel_constraint="non_neg")
    layer.build((None, 2))
    assert isinstance(layer.kernel_constraint, NonNeg)
    layer = Dense(units=2, bias_constraint="non_neg")
    layer.build((None, 2))
    assert isinstance(layer.bias_constraint, NonNeg)
