"""Each callback, tested for its effect on training (not only that it runs)."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
import safetensors.numpy

import rnnlens as rl
from rnnlens.layers import LSTM, Dense
from rnnlens.train.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    LambdaCallback,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)


def _data(n: int = 48) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, size=(n, 4, 2)).astype(np.float32)
    return x, x[:, :, 0].mean(axis=1, keepdims=True)


def _model(lr: float = 0.01) -> rl.Sequential:
    rl.set_seed(0)
    model = rl.Sequential([LSTM(4, input_shape=(4, 2)), Dense(1)])
    model.compile(optimizer="adam", loss="mse", learning_rate=lr)
    return model


class ScriptedLoss(Callback):
    """Overwrites the logged ``val_loss`` with a script, so the monitored curve is exact."""

    def __init__(self, values: list[float]) -> None:
        super().__init__()
        self.values = values

    def on_epoch_end(self, epoch, logs=None):
        logs["val_loss"] = self.values[epoch]


def test_hooks_are_called_in_keras_order_with_logs() -> None:
    calls: list[str] = []

    class Recorder(Callback):
        def on_train_begin(self, logs=None):
            calls.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            calls.append(f"epoch_begin {epoch}")

        def on_batch_end(self, batch, logs=None):
            assert math.isfinite(logs["loss"]) and self.model is not None
            calls.append(f"batch_end {batch}")

        def on_epoch_end(self, epoch, logs=None):
            calls.append(f"epoch_end {epoch} {sorted(logs)}")

        def on_train_end(self, logs=None):
            calls.append("train_end")

    x, y = _data(20)
    _model().fit(
        x, y, epochs=2, batch_size=10, validation_split=0.5, verbose=0, callbacks=[Recorder()]
    )
    assert calls == [
        "train_begin",
        "epoch_begin 0", "batch_end 0", "epoch_end 0 ['loss', 'val_loss']",
        "epoch_begin 1", "batch_end 0", "epoch_end 1 ['loss', 'val_loss']",
        "train_end",
    ]  # fmt: skip


def test_stop_training_from_a_batch_hook_stops_after_that_batch() -> None:
    steps = []
    stopper = LambdaCallback(
        on_batch_end=lambda batch, logs: (
            steps.append(batch),
            setattr(model, "stop_training", batch == 2),
        )
    )
    model = _model()
    x, y = _data()
    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0, callbacks=[stopper])
    assert steps == [0, 1, 2] and history.epoch == [0]


def test_early_stopping_stops_after_patience_and_restores_best_weights() -> None:
    snapshots = []
    model = _model()
    x, y = _data()
    script = ScriptedLoss([1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1])
    remember = LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights())
    )
    stop = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(
        x, y, epochs=8, batch_size=16, verbose=0, callbacks=[script, remember, stop]
    )
    assert history.epoch == [0, 1, 2, 3]  # best at epoch 1, two epochs without improvement
    assert stop.stopped_epoch == 3 and stop.best_epoch == 1
    for restored, best in zip(model.get_weights(), snapshots[1]):
        np.testing.assert_array_equal(restored, best)
    assert not np.array_equal(snapshots[1][0], snapshots[3][0])


def test_early_stopping_min_delta_counts_small_gains_as_no_improvement() -> None:
    model = _model()
    x, y = _data()
    script = ScriptedLoss([1.0, 0.99, 0.98, 0.97, 0.5])
    history = model.fit(
        x, y, epochs=5, batch_size=16, verbose=0,
        callbacks=[script, EarlyStopping(patience=2, min_delta=0.05)],
    )  # fmt: skip
    assert history.epoch == [0, 1, 2]


def test_reduce_lr_on_plateau_divides_the_optimizer_learning_rate() -> None:
    model = _model(lr=0.01)
    x, y = _data()
    script = ScriptedLoss([1.0] * 8)
    reduce = ReduceLROnPlateau(factor=0.5, patience=2, min_lr=0.002)
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0, callbacks=[script, reduce])
    # logged before each epoch's decision, as Keras: cut at epochs 2, 4, 6 (floored at min_lr)
    assert history.history["learning_rate"] == pytest.approx(
        [0.01, 0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025, 0.002]
    )
    assert model.training_state.optimizer.param_groups[0]["lr"] == pytest.approx(0.002)


def test_terminate_on_nan_stops_quietly_at_the_bad_batch() -> None:
    model = _model()
    x, y = _data(32)
    y[20] = 3e38  # squared error overflows: the loss of batch 2 (of 8 samples) is inf
    seen = []
    record = LambdaCallback(on_batch_end=lambda batch, logs: seen.append(logs["loss"]))
    before = None

    def keep(batch, logs):
        nonlocal before
        before = model.get_weights()

    history = model.fit(
        x, y, epochs=3, batch_size=8, shuffle=False, verbose=0,
        callbacks=[record, LambdaCallback(on_batch_begin=keep), TerminateOnNaN()],
    )  # fmt: skip
    assert len(seen) == 3 and math.isinf(seen[2]) and history.epoch == [0]
    for a, b in zip(model.get_weights(), before):  # the inf batch was not applied
        np.testing.assert_array_equal(a, b)


def test_model_checkpoint_best_only_writes_on_improvement(tmp_path) -> None:
    model = _model()
    x, y = _data()
    script = ScriptedLoss([1.0, 0.5, 0.7, 0.4])
    checkpoint = ModelCheckpoint(
        tmp_path / "best-{epoch:02d}.safetensors", save_best_only=True, save_weights_only=True
    )
    last = {}
    remember = LambdaCallback(
        on_epoch_end=lambda epoch, logs: last.__setitem__(epoch, model.get_weights())
    )
    model.fit(x, y, epochs=4, batch_size=16, verbose=0, callbacks=[script, remember, checkpoint])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "best-01.safetensors",
        "best-02.safetensors",
        "best-04.safetensors",
    ]
    saved = safetensors.numpy.load_file(tmp_path / "best-02.safetensors")
    assert len(saved) == len(last[1])
    np.testing.assert_array_equal(saved["layers.1.kernel"], last[1][3])


def test_csv_logger_writes_one_row_per_epoch(tmp_path) -> None:
    model = _model()
    x, y = _data()
    path = tmp_path / "log.csv"
    history = model.fit(
        x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0, callbacks=[CSVLogger(path)]
    )
    rows = list(csv.DictReader(path.read_text().splitlines()))
    assert [r["epoch"] for r in rows] == ["0", "1", "2"]
    assert [float(r["val_loss"]) for r in rows] == pytest.approx(history.history["val_loss"])
    model.fit(
        x,
        y,
        epochs=1,
        batch_size=16,
        validation_split=0.25,
        verbose=0,
        callbacks=[CSVLogger(path, append=True)],
    )
    assert len(list(csv.DictReader(path.read_text().splitlines()))) == 4
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_monitor_missing_from_logs_warns() -> None:
    model = _model()
    x, y = _data()
    with pytest.warns(RuntimeWarning, match="watches 'val_loss', which is not in the logs"):
        model.fit(x, y, epochs=1, batch_size=16, verbose=0, callbacks=[EarlyStopping()])


def test_history_plot_writes_an_svg_with_one_curve_per_loss(tmp_path) -> None:
    model = _model()
    x, y = _data()
    history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0)
    path = history.plot(tmp_path / "curves.svg")
    text = path.read_text()
    assert text.startswith("<svg") and text.count("<polyline") == 2
    assert ">loss<" in text and ">val_loss<" in text
    first = text.split('points="')[1].split('"')[0].split()
    assert len(first) == 3
    json.dumps(history.history)  # plain floats: serialisable


def test_model_checkpoint_full_model_loads_back_with_the_epochs_weights(tmp_path) -> None:
    model = _model()
    x, y = _data()
    weights = {}
    remember = LambdaCallback(
        on_epoch_end=lambda epoch, logs: weights.__setitem__(epoch, model.get_weights())
    )
    checkpoint = ModelCheckpoint(tmp_path / "model-{epoch}.rnnlens")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[remember, checkpoint])
    assert [p.name for p in checkpoint.saved] == ["model-1.rnnlens", "model-2.rnnlens"]
    loaded = rl.load(tmp_path / "model-1.rnnlens")
    for a, b in zip(loaded.get_weights(), weights[0]):
        np.testing.assert_array_equal(a, b)
