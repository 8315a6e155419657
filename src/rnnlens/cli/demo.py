"""``rnnlens demo``: the main job end to end, on the real datasets shipped with rnnlens.

1. explain the user story's model (LSTM(64) -> LSTM(32));
2. train a stacked LSTM on yearly sunspots, with validation and early stopping;
3. compare its test error with the naive persistence forecast (next year = this year);
4. train a stacked bidirectional LSTM on the Japanese Vowels speakers (masked, ragged);
5. write the HTML report of the sunspot model and print its path.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: Yearly sunspots: windows of 12 years (a bit more than one ~11-year cycle).
TIME_STEPS = 12
TEST_FRACTION = 0.2


@dataclass(frozen=True)
class Budget:
    """How much training each step gets: the full demo, or ``--quick`` for tests."""

    forecast_epochs: int
    vowel_epochs: int
    patience: int


FULL = Budget(forecast_epochs=100, vowel_epochs=30, patience=10)
QUICK = Budget(forecast_epochs=2, vowel_epochs=1, patience=1)


def run_progress() -> Any:
    """One bar for a whole training run, so each demo step stays a few lines long.

    On a terminal the bar is redrawn in place after every epoch; in a log (no terminal) it
    prints a line at every tenth of the run. ``fit(verbose=1)`` would print 2 lines per
    epoch, 260 lines for the whole demo.
    """
    import sys

    from ..train.callbacks import Callback
    from ..train.progress import bar, format_logs

    class RunProgress(Callback):
        def __init__(self) -> None:
            super().__init__()
            self.tty = sys.stdout.isatty()
            self.started = time.perf_counter()
            self.done = 0

        def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            total = int(self.params.get("epochs", epoch + 1))
            done = self.done = epoch + 1
            line = f"  epoch {done:>3}/{total} {bar(done, total)}{format_logs(logs or {})}"
            if self.tty:
                print("\r" + line, end="", flush=True)
            elif done == 1 or done % max(1, total // 10) == 0:
                print(line, flush=True)

        def on_train_end(self, logs: dict[str, float] | None = None) -> None:
            seconds = time.perf_counter() - self.started
            if self.tty:
                print()
            stopped = getattr(self.model, "stop_training", False)
            how = f"stopped early at epoch {self.done} (best weights kept)" if stopped else "done"
            print(f"  {how}, {seconds:.1f} s")

    return RunProgress()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", default="out/report.html", help="where to write the report (out/report.html)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a few epochs only: checks the pipeline end to end"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")


def _heading(number: int, text: str) -> None:
    print(f"\n[{number}/5] {text}")


def explain_user_story() -> None:
    import rnnlens as rl
    from rnnlens.layers import LSTM

    rl.clear_session()  # each model names its layers lstm, lstm_1, ... as in a fresh script
    model = rl.Sequential(name="user_story")
    model.add(LSTM(64, return_sequences=True, input_shape=(10, 2)))
    model.add(LSTM(32))
    try:
        print(model.explain())
    except ImportError:  # the explain renderer is optional in a partial install
        model.summary()


@dataclass
class Forecast:
    model: Any
    history: Any
    x_test: np.ndarray
    truth: np.ndarray  # (N_test, 1) sunspot numbers
    predicted: np.ndarray  # (N_test, 1) sunspot numbers
    rmse: float
    mae: float
    persistence_rmse: float
    persistence_mae: float


def forecast_sunspots(budget: Budget) -> Forecast:
    """Train LSTM(32) -> LSTM(16) -> Dense(1) on 12-year windows; test on the last 20%."""
    import rnnlens as rl
    from rnnlens.layers import LSTM, Dense

    series = rl.data.load("sunspots")
    x, y = rl.data.windows(series.values, TIME_STEPS, horizon=1)  # (N, 12, 1), (N, 1)
    n_test = int(len(x) * TEST_FRACTION)
    n_train = len(x) - n_test
    # Scale with the training part only, so the test years stay unseen.
    train_values = series.values[: n_train + TIME_STEPS]
    mean, std = float(train_values.mean()), float(train_values.std())
    xs, ys = (x - mean) / std, (y - mean) / std
    first_test_year = int(series.time[n_train + TIME_STEPS])
    print(
        f"sunspots {int(series.time[0])}-{int(series.time[-1])}: {len(x)} windows of "
        f"{TIME_STEPS} years; train {n_train} (20% of them for validation), "
        f"test {n_test} (years {first_test_year}-{int(series.time[-1])})"
    )
    rl.clear_session()  # each model names its layers lstm, lstm_1, ... as in a fresh script
    model = rl.Sequential(name="sunspots_lstm")
    model.add(LSTM(32, return_sequences=True, input_shape=(TIME_STEPS, 1)))
    model.add(LSTM(16))
    model.add(Dense(1))
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(
        xs[:n_train],
        ys[:n_train],
        epochs=budget.forecast_epochs,
        batch_size=16,
        validation_split=0.2,
        callbacks=[
            rl.callbacks.EarlyStopping(patience=budget.patience, restore_best_weights=True),
            run_progress(),
        ],
        verbose=0,
    )
    x_test, y_test = xs[n_train:], ys[n_train:]
    predicted = model.predict(x_test) * std + mean  # back to sunspot numbers
    truth = y_test * std + mean
    persistence = x[n_train:, -1]  # next year = this year
    return Forecast(
        model=model,
        history=history,
        x_test=x_test,
        truth=truth,
        predicted=predicted,
        rmse=float(np.sqrt(np.mean((predicted - truth) ** 2))),
        mae=float(np.mean(np.abs(predicted - truth))),
        persistence_rmse=float(np.sqrt(np.mean((persistence - truth) ** 2))),
        persistence_mae=float(np.mean(np.abs(persistence - truth))),
    )


def classify_vowels(budget: Budget) -> float:
    """Masking -> Bidirectional(LSTM(16)) -> Bidirectional(LSTM(8)) -> Dense(9): the speaker."""
    import rnnlens as rl
    from rnnlens.layers import LSTM, Bidirectional, Dense, Masking

    vowels = rl.data.load("japanese_vowels")
    length = max(len(s) for s in vowels.x_train + vowels.x_test)
    x_train = rl.data.pad(vowels.x_train, value=0.0, length=length)  # (270, 29, 12)
    x_test = rl.data.pad(vowels.x_test, value=0.0, length=length)  # (370, 29, 12)
    # The training file is ordered by speaker: shuffle so validation_split (its last 20%)
    # holds every speaker.
    order = np.random.default_rng(0).permutation(len(x_train))
    x_train, y_train = x_train[order], vowels.y_train[order]
    print(
        f"japanese vowels: {len(x_train)} train / {len(x_test)} test utterances, 9 speakers, "
        f"7-{length} frames x 12 coefficients, padded to {length} and masked"
    )
    rl.clear_session()  # each model names its layers lstm, lstm_1, ... as in a fresh script
    model = rl.Sequential(name="vowels_bilstm")
    model.add(Masking(mask_value=0.0, input_shape=(length, 12)))
    model.add(Bidirectional(LSTM(16, return_sequences=True)))
    model.add(Bidirectional(LSTM(8)))
    model.add(Dense(9, activation="softmax"))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(
        x_train,
        y_train,
        epochs=budget.vowel_epochs,
        batch_size=32,
        validation_split=0.2,
        callbacks=[
            rl.callbacks.EarlyStopping(patience=budget.patience, restore_best_weights=True),
            run_progress(),
        ],
        verbose=0,
    )
    predicted = model.predict(x_test).argmax(axis=1)
    return float((predicted == vowels.y_test).mean())


def run(args: argparse.Namespace) -> int:
    import rnnlens as rl

    budget = QUICK if args.quick else FULL
    rl.set_seed(args.seed)
    started = time.perf_counter()

    _heading(1, "the user story's model: LSTM(64, return_sequences=True) -> LSTM(32)")
    explain_user_story()

    _heading(2, "a stacked LSTM forecasts yearly sunspots (validation + early stopping)")
    forecast = forecast_sunspots(budget)

    _heading(3, "test error against the naive persistence forecast (next year = this year)")
    print(f"  stacked LSTM  RMSE {forecast.rmse:6.2f}   MAE {forecast.mae:6.2f}")
    print(
        f"  persistence   RMSE {forecast.persistence_rmse:6.2f}   MAE {forecast.persistence_mae:6.2f}"
    )
    beats = forecast.rmse < forecast.persistence_rmse
    gain = 1 - forecast.rmse / forecast.persistence_rmse
    print(
        f"  the LSTM {'beats' if beats else 'does NOT beat'} persistence"
        + (f" ({gain:.0%} lower RMSE)" if beats else "")
    )

    _heading(4, "a stacked bidirectional LSTM tells 9 speakers apart (Japanese vowels)")
    accuracy = classify_vowels(budget)
    print(f"  test accuracy {accuracy:.1%} (chance: 11.1%)")

    _heading(5, "the report: how the data flowed through the sunspot model")
    path = forecast.model.report(
        forecast.x_test,
        Path(args.out),
        history=forecast.history,
        y_true=forecast.truth,
        y_pred=forecast.predicted,
        title="rnnlens demo: stacked LSTM on yearly sunspots (test years)",
    )
    print(f"  wrote {path}  (open it in a browser; it works offline)")
    print(f"\ndone in {time.perf_counter() - started:.0f} s")
    return 0 if beats or args.quick else 1
