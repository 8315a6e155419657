"""Port of ``keras/src/layers/rnn/simple_rnn_test.py``: Keras's expected values and tolerances.

Only API calls are translated: ``layer(x, ...)`` -> ``call_layer(layer, x, ...)`` (build,
then run the engine module), ``self.run_layer_test`` -> ``support.run_layer_test``,
``self.assertAllClose`` -> ``assert_all_close``. TPU tolerances are dropped.
"""

from __future__ import annotations

import numpy as np

from rnnlens.layers import *
from rnnlens.layers.objects import Constant
from tests.keras_port.support import assert_all_close, call_layer, run_layer_test


# keras/src/layers/rnn/simple_rnn_test.py::SimpleRNNTest::test_basics
def test_basics():
    run_layer_test(
        SimpleRNN,
        init_kwargs={"units": 3, "dropout": 0.5, "recurrent_dropout": 0.5},
        input_shape=(3, 2, 4),
        call_kwargs={"training": True},
        expected_output_shape=(3, 3),
        expected_num_trainable_weights=3,
        expected_num_non_trainable_weights=0,
        expected_num_non_trainable_variables=1,
        supports_masking=True,
    )
    run_layer_test(
        SimpleRNN,
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


# keras/src/layers/rnn/simple_rnn_test.py::SimpleRNNTest::test_correctness
def test_correctness():
    sequence = np.arange(24).reshape((2, 3, 4)).astype("float32")
    layer = SimpleRNN(
        4,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
    )
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array(
            [
                [0.405432, 0.405432, 0.405432, 0.405432],
                [0.73605347, 0.73605347, 0.73605347, 0.73605347],
            ]
        ),
    )
    layer = SimpleRNN(
        4,
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
                [0.405432, 0.405432, 0.405432, 0.405432],
                [0.73605347, 0.73605347, 0.73605347, 0.73605347],
            ]
        ),
    )

    layer = SimpleRNN(
        4,
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
                [0.11144729, 0.11144729, 0.11144729, 0.11144729],
                [0.5528889, 0.5528889, 0.5528889, 0.5528889],
            ]
        ),
    )
    layer = SimpleRNN(
        4,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
        go_backwards=True,
        unroll=True,
    )
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array(
            [
                [0.11144729, 0.11144729, 0.11144729, 0.11144729],
                [0.5528889, 0.5528889, 0.5528889, 0.5528889],
            ]
        ),
    )


# keras/src/layers/rnn/simple_rnn_test.py::SimpleRNNTest::test_statefulness
def test_statefulness():
    sequence = np.arange(24).reshape((2, 3, 4)).astype("float32")
    layer = SimpleRNN(
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
                [0.40559256, 0.40559256, 0.40559256, 0.40559256],
                [0.7361247, 0.7361247, 0.7361247, 0.7361247],
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
                [0.40559256, 0.40559256, 0.40559256, 0.40559256],
                [0.7361247, 0.7361247, 0.7361247, 0.7361247],
            ]
        ),
    )


# keras/src/layers/rnn/simple_rnn_test.py::SimpleRNNTest::test_pass_initial_state
def test_pass_initial_state():
    sequence = np.arange(24).reshape((2, 4, 3)).astype("float32")
    initial_state = np.arange(8).reshape((2, 4)).astype("float32")
    layer = SimpleRNN(
        4,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
    )
    output = call_layer(layer, sequence, initial_state=initial_state)
    assert_all_close(
        output,
        np.array(
            [
                [0.33621645, 0.33621645, 0.33621645, 0.33621645],
                [0.6262637, 0.6262637, 0.6262637, 0.6262637],
            ]
        ),
    )

    layer = SimpleRNN(
        4,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
        go_backwards=True,
    )
    output = call_layer(layer, sequence, initial_state=initial_state)
    assert_all_close(
        output,
        np.array(
            [
                [0.07344437, 0.07344437, 0.07344437, 0.07344437],
                [0.43043602, 0.43043602, 0.43043602, 0.43043602],
            ]
        ),
    )


# keras/src/layers/rnn/simple_rnn_test.py::SimpleRNNTest::test_masking
def test_masking():
    sequence = np.arange(24).reshape((2, 4, 3)).astype("float32")
    mask = np.array([[True, True, False, True], [True, False, False, True]])
    layer = SimpleRNN(
        4,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
        unroll=True,
    )
    output = call_layer(layer, sequence, mask=mask)
    assert_all_close(
        output,
        np.array(
            [
                [0.32951632, 0.32951632, 0.32951632, 0.32951632],
                [0.61799484, 0.61799484, 0.61799484, 0.61799484],
            ]
        ),
    )

    layer = SimpleRNN(
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
                [0.0599281, 0.0599281],
                [0.15122814, 0.15122814],
                [0.15122814, 0.15122814],
                [0.32394567, 0.32394567],
            ]
        ),
    )
    assert_all_close(
        output[1],
        np.array(
            [
                [0.3969304, 0.3969304],
                [0.3969304, 0.3969304],
                [0.3969304, 0.3969304],
                [0.608085, 0.608085],
            ]
        ),
    )

    layer = SimpleRNN(
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
                [0.0599281, 0.0599281],
                [0.15122814, 0.15122814],
                [0.0, 0.0],
                [0.32394567, 0.32394567],
            ]
        ),
    )
    assert_all_close(
        output[1],
        np.array(
            [
                [0.3969304, 0.3969304],
                [0.0, 0.0],
                [0.0, 0.0],
                [0.608085, 0.608085],
            ]
        ),
    )

    layer = SimpleRNN(
        4,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
        go_backwards=True,
    )
    output = call_layer(layer, sequence, mask=mask)
    assert_all_close(
        output,
        np.array(
            [
                [0.07376196, 0.07376196, 0.07376196, 0.07376196],
                [0.43645123, 0.43645123, 0.43645123, 0.43645123],
            ]
        ),
    )
