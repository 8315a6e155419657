"""Port of ``keras/src/optimizers/sgd_test.py``: Keras's expected values and tolerances, rnnlens's API.

Translation: ``backend.Variable`` is a torch parameter (``support.variable``);
``optimizer._clip_gradients`` is rnnlens's public ``clip_gradients``.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnlens.train.keras_optimizers import SGD
from tests.keras_port.support import (
    assert_all_close,
    run_class_serialization_test,
    tensor,
    variable,
)


# keras/src/optimizers/sgd_test.py::SGDTest::test_config
def test_config() -> None:
    optimizer = SGD(learning_rate=0.5, momentum=0.06, nesterov=True, weight_decay=0.004)
    run_class_serialization_test(optimizer)


# keras/src/optimizers/sgd_test.py::SGDTest::test_single_step
def test_single_step() -> None:
    optimizer = SGD(learning_rate=0.5)
    grads = tensor([1.0, 6.0, 7.0, 2.0])
    vars = variable([1.0, 2.0, 3.0, 4.0])
    optimizer.build([vars])
    optimizer.apply_gradients(zip([grads], [vars]))
    assert_all_close(vars, [0.5, -1.0, -0.5, 3.0], rtol=1e-4, atol=1e-4)
    # Keras also checks len(optimizer.variables) == 2 (iterations, learning rate): rnnlens
    # keeps both in the parameter group instead; the values are checked here.
    assert optimizer.iterations == 1
    assert optimizer.learning_rate == 0.5


# keras/src/optimizers/sgd_test.py::SGDTest::test_weight_decay
def test_weight_decay() -> None:
    grads, var1, var2, var3 = (
        tensor(0.0),
        variable(2.0),
        variable(2.0, name="exclude"),
        variable(2.0),
    )
    optimizer_1 = SGD(learning_rate=1.0, weight_decay=0.004)
    optimizer_1.apply_gradients(zip([grads], [var1]))

    optimizer_2 = SGD(learning_rate=1.0, weight_decay=0.004)
    optimizer_2.exclude_from_weight_decay(var_names=["exclude"])
    optimizer_2.apply_gradients(zip([grads, grads], [var1, var2]))

    optimizer_3 = SGD(learning_rate=1.0, weight_decay=0.004)
    optimizer_3.exclude_from_weight_decay(var_list=[var3])
    optimizer_3.apply_gradients(zip([grads, grads], [var1, var3]))

    assert var1.item() == pytest.approx(1.9760959, abs=1.5e-6)  # assertAlmostEqual(decimal=6)
    assert var2.item() == pytest.approx(2.0, abs=1.5e-6)
    assert var3.item() == pytest.approx(2.0, abs=1.5e-6)


# keras/src/optimizers/sgd_test.py::SGDTest::test_correctness_with_golden
def test_correctness_with_golden() -> None:
    optimizer = SGD(nesterov=True)

    x = variable(np.ones([10]))
    grads = tensor(np.arange(0.1, 1.1, 0.1))
    first_grads = tensor(np.full((10,), 0.01))

    # fmt: off
    golden = np.array(
        [[0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999,
        0.9999, 0.9999], [0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939,
        0.9929, 0.9919, 0.9909, 0.9899], [0.9979, 0.9959, 0.9939, 0.9919,
        0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799], [0.9969, 0.9939,
        0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699],
        [0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679,
        0.9639, 0.9599]]
    )
    # fmt: on

    optimizer.apply_gradients(zip([first_grads], [x]))
    for i in range(5):
        assert_all_close(x, golden[i], rtol=5e-4, atol=5e-4)
        optimizer.apply_gradients(zip([grads], [x]))


# keras/src/optimizers/sgd_test.py::SGDTest::test_clip_norm
def test_clip_norm() -> None:
    optimizer = SGD(clipnorm=1)
    grad = [tensor([100.0, 100.0])]
    clipped_grad = optimizer.clip_gradients(grad)
    assert_all_close(clipped_grad[0], [2**0.5 / 2, 2**0.5 / 2])


# keras/src/optimizers/sgd_test.py::SGDTest::test_clip_value
def test_clip_value() -> None:
    optimizer = SGD(clipvalue=1)
    grad = [tensor([100.0, 100.0])]
    clipped_grad = optimizer.clip_gradients(grad)
    assert_all_close(clipped_grad[0], [1.0, 1.0])


# keras/src/optimizers/sgd_test.py::SGDTest::test_invalid_momentum
def test_invalid_momentum() -> None:
    with pytest.raises(ValueError, match="`momentum` must be a float between \\[0, 1\\]."):
        SGD(momentum=-1.0)

    with pytest.raises(ValueError, match="`momentum` must be a float between \\[0, 1\\]."):
        SGD(momentum=2.0)
