"""Losses and metrics against Keras 3's own (torch backend), optimizer defaults against Keras's."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnlens.train.losses import Huber, get_loss
from rnnlens.train.metrics import resolve_metric
from rnnlens.train.optimizers import clip_gradients, make_optimizer

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(0)
REGRESSION = (RNG.normal(size=(6, 3)), RNG.normal(size=(6, 3)) * 2)
PROBS = RNG.uniform(0.01, 0.99, size=(6, 1))
LABELS = RNG.integers(0, 2, size=(6, 1)).astype(float)
LOGITS = RNG.normal(size=(6, 4)) * 3
CLASSES = RNG.integers(0, 4, size=6)
ONE_HOT = np.eye(4)[CLASSES]
SOFTMAX = np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True)


def _ours(name, y_true, y_pred, **options) -> float:
    loss = name if not isinstance(name, str) else get_loss(name, **options)
    # float32, as Keras computes: the clipping at 1 - 1e-7 rounds differently in float64
    return float(
        loss(
            torch.as_tensor(y_true, dtype=torch.float32),
            torch.as_tensor(y_pred, dtype=torch.float32),
        )
    )


def _keras(name, y_true, y_pred, **options) -> float:
    loss = keras.losses.get({"class_name": name, "config": options})
    return float(loss(y_true.astype("float32"), y_pred.astype("float32")))


CASES = [
    ("mse", "MeanSquaredError", *REGRESSION, {}),
    ("mae", "MeanAbsoluteError", *REGRESSION, {}),
    ("huber", "Huber", *REGRESSION, {}),
    ("binary_crossentropy", "BinaryCrossentropy", LABELS, PROBS, {}),
    (
        "binary_crossentropy",
        "BinaryCrossentropy",
        LABELS,
        np.log(PROBS / (1 - PROBS)),
        {"from_logits": True},
    ),
    (
        "binary_crossentropy",
        "BinaryCrossentropy",
        LABELS,
        np.where(LABELS > 0, 0.0, 1.0),
        {},
    ),  # clipping
    ("categorical_crossentropy", "CategoricalCrossentropy", ONE_HOT, SOFTMAX, {}),
    ("categorical_crossentropy", "CategoricalCrossentropy", ONE_HOT, LOGITS, {"from_logits": True}),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", CLASSES, SOFTMAX, {}),
    (
        "sparse_categorical_crossentropy",
        "SparseCategoricalCrossentropy",
        CLASSES,
        LOGITS,
        {"from_logits": True},
    ),
]


@pytest.mark.parametrize(("ours", "theirs", "y_true", "y_pred", "options"), CASES)
def test_losses_equal_keras(ours, theirs, y_true, y_pred, options) -> None:
    assert _ours(ours, y_true, y_pred, **options) == pytest.approx(
        _keras(theirs, y_true, y_pred, **options), rel=1e-6, abs=1e-6
    )


def test_huber_delta_equals_keras() -> None:
    expected = float(keras.losses.Huber(delta=0.3)(*REGRESSION))
    assert _ours(Huber(0.3), *REGRESSION) == pytest.approx(expected, rel=1e-6)


def test_accuracy_is_resolved_and_computed_as_keras_does() -> None:
    cases = [
        (LABELS, PROBS, "BinaryAccuracy"),
        (CLASSES, SOFTMAX, "SparseCategoricalAccuracy"),
        (CLASSES[:, None].astype(float), SOFTMAX, "SparseCategoricalAccuracy"),
        (ONE_HOT, SOFTMAX, "CategoricalAccuracy"),
    ]
    for y_true, y_pred, keras_name in cases:
        name, metric = resolve_metric("accuracy", y_true.shape, y_pred.shape, False)
        keras_metric = getattr(keras.metrics, keras_name)()
        keras_metric.update_state(y_true, y_pred)
        ours = float(metric(torch.as_tensor(y_true), torch.as_tensor(y_pred)))
        assert name == "accuracy"
        assert ours == pytest.approx(float(keras_metric.result()), abs=1e-7), keras_name


KERAS_NUMPY_2 = "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"


@pytest.mark.filterwarnings(KERAS_NUMPY_2)  # raised inside Keras's torch backend, not by rnnlens
@pytest.mark.parametrize(
    ("name", "keras_name"),
    [("adam", "Adam"), ("adamw", "AdamW"), ("sgd", "SGD"), ("rmsprop", "RMSprop")],
)
def test_optimizer_defaults_are_keras_defaults(name, keras_name) -> None:
    optimizer = make_optimizer(name, [torch.nn.Parameter(torch.zeros(1))])
    keras_config = getattr(keras.optimizers, keras_name)().get_config()
    ours = optimizer.get_config()
    shared = set(ours) - {"name"}
    assert shared <= set(keras_config), shared - set(keras_config)
    for key in sorted(shared):
        assert (
            ours[key] == pytest.approx(keras_config[key])
            if isinstance(ours[key], float)
            else ours[key] == keras_config[key]
        ), key


@pytest.mark.filterwarnings(KERAS_NUMPY_2)
def test_clipnorm_clips_each_gradient_on_its_own_as_keras() -> None:
    big, small = torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(2))
    big.grad, small.grad = torch.tensor([3.0, 4.0]), torch.tensor([0.3, 0.4])
    clip_gradients([big, small], clipnorm=1.0, global_clipnorm=None)
    expected = [keras.ops.convert_to_numpy(g) for g in keras.optimizers.SGD(clipnorm=1.0)._clip_gradients(
        [keras.ops.convert_to_tensor([3.0, 4.0]), keras.ops.convert_to_tensor([0.3, 0.4])]
    )]  # fmt: skip
    np.testing.assert_allclose(big.grad.numpy(), expected[0], rtol=1e-6)
    np.testing.assert_allclose(small.grad.numpy(), expected[1], rtol=1e-6)
