"""Building a model costs the same per layer for the 100,000th layer as for the first."""

from __future__ import annotations

import gc
import time

import pytest

import rnnlens
from rnnlens.errors import ConfigError
from rnnlens.layers import Dense, Dropout


def _build_seconds(n: int) -> float:
    layers = [Dropout(0.1) for _ in range(n)]
    gc.disable()  # the collector's passes over many live objects are not the model's cost
    try:
        start = time.perf_counter()
        model = rnnlens.Sequential([Dense(2, input_shape=(3,))])
        for layer in layers:
            model.add(layer)
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    assert len(model.layers) == n + 1
    return elapsed


def test_adding_layers_is_linear() -> None:
    # A name check that scans the existing layers makes 4x the layers cost 16x the time.
    small = min(_build_seconds(5_000) for _ in range(3))
    large = min(_build_seconds(20_000) for _ in range(3))
    assert large / small < 10, (small, large)


def test_a_duplicate_name_is_found_among_many() -> None:
    model = rnnlens.Sequential([Dense(2, input_shape=(3,), name="first")])
    for i in range(1000):
        model.add(Dropout(0.1, name=f"d{i}"))
    with pytest.raises(ConfigError, match="a layer named 'd500' is already in model"):
        model.add(Dropout(0.1, name="d500"))
    assert model.get_layer("d999").name == "d999"
    model.pop()
    model.add(Dropout(0.1, name="d999"))  # popping frees the name
