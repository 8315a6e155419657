"""Port of ``keras/src/layers/rnn/time_distributed_test.py``: Keras's expected values and tolerances.

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


# keras/src/layers/rnn/time_distributed_test.py::TimeDistributedTest::test_basics
def test_basics():
    run_layer_test(
        TimeDistributed,
        init_kwargs={"layer": Dense(1, use_bias=False)},
        input_shape=(3, 2, 4),
        expected_output_shape=(3, 2, 1),
        expected_num_trainable_weights=1,
        expected_num_non_trainable_weights=0,
        supports_masking=True,
    )


# keras/src/layers/rnn/time_distributed_test.py::TimeDistributedTest::test_build
@pytest.mark.xfail(
    strict=True, reason="Conv2D: rnnlens has sequence layers only (no 2-D convolutions)"
)
def test_build():
    if backend.config.image_data_format() == "channels_last":
        input_shape = (10, 128, 128, 3)
        output_shape = (32, 10, 126, 126, 64)
    else:
        input_shape = (10, 3, 128, 128)
        output_shape = (32, 10, 64, 126, 126)
    inputs = Input(shape=input_shape, batch_size=32)
    conv_2d_layer = Conv2D(64, (3, 3))
    outputs = TimeDistributed(conv_2d_layer)(inputs)
    self.assertEqual(outputs.shape, output_shape)


# keras/src/layers/rnn/time_distributed_test.py::TimeDistributedTest::test_correctness
def test_correctness():
    sequence = np.arange(24).reshape((3, 2, 4)).astype("float32")
    layer = Dense(
        1,
        kernel_initializer=Constant(0.01),
        use_bias=False,
    )
    layer = TimeDistributed(layer=layer)
    output = call_layer(layer, sequence)
    assert_all_close(
        output,
        np.array([[[0.06], [0.22]], [[0.38], [0.53999996]], [[0.7], [0.86]]]),
    )


# keras/src/layers/rnn/time_distributed_test.py::TimeDistributedTest::test_masking
@pytest.mark.xfail(
    strict=True,
    reason="a custom Python layer (a Wrapper subclass with call()): rnnlens models are "
    "specs of the layers it knows, and never run user code",
)
def test_masking():
    class MaskedDense(Wrapper):
        def __init__(self, units, **kwargs):
            layer = Dense(
                units,
                kernel_initializer=Constant(0.01),
                use_bias=False,
            )
            super().__init__(layer, **kwargs)
            self.supports_masking = True

        def call(self, inputs, training=False, mask=None):
            unmasked = self.layer.call(inputs)
            if mask is None:
                return unmasked
            else:
                return ops.transpose(ops.transpose(unmasked) * ops.cast(mask, inputs.dtype))

    sequence = np.arange(24).reshape((3, 2, 4)).astype("float32")
    layer = TimeDistributed(layer=MaskedDense(1))
    mask = np.array([[False, True], [True, False], [True, True]])
    output = call_layer(layer, sequence, mask=mask)
    assert_all_close(output, np.array([[[0], [0.22]], [[0.38], [0]], [[0.7], [0.86]]]))


# keras/src/layers/rnn/time_distributed_test.py::TimeDistributedTest::test_with_mask_zero
@pytest.mark.xfail(strict=True, reason="needs Embedding(mask_zero=True) (issue 13, layers helper)")
def test_with_mask_zero():
    model = Sequential(
        [
            Input(shape=(20,)),
            Embedding(input_dim=10, output_dim=5, mask_zero=True),
            TimeDistributed(Dense(units=5, activation="softmax")),
        ]
    )
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    X_train = np.random.uniform(1, 10, size=(22, 20))
    Y_train = np.random.randint(1, 2, size=(22, 20))

    model.fit(X_train, Y_train, epochs=1, batch_size=16)


# keras/src/layers/rnn/time_distributed_test.py::TimeDistributedTest::test_mask_validation_with_mismatched_timesteps
def test_mask_validation_with_mismatched_timesteps():
    """Test TimeDistributed raises ValueError for mask with wrong timesteps.

    Regression test for: https://github.com/keras-team/keras/issues/22037
    """
    batch = 4
    timesteps = 5
    features = 3

    td = TimeDistributed(Dense(units=5, activation="softmax"))
    inputs = np.zeros((batch, timesteps, features))

    # Mask with correct timesteps should work
    mask_valid = np.ones((batch, timesteps), dtype=bool)
    output = call_layer(td, inputs, mask=mask_valid)
    assert output.shape == (batch, timesteps, 5)

    # Mask with mismatched timesteps should raise ValueError
    mask_timemismatch = np.ones((batch, timesteps + 1), dtype=bool)
    with pytest.raises(
        ValueError, match=r"The `mask` passed to the `TimeDistributed` layer has a shape.*"
    ):
        call_layer(td, inputs, mask=mask_timemismatch)


# keras/src/layers/rnn/time_distributed_test.py::TimeDistributedTest::test_mask_validation_with_mismatched_batch_size
def test_mask_validation_with_mismatched_batch_size():
    """
    Test TimeDistributed raises ValueError for mask with wrong batch size.

    This tests the batch size validation in eager/non-TF backends.
    """
    batch = 4
    timesteps = 5
    features = 3

    td = TimeDistributed(Dense(units=5, activation="softmax"))
    inputs = np.zeros((batch, timesteps, features))

    # Mask with mismatched batch size should raise ValueError
    mask_batchmismatch = np.ones((batch + 1, timesteps), dtype=bool)
    with pytest.raises(
        ValueError, match=r"The `mask` passed to the `TimeDistributed` layer has a shape.*"
    ):
        call_layer(td, inputs, mask=mask_batchmismatch)


# keras/src/layers/rnn/time_distributed_test.py::TimeDistributedTest::test_mask_validation_with_correct_shape
def test_mask_validation_with_correct_shape():
    """
    Test TimeDistributed accepts mask with correct shape.

    Tests that the validation passes when mask shape is
    (batch_size, timesteps).
    """
    batch = 4
    timesteps = 5
    features = 3

    td = TimeDistributed(Dense(units=5, activation="softmax"))
    inputs = np.zeros((batch, timesteps, features))

    # Mask with correct shape (batch_size, timesteps, extra_dims)
    mask_correct = np.ones((batch, timesteps, 1), dtype=bool)
    output = call_layer(td, inputs, mask=mask_correct)
    assert output.shape == (batch, timesteps, 5)


# keras/src/layers/rnn/time_distributed_test.py::TimeDistributedTest::test_mask_validation_with_3d_mask
def test_mask_validation_with_3d_mask():
    """
    Test TimeDistributed accepts 3D mask with correct leading dimensions.

    This tests masks with additional dimensions beyond
    (batch_size, timesteps).
    """
    batch = 4
    timesteps = 5
    features = 3

    td = TimeDistributed(Dense(units=5, activation="softmax"))
    inputs = np.zeros((batch, timesteps, features))

    # 3D mask with correct batch and timestep dimensions
    mask_3d = np.ones((batch, timesteps, 2), dtype=bool)
    output = call_layer(td, inputs, mask=mask_3d)
    assert output.shape == (batch, timesteps, 5)

    # 3D mask with mismatched timesteps should raise ValueError
    mask_3d_mismatch = np.ones((batch, timesteps + 1, 2), dtype=bool)
    with pytest.raises(
        ValueError, match=r"The `mask` passed to the `TimeDistributed` layer has a shape.*"
    ):
        call_layer(td, inputs, mask=mask_3d_mismatch)


# keras/src/layers/rnn/time_distributed_test.py::TimeDistributedTest::test_mask_validation_with_none_mask
def test_mask_validation_with_none_mask():
    """Test TimeDistributed works correctly with None mask.

    This tests that no validation error is raised when mask is None.
    """
    batch = 4
    timesteps = 5
    features = 3

    td = TimeDistributed(Dense(units=5, activation="softmax"))
    inputs = np.zeros((batch, timesteps, features))

    # None mask should work without raising any error
    output = call_layer(td, inputs, mask=None)
    assert output.shape == (batch, timesteps, 5)


# keras/src/layers/rnn/time_distributed_test.py::TimeDistributedTest::test_mask_validation_with_both_batch_and_timesteps_mismatched
def test_mask_validation_with_both_batch_and_timesteps_mismatched():
    """
    Test TimeDistributed raises ValueError when both batch and timesteps
    mismatch.

    This ensures the validation catches cases where multiple dimensions
    are wrong.
    """
    batch = 4
    timesteps = 5
    features = 3

    td = TimeDistributed(Dense(units=5, activation="softmax"))
    inputs = np.zeros((batch, timesteps, features))

    # Mask with both batch and timesteps mismatched
    mask_both_mismatch = np.ones((batch + 1, timesteps + 1), dtype=bool)
    with pytest.raises(
        ValueError, match=r"The `mask` passed to the `TimeDistributed` layer has a shape.*"
    ):
        call_layer(td, inputs, mask=mask_both_mismatch)
