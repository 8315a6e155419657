"""Port of ``keras/src/layers/rnn/stacked_rnn_cells_test.py``: Keras's expected values and tolerances.

Only API calls are translated: ``layer(x, ...)`` -> ``call_layer(layer, x, ...)`` (build,
then run the engine module), ``self.run_layer_test`` -> ``support.run_layer_test``,
``self.assertAllClose`` -> ``assert_all_close``. TPU tolerances are dropped.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnlens.layers import *
from tests.keras_port.support import (
    CUSTOM_CODE,
    assert_all_close,
    call_layer,
    needs,
    run_layer_test,
)
from tests.keras_port.test_rnn import OneStateRNNCell, TwoStatesRNNCell


# keras/src/layers/rnn/stacked_rnn_cells_test.py::StackedRNNTest::test_basics
@pytest.mark.xfail(strict=True, reason=CUSTOM_CODE)
def test_basics():
    run_layer_test(
        RNN,
        init_kwargs={
            "cell": [
                OneStateRNNCell(3),
                OneStateRNNCell(4),
                OneStateRNNCell(5),
            ],
        },
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 5),
        expected_num_trainable_weights=6,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        supports_masking=True,
        custom_objects={"OneStateRNNCell": OneStateRNNCell},
    )
    run_layer_test(
        RNN,
        init_kwargs={
            "cell": [
                OneStateRNNCell(3),
                OneStateRNNCell(4),
                OneStateRNNCell(5),
            ],
            "return_sequences": True,
        },
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 5),
        expected_num_trainable_weights=6,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        supports_masking=True,
        custom_objects={"OneStateRNNCell": OneStateRNNCell},
    )
    # Two-state case.
    run_layer_test(
        RNN,
        init_kwargs={
            "cell": [
                TwoStatesRNNCell(3),
                TwoStatesRNNCell(4),
                TwoStatesRNNCell(5),
            ],
        },
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 5),
        expected_num_trainable_weights=9,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        supports_masking=True,
        custom_objects={"TwoStatesRNNCell": TwoStatesRNNCell},
    )
    run_layer_test(
        RNN,
        init_kwargs={
            "cell": [
                TwoStatesRNNCell(3),
                TwoStatesRNNCell(4),
                TwoStatesRNNCell(5),
            ],
            "return_sequences": True,
        },
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 5),
        expected_num_trainable_weights=9,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        supports_masking=True,
        custom_objects={"TwoStatesRNNCell": TwoStatesRNNCell},
    )
    run_layer_test(
        RNN,
        init_kwargs={
            "cell": [
                SimpleRNNCell(3, dropout=0.1, recurrent_dropout=0.1),
                SimpleRNNCell(4, dropout=0.1, recurrent_dropout=0.1),
                SimpleRNNCell(5, dropout=0.1, recurrent_dropout=0.1),
            ],
            "return_sequences": True,
        },
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 5),
        expected_num_trainable_weights=9,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=3,
        supports_masking=True,
    )
    run_layer_test(
        RNN,
        init_kwargs={
            "cell": [
                GRUCell(3, dropout=0.1, recurrent_dropout=0.1),
                GRUCell(4, dropout=0.1, recurrent_dropout=0.1),
                GRUCell(5, dropout=0.1, recurrent_dropout=0.1),
            ],
            "return_sequences": True,
        },
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 5),
        expected_num_trainable_weights=9,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=3,
        supports_masking=True,
    )
    run_layer_test(
        RNN,
        init_kwargs={
            "cell": [
                LSTMCell(3, dropout=0.1, recurrent_dropout=0.1),
                LSTMCell(4, dropout=0.1, recurrent_dropout=0.1),
                LSTMCell(5, dropout=0.1, recurrent_dropout=0.1),
            ],
            "return_sequences": True,
        },
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 5),
        expected_num_trainable_weights=9,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=3,
        supports_masking=True,
    )


# keras/src/layers/rnn/stacked_rnn_cells_test.py::StackedRNNTest::test_correctness_single_state_stack
@pytest.mark.xfail(strict=True, reason=CUSTOM_CODE)
def test_correctness_single_state_stack():
    sequence = np.arange(24).reshape((2, 3, 4)).astype("float32")
    layer = RNN([OneStateRNNCell(3), OneStateRNNCell(2)])
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array([[786.0, 786.0], [4386.0, 4386.0]]),
    )

    layer = RNN([OneStateRNNCell(3), OneStateRNNCell(2)], return_sequences=True)
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array(
            [
                [[18.0, 18.0], [156.0, 156.0], [786.0, 786.0]],
                [[162.0, 162.0], [1020.0, 1020.0], [4386.0, 4386.0]],
            ]
        ),
    )

    layer = RNN([OneStateRNNCell(3), OneStateRNNCell(2)], return_state=True)
    output, state_1, state_2 = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array([[786.0, 786.0], [4386.0, 4386.0]]),
    )
    assert_all_close(state_1, np.array([[158.0, 158.0, 158.0], [782.0, 782.0, 782.0]]))
    assert_all_close(
        state_2,
        np.array([[786.0, 786.0], [4386.0, 4386.0]]),
    )

    layer = RNN(
        [OneStateRNNCell(3), OneStateRNNCell(2)],
        return_sequences=True,
        return_state=True,
    )
    output, state_1, state_2 = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array(
            [
                [[18.0, 18.0], [156.0, 156.0], [786.0, 786.0]],
                [[162.0, 162.0], [1020.0, 1020.0], [4386.0, 4386.0]],
            ]
        ),
    )
    assert_all_close(
        state_1,
        np.array([[158.0, 158.0, 158.0], [782.0, 782.0, 782.0]]),
    )
    assert_all_close(
        state_2,
        np.array([[786.0, 786.0], [4386.0, 4386.0]]),
    )


# keras/src/layers/rnn/stacked_rnn_cells_test.py::StackedRNNTest::test_correctness_two_states_stack
@pytest.mark.xfail(strict=True, reason=CUSTOM_CODE)
def test_correctness_two_states_stack():
    sequence = np.arange(24).reshape((2, 3, 4)).astype("float32")
    layer = RNN([TwoStatesRNNCell(3), TwoStatesRNNCell(2)])
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array([[3144.0, 3144.0], [17544.0, 17544.0]]),
    )

    layer = RNN([TwoStatesRNNCell(3), TwoStatesRNNCell(2)], return_sequences=True)
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array(
            [
                [[72.0, 72.0], [624.0, 624.0], [3144.0, 3144.0]],
                [[648.0, 648.0], [4080.0, 4080.0], [17544.0, 17544.0]],
            ]
        ),
    )

    layer = RNN([TwoStatesRNNCell(3), TwoStatesRNNCell(2)], return_state=True)
    output, state_1, state_2 = call_layer(layer, sequence)

    assert_all_close(
        output,
        np.array([[3144.0, 3144.0], [17544.0, 17544.0]]),
    )
    assert_all_close(
        state_1[0],
        np.array([[158.0, 158.0, 158.0], [782.0, 782.0, 782.0]]),
    )
    assert_all_close(
        state_1[1],
        np.array([[158.0, 158.0, 158.0], [782.0, 782.0, 782.0]]),
    )
    assert_all_close(
        state_2[0],
        np.array([[1572.0, 1572.0], [8772.0, 8772.0]]),
    )
    assert_all_close(
        state_2[1],
        np.array([[1572.0, 1572.0], [8772.0, 8772.0]]),
    )


# keras/src/layers/rnn/stacked_rnn_cells_test.py::StackedRNNTest::test_statefullness_single_state_stack
@pytest.mark.xfail(strict=True, reason=CUSTOM_CODE)
def test_statefullness_single_state_stack():
    sequence = np.arange(24).reshape((2, 3, 4)).astype("float32")
    layer = RNN([OneStateRNNCell(3), OneStateRNNCell(2)], stateful=True)
    call_layer(layer, sequence)
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array([[34092.0, 34092.0], [173196.0, 173196.0]]),
    )


# keras/src/layers/rnn/stacked_rnn_cells_test.py::StackedRNNTest::test_statefullness_two_states_stack
@pytest.mark.xfail(strict=True, reason=CUSTOM_CODE)
def test_statefullness_two_states_stack():
    sequence = np.arange(24).reshape((2, 3, 4)).astype("float32")
    layer = RNN([TwoStatesRNNCell(3), TwoStatesRNNCell(2)], stateful=True)
    call_layer(layer, sequence)
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array([[136368.0, 136368.0], [692784.0, 692784.0]]),
    )


# keras/src/layers/rnn/stacked_rnn_cells_test.py::StackedRNNTest::test_return_state_stacked_lstm_cell
@pytest.mark.xfail(
    strict=True,
    reason="rnnlens hands a stack's final states on flat, [out, h1, c1, h2, c2], where Keras "
    "nests them per cell (README, 'What rnnlens does not do')",
)
def test_return_state_stacked_lstm_cell():
    layer = RNN([LSTMCell(10), LSTMCell(10)], return_state=True)
    out = call_layer(layer, np.zeros((2, 3, 5)))
    assert len(out) == 3
    assert out[0].shape == (2, 10)
    assert out[1][0].shape == (2, 10)
    assert out[1][1].shape == (2, 10)
    assert out[2][0].shape == (2, 10)
    assert out[2][1].shape == (2, 10)

    shape = layer.compute_output_shape((2, 3, 5))
    assert len(shape) == 3
    assert shape[0] == (2, 10)
    assert shape[1][0] == (2, 10)
    assert shape[1][1] == (2, 10)
    assert shape[2][0] == (2, 10)
    assert shape[2][1] == (2, 10)


# keras/src/layers/rnn/stacked_rnn_cells_test.py::StackedRNNTest::test_stacked_lstm_cell_mask
@needs("RNN", "LSTMCell")
def test_stacked_lstm_cell_mask():
    sequence = np.ones((2, 3, 4))
    mask = np.array([[True, True, True], [True, True, False]])
    cell_kwargs = dict(units=1, kernel_initializer="ones", recurrent_initializer="ones")
    rnn_cells = [LSTMCell(**cell_kwargs) for _ in range(2)]
    stacked_rnn = RNN(rnn_cells)
    output = call_layer(stacked_rnn, sequence, mask=mask)
    assert_all_close(output, np.array([[0.7793], [0.5998]]), atol=1e-4)
