"""The real datasets shipped inside rnnlens: read from CSV files next to this module.

Provenance, licences and the extraction commands are in ``README.md`` beside this file.
Reading them needs only the standard library and numpy (no torch, no network).
"""

from __future__ import annotations

import csv
from importlib import resources
from typing import Any, NamedTuple

import numpy as np

from ..errors import ConfigError


class Series(NamedTuple):
    """A univariate time series and the time (e.g. the year) of each value."""

    values: np.ndarray  # (T,) float64
    time: np.ndarray  # (T,) int64: the time of each value, e.g. its year


class LabelledSequences(NamedTuple):
    """Variable-length multivariate sequences with one class label each, split as published."""

    x_train: list[np.ndarray]  # N_train arrays (T_i, features)
    y_train: np.ndarray  # (N_train,) int64 class ids from 0
    x_test: list[np.ndarray]
    y_test: np.ndarray
    class_names: list[str]


def _rows(filename: str) -> list[dict[str, str]]:
    with resources.files(__package__).joinpath(filename).open("r", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_sunspots() -> Series:
    """Yearly mean sunspot number, 1700-2008 (309 values; public domain, see README)."""
    rows = _rows("sunspots.csv")
    values = np.array([float(r["sunspots"]) for r in rows])
    years = np.array([int(r["year"]) for r in rows], dtype=np.int64)
    return Series(values, years)


def load_japanese_vowels() -> LabelledSequences:
    """Nine speakers saying /ae/: 640 utterances of 7-29 frames x 12 LPC cepstrum coefficients."""
    columns = [f"lpc{k}" for k in range(1, 13)]
    grouped: dict[tuple[str, int], tuple[int, list[list[float]]]] = {}
    for row in _rows("japanese_vowels.csv"):
        key = (row["split"], int(row["utterance"]))
        _, frames = grouped.setdefault(key, (int(row["speaker"]), []))
        frames.append([float(row[c]) for c in columns])

    def split(name: str) -> tuple[list[np.ndarray], np.ndarray]:
        keys = sorted(k for k in grouped if k[0] == name)
        x = [np.array(grouped[k][1]) for k in keys]  # (T_i, 12) each
        y = np.array([grouped[k][0] - 1 for k in keys], dtype=np.int64)
        return x, y

    x_train, y_train = split("train")
    x_test, y_test = split("test")
    names = [f"speaker {k}" for k in range(1, 10)]
    return LabelledSequences(x_train, y_train, x_test, y_test, names)


LOADERS = {"sunspots": load_sunspots, "japanese_vowels": load_japanese_vowels}
ALIASES = {"vowels": "japanese_vowels", "japanesevowels": "japanese_vowels"}


def load(name: str) -> Any:
    """Load a shipped dataset by name.

    ``"sunspots"`` gives a :class:`Series` ``(values, time)``: ``values`` (309,) float64 yearly
    sunspot numbers, ``time`` the years 1700-2008. ``"japanese_vowels"`` (or ``"vowels"``)
    gives :class:`LabelledSequences`: ``x_train`` 270 and ``x_test`` 370 arrays of shape
    (T_i, 12) with T_i from 7 to 29, labels 0-8 (speaker 1-9); pad them with :func:`pad`.

    >>> years_and_values = load("sunspots")
    >>> years_and_values.values.shape, int(years_and_values.time[0])
    ((309,), 1700)
    >>> vowels = load("vowels")
    >>> len(vowels.x_train), vowels.x_train[0].shape, sorted(set(vowels.y_train.tolist()))[-1]
    (270, (20, 12), 8)

    Raises:
        ConfigError: ``name`` is not a shipped dataset.
    """
    key = name.strip().lower().replace("-", "_") if isinstance(name, str) else name
    key = ALIASES.get(key, key)
    if key not in LOADERS:
        raise ConfigError(
            f"rnnlens.data.load: no dataset named {name!r}; the shipped ones are {sorted(LOADERS)}"
        )
    return LOADERS[key]()
