"""The shipped datasets and the windowing helper."""

from __future__ import annotations

import numpy as np
import pytest

import rnnlens as rl
from rnnlens.errors import ConfigError, InputDataError


def test_sunspots_is_the_yearly_series_1700_to_2008() -> None:
    series = rl.data.load("sunspots")
    assert series.values.shape == (309,) and series.values.dtype == np.float64
    assert series.time.tolist() == list(range(1700, 2009))
    # Known values of the yearly series (SIDC/NGDC): 1700, the 1957 maximum, 2008.
    assert series.values[0] == 5.0
    assert series.values[1957 - 1700] == pytest.approx(190.2)
    assert series.values[-1] == pytest.approx(2.9)


def test_japanese_vowels_matches_the_published_split() -> None:
    vowels = rl.data.load("japanese_vowels")
    assert len(vowels.x_train) == 270 and len(vowels.x_test) == 370
    # UCI: 30 training utterances per speaker; test counts 31 35 88 44 29 24 40 50 29.
    assert np.bincount(vowels.y_train).tolist() == [30] * 9
    assert np.bincount(vowels.y_test).tolist() == [31, 35, 88, 44, 29, 24, 40, 50, 29]
    lengths = [len(x) for x in vowels.x_train + vowels.x_test]
    assert min(lengths) == 7 and max(lengths) == 29
    assert all(x.shape[1] == 12 for x in vowels.x_train)
    assert vowels.x_train[0][0, 0] == pytest.approx(1.860936)  # first frame of the UCI file
    assert rl.data.load("vowels").x_test[5].tolist() == vowels.x_test[5].tolist()


def test_unknown_dataset_names_the_shipped_ones() -> None:
    with pytest.raises(ConfigError, match="japanese_vowels"):
        rl.data.load("mnist")


def test_windows_pairs_each_window_with_the_value_horizon_steps_later() -> None:
    series = np.arange(10.0)
    x, y = rl.data.windows(series, time_steps=3, horizon=2)
    assert x.shape == (6, 3, 1) and y.shape == (6, 1)
    for n in range(6):
        assert x[n, :, 0].tolist() == series[n : n + 3].tolist()
        assert y[n, 0] == series[n + 3 + 1]


def test_windows_keeps_features_of_a_multivariate_series() -> None:
    series = np.stack([np.arange(5.0), -np.arange(5.0)], axis=1)  # (5, 2)
    x, y = rl.data.windows(series, 2)
    assert x.shape == (3, 2, 2)
    assert x[2].tolist() == [[2.0, -2.0], [3.0, -3.0]] and y[2].tolist() == [4.0, -4.0]


@pytest.mark.parametrize(
    ("series", "time_steps", "horizon", "message"),
    [
        (np.arange(4.0), 4, 1, "too short .* at least 5"),
        (np.arange(10.0), 0, 1, "time_steps must be a positive integer"),
        (np.arange(10.0), 3, -1, "horizon must be a positive integer"),
        (np.arange(10.0), 2.5, 1, "time_steps must be a positive integer"),
        (np.array([1.0, np.nan, 3.0, 4.0]), 2, 1, "NaN/inf .* at time 1"),
        (np.zeros((3, 4, 2)), 1, 1, r"\(time,\) or \(time, features\)"),
        (["a", "b", "c"], 1, 1, "numeric"),
    ],
)
def test_windows_rejects_bad_input(series, time_steps, horizon, message) -> None:
    with pytest.raises(InputDataError, match=message):
        rl.data.windows(series, time_steps, horizon)


def test_pad_fills_the_end_and_refuses_a_real_step_equal_to_the_padding() -> None:
    batch = rl.data.pad([np.ones((1, 2)), 2 * np.ones((3, 2))], value=-1.0)
    assert batch.tolist()[0] == [[1.0, 1.0], [-1.0, -1.0], [-1.0, -1.0]]
    assert batch[1].tolist() == [[2.0, 2.0]] * 3
    with pytest.raises(InputDataError, match="padding value"):
        rl.data.pad([np.zeros((2, 3))])
    with pytest.raises(InputDataError, match="expected"):
        rl.data.pad([np.ones((2, 3)), np.ones((2, 4))])
