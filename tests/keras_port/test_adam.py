"""Port of ``keras/src/optimizers/adam_test.py``: Keras's expected values and tolerances, rnnlens's API.

Translation: ``backend.Variable`` is a torch parameter (``support.variable``);
``optimizer._clip_gradients`` is rnnlens's public ``clip_gradients``.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnlens.train.keras_optimizers import Adam
from tests.keras_port.support import (
    assert_all_close,
    run_class_serialization_test,
    tensor,
    variable,
)


# keras/src/optimizers/adam_test.py::AdamTest::test_config
def test_config() -> None:
    optimizer = Adam(learning_rate=0.5, beta_1=0.5, beta_2=0.67, epsilon=1e-5, amsgrad=True)
    run_class_serialization_test(optimizer)


# keras/src/optimizers/adam_test.py::AdamTest::test_single_step
def test_single_step() -> None:
    optimizer = Adam(learning_rate=0.5)
    grads = tensor([1.0, 6.0, 7.0, 2.0])
    vars = variable([1.0, 2.0, 3.0, 4.0])
    optimizer.apply_gradients(zip([grads], [vars]))
    assert_all_close(vars, [0.5, 1.5, 2.5, 3.5], rtol=1e-4, atol=1e-4)


# keras/src/optimizers/adam_test.py::AdamTest::test_weight_decay
def test_weight_decay() -> None:
    grads, var1, var2, var3 = (
        tensor(0.0),
        variable(2.0),
        variable(2.0, name="exclude"),
        variable(2.0),
    )
    optimizer_1 = Adam(learning_rate=1.0, weight_decay=0.004)
    optimizer_1.apply_gradients(zip([grads], [var1]))

    optimizer_2 = Adam(learning_rate=1.0, weight_decay=0.004)
    optimizer_2.exclude_from_weight_decay(var_names=["exclude"])
    optimizer_2.apply_gradients(zip([grads, grads], [var1, var2]))

    optimizer_3 = Adam(learning_rate=1.0, weight_decay=0.004)
    optimizer_3.exclude_from_weight_decay(var_list=[var3])
    optimizer_3.apply_gradients(zip([grads, grads], [var1, var3]))

    assert var1.item() == pytest.approx(1.9760959, abs=1.5e-6)  # assertAlmostEqual(decimal=6)
    assert var2.item() == pytest.approx(2.0, abs=1.5e-6)
    assert var3.item() == pytest.approx(2.0, abs=1.5e-6)


# keras/src/optimizers/adam_test.py::AdamTest::test_correctness_with_golden
def test_correctness_with_golden() -> None:
    optimizer = Adam(amsgrad=True)

    x = variable(np.ones([10], dtype="float32"))
    grads = tensor(np.arange(0.1, 1.1, 0.1))
    first_grads = tensor(np.full((10,), 0.01))

    golden = np.tile([[0.999], [0.9982], [0.9974], [0.9965], [0.9955]], (1, 10))

    optimizer.apply_gradients(zip([first_grads], [x]))
    for i in range(5):
        assert_all_close(x, golden[i], rtol=5e-4, atol=5e-4)
        optimizer.apply_gradients(zip([grads], [x]))


# keras/src/optimizers/adam_test.py::AdamTest::test_clip_norm
def test_clip_norm() -> None:
    optimizer = Adam(clipnorm=1)
    grad = [tensor([100.0, 100.0])]
    clipped_grad = optimizer.clip_gradients(grad)
    assert_all_close(clipped_grad[0], [2**0.5 / 2, 2**0.5 / 2])


# keras/src/optimizers/adam_test.py::AdamTest::test_clip_value
def test_clip_value() -> None:
    optimizer = Adam(clipvalue=1)
    grad = [tensor([100.0, 100.0])]
    clipped_grad = optimizer.clip_gradients(grad)
    assert_all_close(clipped_grad[0], [1.0, 1.0])
