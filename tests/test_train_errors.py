"""Bad training input is refused before any step, with a message naming what to change."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnnlens as rl
from rnnlens.layers import LSTM, Dense
from rnnlens.train.tracking import NonFiniteLossError


def _model(out: int = 1, loss: str = "mse", **options) -> rl.Sequential:
    rl.set_seed(0)
    model = rl.Sequential([LSTM(4, input_shape=(5, 2)), Dense(out)])
    model.compile(optimizer="adam", loss=loss, **options)
    return model


X = np.zeros((10, 5, 2), dtype=np.float32)
Y = np.zeros((10, 1), dtype=np.float32)


def _unchanged(model: rl.Sequential, before: list[np.ndarray]) -> bool:
    return all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))


@pytest.mark.parametrize(
    ("x", "y", "loss", "out", "message"),
    [
        (X, Y[:7], "mse", 1, r"same number of samples, received 10 and 7"),
        (X[:0], Y[:0], "mse", 1, r"x is empty"),
        (
            X,
            np.zeros((10, 5, 1)),
            "mse",
            1,
            r"must have shape \(None, 1\); received \(10, 5, 1\).*return_sequences",
        ),
        (
            X,
            np.zeros((10, 3)),
            "categorical_crossentropy",
            4,
            r"shape \(None, 4\); received \(10, 3\)",
        ),
        (
            X,
            np.zeros(10),
            "categorical_crossentropy",
            4,
            r"class indices, use loss='sparse_categorical_crossentropy'",
        ),
        (
            X,
            np.full(10, 4),
            "sparse_categorical_crossentropy",
            4,
            r"integer class indices in \[0, 4\)",
        ),
        (X, np.full(10, 0.5), "sparse_categorical_crossentropy", 4, r"integer class indices"),
        (X, np.full((10, 1), np.nan), "mse", 1, r"NaN/inf value\(s\), first at index \(0, 0\)"),
        (np.zeros((10, 5, 3)), Y, "mse", 1, r"features=2"),
        (np.array(["a"] * 10), Y, "mse", 1, r"numeric array"),
        (torch.zeros(10, 5, 2), Y[:7], "mse", 1, r"same number of samples, received 10 and 7"),
        (torch.zeros(10, 5, 3), Y, "mse", 1, r"features=2"),
        (torch.zeros(0, 5, 2), Y[:0], "mse", 1, r"x is empty"),
    ],
)
def test_bad_data_is_refused_before_training(x, y, loss, out, message) -> None:
    model = _model(out, loss)
    before = model.get_weights()
    with pytest.raises(rl.InputDataError, match=message):
        model.fit(x, y, epochs=1, verbose=0)
    assert _unchanged(model, before)


def test_options_are_checked() -> None:
    model = _model()
    with pytest.raises(rl.ConfigError, match="batch_size must be a positive integer"):
        model.fit(X, Y, batch_size=0, verbose=0)
    with pytest.raises(rl.ConfigError, match=r"validation_split must be in \[0, 1\)"):
        model.fit(X, Y, validation_split=1.5, verbose=0)
    with pytest.raises(rl.InputDataError, match="of 10 samples leaves no training samples"):
        model.fit(X, Y, validation_split=0.95, verbose=0)
    with pytest.raises(rl.ConfigError, match="need checkpoint_dir"):
        model.fit(X, Y, resume=True, verbose=0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'epoch'"):
        model.fit(X, Y, epoch=3)
    with pytest.raises(rl.ConfigError, match="verbose must be"):
        model.fit(X, Y, verbose=5)


def test_compile_errors_name_the_choices() -> None:
    model = rl.Sequential([LSTM(4, input_shape=(5, 2)), Dense(1)])
    with pytest.raises(rl.ConfigError, match=r"before fit: call model\.compile"):
        model.fit(X, Y)
    with pytest.raises(rl.ConfigError, match=r"unknown optimizer 'adamm'.*'adam'"):
        model.compile(optimizer="adamm")
    with pytest.raises(rl.ConfigError, match=r"unknown loss 'msee'"):
        model.compile(loss="msee")
    with pytest.raises(rl.ConfigError, match="from_logits=True applies to cross-entropy"):
        model.compile(loss="mse", from_logits=True)
    with pytest.raises(rl.ConfigError, match="clipnorm must be a positive number"):
        model.compile(clipnorm=-1)
    with pytest.raises(rl.ConfigError, match="unknown metric 'f1'"):
        model.compile(metrics=["f1"])
        model.fit(X, Y, verbose=0)


def test_non_finite_loss_stops_with_epoch_and_batch_before_the_bad_step() -> None:
    model = _model(learning_rate=0.01)
    x = np.random.default_rng(0).normal(size=(40, 5, 2)).astype(np.float32)
    y = np.zeros((40, 1), np.float32)
    y[25] = 3e38  # finite, but its squared error overflows float32: loss inf in batch index 2
    before_bad = {}

    class Remember(rl.callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            before_bad[batch] = self.model.get_weights()

    with pytest.raises(NonFiniteLossError, match=r"at epoch 1, batch 3: training stopped"):
        model.fit(x, y, epochs=2, batch_size=10, shuffle=False, verbose=0, callbacks=[Remember()])
    assert sorted(before_bad) == [0, 1]
    # the step with the NaN loss was never taken: weights are those after batch 2
    assert _unchanged(model, before_bad[1])
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_on_an_accelerator_the_deferred_check_names_the_first_bad_batch() -> None:
    from rnnlens.train.tracking import RunningMeans

    running = RunningMeans(torch.device("cuda"), epoch=4)  # losses stay tensors: no sync per batch
    for batch, value in enumerate([1.0, 2.0, float("nan"), float("inf")]):
        assert running.add_loss(batch, torch.tensor(value), 8) is None
    with pytest.raises(NonFiniteLossError, match=r"became nan at epoch 5, batch 3"):
        running.means()
    healthy = RunningMeans(torch.device("cuda"), epoch=0)
    healthy.add_loss(0, torch.tensor(1.0), 2)
    healthy.add_loss(1, torch.tensor(4.0), 1)
    assert healthy.means() == {"loss": 2.0}


def test_train_on_batch_names_a_nan_target_and_leaves_the_weights() -> None:
    """train_on_batch scans a batch for NaN only once its loss is not finite; the error is
    still the one fit gives up front, naming the array and the first bad index."""
    model = _model()
    before = model.get_weights()
    y = Y.copy()
    y[3, 0] = np.inf
    with pytest.raises(
        rl.InputDataError, match=r"y holds 1 NaN/inf value\(s\), first at index \(3, 0\)"
    ):
        model.train_on_batch(X, y)
    assert _unchanged(model, before)


def test_train_on_batch_warns_where_the_input_is_nan_then_stops() -> None:
    model = _model()
    before = model.get_weights()
    x = X.copy()
    x[2, 4, 1] = np.nan
    with (
        pytest.warns(
            UserWarning, match=r"x holds 1 NaN/inf value\(s\), first at index \(2, 4, 1\)"
        ),
        pytest.raises(NonFiniteLossError, match="the loss became nan"),
    ):
        model.train_on_batch(x, Y)
    assert _unchanged(model, before)


def test_reversed_and_read_only_arrays_are_accepted() -> None:
    """``x[:, ::-1]`` (time reversed) has negative strides, which torch refuses; a read-only
    array cannot share its memory with a tensor. Both train and predict like a plain copy."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(10, 5, 2)).astype(np.float32)
    y = rng.normal(size=(10, 1)).astype(np.float32)
    frozen = x.copy()
    frozen.flags.writeable = False
    plain, odd = _model(), _model()
    assert plain.train_on_batch(np.ascontiguousarray(x[:, ::-1]), y[::-1].copy()) == pytest.approx(
        odd.train_on_batch(x[:, ::-1], y[::-1])
    )
    np.testing.assert_array_equal(plain.predict(x[:, ::-1].copy()), odd.predict(x[:, ::-1]))
    np.testing.assert_array_equal(plain.predict(x), odd.predict(frozen))
    odd.fit(frozen[::-1], y[::-1], epochs=1, verbose=0)
    weights = plain.get_weights()
    for array in weights:
        array.flags.writeable = False  # as np.load(mmap_mode="r") hands them out
    odd.set_weights(weights)
    np.testing.assert_array_equal(odd.predict(x), plain.predict(x))
