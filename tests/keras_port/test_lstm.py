"""Port of ``keras/src/layers/rnn/lstm_test.py`` (part: the correctness values).

Keras's expected numbers come from constant initial weights, so they hold for any engine.
"""

from __future__ import annotations

import numpy as np

from rnnlens.layers import LSTM
from rnnlens.layers.objects import Constant
from tests.keras_port.support import assert_all_close, call_layer


def _lstm(**options: object) -> LSTM:
    return LSTM(
        3,
        kernel_initializer=Constant(0.01),
        recurrent_initializer=Constant(0.02),
        bias_initializer=Constant(0.03),
        **options,
    )


# keras/src/layers/rnn/lstm_test.py::LSTMTest::test_correctness (forward, go_backwards, unroll)
def test_correctness() -> None:
    sequence = np.arange(72).reshape((3, 6, 4)).astype("float32")
    output = call_layer(_lstm(), sequence)
    expected = [[0.6288687] * 3, [0.86899155] * 3, [0.9460773] * 3]
    assert_all_close(output, np.array(expected), atol=1e-5, rtol=1e-5)

    output = call_layer(_lstm(go_backwards=True), sequence)
    expected = [[0.35622165] * 3, [0.74789524] * 3, [0.8872726] * 3]
    assert_all_close(output, np.array(expected), atol=1e-5, rtol=1e-5)

    output = call_layer(_lstm(unroll=True), sequence)
    expected = [[0.6288687] * 3, [0.86899155] * 3, [0.9460773] * 3]
    assert_all_close(output, np.array(expected), atol=1e-5, rtol=1e-5)
