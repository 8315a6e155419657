"""The TensorBoard callback: what fit logs is what TensorBoard reads back, where Keras puts it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import rnnlens as rl
from rnnlens.errors import ConfigError
from rnnlens.layers import LSTM, Dense

pytest.importorskip("tensorboard")


def _scalars(folder: Path) -> dict[str, list[tuple[int, float]]]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(folder), size_guidance={"scalars": 0, "histograms": 0})
    accumulator.Reload()
    return {
        tag: [(event.step, event.value) for event in accumulator.Scalars(tag)]
        for tag in accumulator.Tags()["scalars"]
    }


def _histogram_tags(folder: Path) -> list[str]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(folder), size_guidance={"histograms": 0})
    accumulator.Reload()
    return sorted(accumulator.Tags()["histograms"])


def test_epoch_scalars_match_the_history(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 5, 2)).astype(np.float32)
    y = x.sum(axis=(1, 2))[:, None]
    rl.set_seed(0)
    model = rl.Sequential([LSTM(4, input_shape=(5, 2)), Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"], learning_rate=0.01)
    board = rl.callbacks.TensorBoard(tmp_path / "logs", histogram_freq=1)
    history = model.fit(x, y, epochs=3, batch_size=8, validation_split=0.25, callbacks=[board])
    train = _scalars(tmp_path / "logs" / "train")
    validation = _scalars(tmp_path / "logs" / "validation")
    for name, logged in (("loss", train["epoch_loss"]), ("mae", train["epoch_mae"])):
        assert [step for step, _ in logged] == [0, 1, 2]
        np.testing.assert_allclose([v for _, v in logged], history.history[name], rtol=1e-6)
    np.testing.assert_allclose(
        [v for _, v in validation["epoch_loss"]], history.history["val_loss"], rtol=1e-6
    )
    np.testing.assert_allclose([v for _, v in train["epoch_learning_rate"]], [0.01] * 3)
    tags = _histogram_tags(tmp_path / "logs" / "train")
    assert tags == sorted(
        f"{layer.name}/{spec.name}" for layer in model.layers for spec in layer.weight_specs()
    )


def test_batch_updates_log_every_nth_batch(tmp_path: Path) -> None:
    x = np.zeros((16, 3, 1), dtype=np.float32)
    model = rl.Sequential([LSTM(2, input_shape=(3, 1)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    board = rl.callbacks.TensorBoard(tmp_path, update_freq=2)
    model.fit(x, x[:, 0], epochs=1, batch_size=4, callbacks=[board], verbose=0)
    assert [step for step, _ in _scalars(tmp_path / "train")["batch_loss"]] == [2, 4]


@pytest.mark.parametrize("bad", [{"update_freq": "often"}, {"histogram_freq": -1}])
def test_bad_options_are_config_errors(bad: dict[str, object], tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        rl.callbacks.TensorBoard(tmp_path, **bad)  # type: ignore[arg-type]
