"""Port of ``keras/src/layers/rnn/gru_test.py``: Keras's expected values and tolerances.

Only API calls are translated: ``layer(x, ...)`` -> ``call_layer(layer, x, ...)`` (build,
then run the engine module), ``self.run_layer_test`` -> ``support.run_layer_test``,
``self.assertAllClose`` -> ``assert_all_close``. TPU tolerances are dropped.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnlens.layers import *
from rnnlens.layers.objects import Constant
from tests.keras_port.support import assert_all_close, call_layer, run_layer_test


# keras/src/layers/rnn/gru_test.py::GRUTest::test_basics
def test_basics():
    run_layer_test(
        GRU,
        init_kwargs={"units": 3, "dropout": 0.5},
        input_shape=(3, 2, 4),
        call_kwargs={"training": True},
        expected_output_shape=(3, 3),
        expected_num_trainable_weights=3,
        expected_num_non_trainable_weights=0,
        supports_masking=True,
    )
    run_layer_test(
        GRU,
        init_kwargs={"units": 3, "dropout": 0.5, "recurrent_dropout": 0.5},
        input_shape=(3, 2, 4),
        call_kwargs={"training": True},
        expected_output_shape=(3, 3),
        expected_num_trainable_weights=3,
        expected_num_non_trainable_weights=0,
        supports_masking=True,
    )
    run_layer_test(
        GRU,
        init_kwargs={
            "units": 3,
            "return_sequences": True,
            "bias_regularizer": "l1",
            "kernel_regularizer": "l2",
            "recurrent_regularizer": "l2",
        },
        input_shape=(3, 2, 4),
        expected_output_shape=(3, 2, 3),
        expected_num_losses=3,
        expected_num_trainable_weights=3,
        expected_num_non_trainable_weights=0,
        supports_masking=True,
    )


# keras/src/layers/rnn/gru_test.py::GRUTest::test_correctness
@pytest.mark.parametrize("implementation", [1, 2])
def test_correctness(implementation):
    sequence = np.arange(72).reshape((3, 6, 4)).astype("float32")
    layer = GRU(
        3,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
    )
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array(
            [
                [0.5217289, 0.5217289, 0.5217289],
                [0.6371659, 0.6371659, 0.6371659],
                [0.39384964, 0.39384964, 0.3938496],
            ]
        ),
        atol=1e-5,
        rtol=1e-5,
    )

    layer = GRU(
        3,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
        go_backwards=True,
    )
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array(
            [
                [0.24406259, 0.24406259, 0.24406259],
                [0.611516, 0.611516, 0.611516],
                [0.3928808, 0.3928808, 0.3928808],
            ]
        ),
        atol=1e-5,
        rtol=1e-5,
    )

    layer = GRU(
        3,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
        unroll=True,
    )
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array(
            [
                [0.5217289, 0.5217289, 0.5217289],
                [0.6371659, 0.6371659, 0.6371659],
                [0.39384964, 0.39384964, 0.3938496],
            ]
        ),
        atol=1e-5,
        rtol=1e-5,
    )

    layer = GRU(
        3,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
        reset_after=False,
    )
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array(
            [
                [0.51447755, 0.51447755, 0.51447755],
                [0.6426879, 0.6426879, 0.6426879],
                [0.40208298, 0.40208298, 0.40208298],
            ]
        ),
        atol=1e-5,
        rtol=1e-5,
    )

    layer = GRU(
        3,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
        use_bias=False,
    )
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array(
            [
                [0.49988455, 0.49988455, 0.49988455],
                [0.64701194, 0.64701194, 0.64701194],
                [0.4103359, 0.4103359, 0.4103359],
            ]
        ),
        atol=1e-5,
        rtol=1e-5,
    )


# keras/src/layers/rnn/gru_test.py::GRUTest::test_statefulness
def test_statefulness():
    sequence = np.arange(24).reshape((2, 3, 4)).astype("float32")
    layer = GRU(
        4,
        stateful=True,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
    )
    call_layer(layer, sequence)
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array(
            [
                [0.29542392, 0.29542392, 0.29542392, 0.29542392],
                [0.5885018, 0.5885018, 0.5885018, 0.5885018],
            ]
        ),
    )
    layer.reset_state()
    call_layer(layer, sequence)
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array(
            [
                [0.29542392, 0.29542392, 0.29542392, 0.29542392],
                [0.5885018, 0.5885018, 0.5885018, 0.5885018],
            ]
        ),
    )


# keras/src/layers/rnn/gru_test.py::GRUTest::test_pass_initial_state
def test_pass_initial_state():
    sequence = np.arange(24).reshape((2, 4, 3)).astype("float32")
    initial_state = np.arange(4).reshape((2, 2)).astype("float32")
    layer = GRU(
        2,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
    )
    output = call_layer(layer, sequence, initial_state=initial_state)
    assert_all_close(
        output,
        np.array([[0.23774096, 0.33508456], [0.83659905, 1.0227708]]),
    )

    layer = GRU(
        2,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
        go_backwards=True,
    )
    output = call_layer(layer, sequence, initial_state=initial_state)
    assert_all_close(
        output,
        np.array([[0.13486053, 0.23261218], [0.78257304, 0.9691353]]),
    )


# keras/src/layers/rnn/gru_test.py::GRUTest::test_pass_return_state
def test_pass_return_state():
    sequence = np.arange(24).reshape((2, 4, 3)).astype("float32")
    initial_state = np.arange(4).reshape((2, 2)).astype("float32")

    # Test with go_backwards=False
    layer = GRU(
        2,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
        return_state=True,
    )
    output, state = call_layer(layer, sequence, initial_state=initial_state)
    assert_all_close(
        output,
        np.array([[0.23774096, 0.33508456], [0.83659905, 1.0227708]]),
    )
    assert_all_close(
        output,
        state,
    )

    # Test with go_backwards=True
    layer = GRU(
        2,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
        return_state=True,
        go_backwards=True,
    )
    output, state = call_layer(layer, sequence, initial_state=initial_state)
    assert_all_close(
        output,
        np.array([[0.13486053, 0.23261218], [0.78257304, 0.9691353]]),
    )
    assert_all_close(
        output,
        state,
    )


# keras/src/layers/rnn/gru_test.py::GRUTest::test_masking
def test_masking():
    sequence = np.arange(24).reshape((2, 4, 3)).astype("float32")
    mask = np.array([[True, True, False, True], [True, False, False, True]])
    layer = GRU(
        2,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
        unroll=True,
    )
    output = call_layer(layer, sequence, mask=mask)
    assert_all_close(
        output,
        np.array([[0.19393763, 0.19393763], [0.30818558, 0.30818558]]),
    )

    layer = GRU(
        2,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
        return_sequences=True,
    )
    output = call_layer(layer, sequence, mask=mask)
    assert_all_close(
        output[0],
        np.array(
            [
                [0.03606692, 0.03606692],
                [0.09497581, 0.09497581],
                [0.09497581, 0.09497581],
                [0.19393763, 0.19393763],
            ]
        ),
    )
    assert_all_close(
        output[1],
        np.array(
            [
                [0.16051409, 0.16051409],
                [0.16051409, 0.16051409],
                [0.16051409, 0.16051409],
                [0.30818558, 0.30818558],
            ]
        ),
    )

    layer = GRU(
        2,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
        return_sequences=True,
        zero_output_for_mask=True,
    )
    output = call_layer(layer, sequence, mask=mask)
    assert_all_close(
        output[0],
        np.array(
            [
                [0.03606692, 0.03606692],
                [0.09497581, 0.09497581],
                [0.0, 0.0],
                [0.19393763, 0.19393763],
            ]
        ),
    )
    assert_all_close(
        output[1],
        np.array(
            [
                [0.16051409, 0.16051409],
                [0.0, 0.0],
                [0.0, 0.0],
                [0.30818558, 0.30818558],
            ]
        ),
    )

    layer = GRU(
        2,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
        go_backwards=True,
    )
    output = call_layer(layer, sequence, mask=mask)
    assert_all_close(
        output,
        np.array([[0.11669192, 0.11669192], [0.28380975, 0.28380975]]),
    )


# keras/src/layers/rnn/gru_test.py::GRUTest::test_legacy_implementation_argument
def test_legacy_implementation_argument():
    sequence = np.arange(72).reshape((3, 6, 4)).astype("float32")
    layer = GRU(
        3,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
    )
    config = layer.get_config()
    config["implementation"] = 0  # Add legacy argument
    layer = GRU.from_config(config)
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array(
            [
                [0.5217289, 0.5217289, 0.5217289],
                [0.6371659, 0.6371659, 0.6371659],
                [0.39384964, 0.39384964, 0.3938496],
            ]
        ),
    )
