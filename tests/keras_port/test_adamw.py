"""Port of ``keras/src/optimizers/adamw_test.py``: Keras's expected values and tolerances, rnnlens's API.

Translation: ``backend.Variable`` is a torch parameter (``support.variable``);
``optimizer._clip_gradients`` is rnnlens's public ``clip_gradients``.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnlens.train.keras_optimizers import AdamW
from tests.keras_port.support import (
    assert_all_close,
    run_class_serialization_test,
    tensor,
    variable,
)


# keras/src/optimizers/adamw_test.py::AdamWTest::test_config
def test_config() -> None:
    optimizer = AdamW(
        weight_decay=0.004, learning_rate=0.5, beta_1=0.5, beta_2=0.67, epsilon=1e-5, amsgrad=True
    )
    run_class_serialization_test(optimizer)


# keras/src/optimizers/adamw_test.py::AdamWTest::test_single_step
def test_single_step() -> None:
    optimizer = AdamW(learning_rate=0.5)
    grads = tensor([1.0, 6.0, 7.0, 2.0])
    vars = variable([1.0, 2.0, 3.0, 4.0])
    optimizer.apply_gradients(zip([grads], [vars]))
    assert_all_close(vars, [0.4980, 1.4960, 2.494, 3.492], rtol=1e-4, atol=1e-4)


# keras/src/optimizers/adamw_test.py::AdamWTest::test_weight_decay
def test_weight_decay() -> None:
    grads, var1, var2, var3 = (
        tensor(0.0),
        variable(2.0),
        variable(2.0, name="exclude"),
        variable(2.0),
    )
    optimizer_1 = AdamW(learning_rate=1.0, weight_decay=0.004)
    optimizer_1.apply_gradients(zip([grads], [var1]))

    optimizer_2 = AdamW(learning_rate=1.0, weight_decay=0.004)
    optimizer_2.exclude_from_weight_decay(var_names=["exclude"])
    optimizer_2.apply_gradients(zip([grads, grads], [var1, var2]))

    optimizer_3 = AdamW(learning_rate=1.0, weight_decay=0.004)
    optimizer_3.exclude_from_weight_decay(var_list=[var3])
    optimizer_3.apply_gradients(zip([grads, grads], [var1, var3]))

    assert var1.item() == pytest.approx(1.9760959, abs=1.5e-6)  # assertAlmostEqual(decimal=6)
    assert var2.item() == pytest.approx(2.0, abs=1.5e-6)
    assert var3.item() == pytest.approx(2.0, abs=1.5e-6)


# keras/src/optimizers/adamw_test.py::AdamWTest::test_correctness_with_golden
def test_correctness_with_golden() -> None:
    optimizer = AdamW(learning_rate=1.0, weight_decay=0.5, epsilon=2)

    x = variable(np.ones([10], dtype="float32"))
    grads = tensor(np.arange(0.1, 1.1, 0.1))
    first_grads = tensor(np.full((10,), 0.01))

    # fmt: off
    golden = np.array(
        [[0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998],
        [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
        [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
        [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
        [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113, -0.0159]]
    )
    # fmt: on

    optimizer.apply_gradients(zip([first_grads], [x]))
    for i in range(5):
        assert_all_close(x, golden[i], rtol=5e-4, atol=5e-4)
        optimizer.apply_gradients(zip([grads], [x]))


# keras/src/optimizers/adamw_test.py::AdamWTest::test_clip_norm
def test_clip_norm() -> None:
    optimizer = AdamW(clipnorm=1)
    grad = [tensor([100.0, 100.0])]
    clipped_grad = optimizer.clip_gradients(grad)
    assert_all_close(clipped_grad[0], [2**0.5 / 2, 2**0.5 / 2])


# keras/src/optimizers/adamw_test.py::AdamWTest::test_clip_value
def test_clip_value() -> None:
    optimizer = AdamW(clipvalue=1)
    grad = [tensor([100.0, 100.0])]
    clipped_grad = optimizer.clip_gradients(grad)
    assert_all_close(clipped_grad[0], [1.0, 1.0])


# keras/src/optimizers/adamw_test.py::AdamWTest::test_weight_decay_is_none
def test_weight_decay_is_none() -> None:
    with pytest.raises(
        ValueError, match="Argument `weight_decay` must be a float. Received: weight_decay=None"
    ):
        AdamW(learning_rate=1.0, weight_decay=None)
