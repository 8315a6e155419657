"""What fit prints at verbose 0, 1 and 2, and that a seed makes a run repeat bit for bit."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

import rnnlens as rl
from rnnlens.layers import GRU, LSTM, Dense, Dropout
from rnnlens.train.progress import Progress

X = np.random.default_rng(0).uniform(-1, 1, size=(40, 4, 2)).astype(np.float32)
Y = X[:, :, 0].mean(axis=1, keepdims=True)


def _fit(verbose: int) -> rl.Sequential:
    rl.set_seed(0)
    model = rl.Sequential([LSTM(4, input_shape=(4, 2)), Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(X, Y, epochs=2, batch_size=8, validation_split=0.2, verbose=verbose)
    return model


def _mask_timings(text: str) -> str:
    return re.sub(r"\d+(\.\d+)?(ms/step|s)\b", r"<t>\2", text)


@pytest.mark.parametrize("verbose", [1, 2])
def test_printed_epochs_match_snapshot(verbose, capsys, snapshot) -> None:
    _fit(verbose)
    snapshot(f"train_verbose{verbose}.txt", _mask_timings(capsys.readouterr().out))


def test_verbose_0_is_silent(capsys) -> None:
    _fit(0)
    assert capsys.readouterr() == ("", "")


def test_live_bar_on_a_terminal_shows_rate_eta_and_loss() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    progress = Progress(1, epochs=3, stream=stream)
    progress.begin_epoch(0, n_batches=10)
    progress.update(4, {"loss": 0.25})
    progress.end_epoch(0, {"loss": 0.2, "val_loss": 0.3})
    text = stream.getvalue()
    assert text.startswith("Epoch 1/3\n\r4/10 ━━━━━━━━╺")
    assert re.search(r"ETA \d+\.\ds [\d.]+ step/s - loss: 0\.2500", text)
    assert text.endswith("10/10 ━━━━━━━━━━━━━━━━━━━━ " + text.split("━ ")[-1])
    assert "- loss: 0.2000 - val_loss: 0.3000\x1b[K\n" in text


def test_a_seed_makes_training_repeat_bit_for_bit() -> None:
    def run(seed: int) -> list[np.ndarray]:
        rl.clear_session()
        rl.set_seed(seed)
        model = rl.Sequential([GRU(5, dropout=0.2, input_shape=(4, 2)), Dropout(0.3), Dense(1)])
        model.compile(optimizer="adamw", loss="huber")
        model.fit(X, Y, epochs=3, batch_size=8, shuffle=True, verbose=0)
        return model.get_weights()

    first, again, other = run(11), run(11), run(12)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])
