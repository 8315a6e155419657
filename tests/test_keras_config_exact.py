"""rnnlens layer configs against Keras's: what rnnlens writes into a ``.keras`` file rebuilds,
in Keras, the layer Keras itself builds from the same arguments (same ``get_config()``), and
every rnnlens layer survives ``from_config(get_config())``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import rnnlens.layers as L
from rnnlens.io.keras_config import _keras_layer
from rnnlens.layers import objects as ro
from rnnlens.layers.base import serialize_layer

keras = pytest.importorskip("keras")

CASES: dict[str, Callable[[Any, Any], Any]] = {
    "lstm": lambda m, o: m.LSTM(
        4,
        return_sequences=True,
        kernel_regularizer=o["L2"](0.05),
        recurrent_constraint="non_neg",
        bias_initializer=o["Constant"](0.5),
        dropout=0.1,
        seed=3,
    ),
    "gru": lambda m, o: m.GRU(3, reset_after=False, go_backwards=True, activity_regularizer="l1"),
    "simple_rnn": lambda m, o: m.SimpleRNN(2, activation="relu", stateful=False),
    "dense": lambda m, o: m.Dense(
        3, activation="relu", bias_constraint=o["MaxNorm"](1.5), kernel_initializer="he_normal"
    ),
    "dropout": lambda m, o: m.Dropout(0.3, noise_shape=(None, 1, 4), seed=1),
    "repeat": lambda m, o: m.RepeatVector(3),
    "masking": lambda m, o: m.Masking(0.5),
    "bidirectional": lambda m, o: m.Bidirectional(
        m.LSTM(2, return_sequences=True), merge_mode="sum"
    ),
    "time_distributed": lambda m, o: m.TimeDistributed(m.Dense(2, kernel_regularizer="l2")),
}


def _keras_objects() -> dict[str, Any]:
    return {
        "L2": keras.regularizers.L2,
        "Constant": keras.initializers.Constant,
        "MaxNorm": keras.constraints.MaxNorm,
    }


def _rnnlens_objects() -> dict[str, Any]:
    return {"L2": ro.L2, "Constant": ro.Constant, "MaxNorm": ro.MaxNorm}


def _without_names(config: Any) -> Any:
    """Layer names differ between two fresh sessions; everything else must match."""
    if isinstance(config, dict):
        return {k: _without_names(v) for k, v in config.items() if k != "name"}
    if isinstance(config, list):
        return [_without_names(v) for v in config]
    return config


@pytest.mark.parametrize("case", sorted(CASES))
def test_exported_config_rebuilds_keras_own_layer(case: str) -> None:
    ours = CASES[case](L, _rnnlens_objects())
    theirs = CASES[case](keras.layers, _keras_objects())
    entry = _keras_layer(serialize_layer(ours))
    rebuilt = keras.layers.deserialize(entry)
    assert type(rebuilt) is type(theirs)
    assert _without_names(rebuilt.get_config()) == _without_names(theirs.get_config())


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_round_trip(case: str) -> None:
    layer = CASES[case](L, _rnnlens_objects())
    again = L.layer_from_config(serialize_layer(layer))
    assert again.get_config() == layer.get_config()
    assert type(again) is type(layer)
