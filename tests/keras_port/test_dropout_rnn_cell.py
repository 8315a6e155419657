"""Port of ``keras/src/layers/rnn/dropout_rnn_cell_test.py``: Keras's expected values and tolerances.

Only API calls are translated: ``layer(x, ...)`` -> ``call_layer(layer, x, ...)`` (build,
then run the engine module), ``self.run_layer_test`` -> ``support.run_layer_test``,
``self.assertAllClose`` -> ``assert_all_close``. TPU tolerances are dropped.
"""

from __future__ import annotations

import pytest

from rnnlens.layers import *
from tests.keras_port.support import (
    CUSTOM_CODE,
    run_layer_test,
)

pytestmark = pytest.mark.xfail(strict=True, reason=CUSTOM_CODE)

# Keras's DropoutRNNCell mixin (for cells written in Python); rnnlens has none
DropoutRNNCell = globals().get("DropoutRNNCell", object)


class RNNCellWithDropout(Layer, DropoutRNNCell):
    def __init__(self, units, dropout=0.5, recurrent_dropout=0.5, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = backend.random.SeedGenerator(seed)
        self.units = units
        self.state_size = units
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer="ones",
            name="kernel",
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units),
            initializer="ones",
            name="recurrent_kernel",
        )

    def call(self, inputs, states, training=False):
        if training:
            dp_mask = self.get_dropout_mask(inputs)
            inputs = inputs * dp_mask
        prev_output = states[0]
        h = ops.matmul(inputs, self.kernel)
        if training:
            rdp_mask = self.get_recurrent_dropout_mask(prev_output)
            prev_output = prev_output * rdp_mask
        output = h + ops.matmul(prev_output, self.recurrent_kernel)
        return output, [output]


# keras/src/layers/rnn/dropout_rnn_cell_test.py::DropoutRNNCellTest::test_seed_tracking
def test_seed_tracking():
    cell = RNNCellWithDropout(3, seed=1337)
    assert len(cell.non_trainable_variables) == 1
    layer = RNN(cell)
    assert len(layer.non_trainable_variables) == 1


# keras/src/layers/rnn/dropout_rnn_cell_test.py::DropoutRNNCellTest::test_basics
# (its mixed_float16 half runs only on CUDA in Keras, and rnnlens has no float16 policy)
def test_basics():
    run_layer_test(
        RNN,
        init_kwargs={"cell": RNNCellWithDropout(5, seed=1337)},
        input_shape=(3, 2, 4),
        call_kwargs={"training": True},
        expected_output_shape=(3, 5),
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=0,
        expected_num_non_trainable_variables=1,
        supports_masking=True,
    )
