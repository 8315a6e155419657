"""Conv1D and the poolings against Keras 3 (torch backend): shapes, counts, outputs, grads."""

from __future__ import annotations

import pytest

from rnnlens.errors import ConfigError, ShapeError
from rnnlens.layers import AveragePooling1D, Conv1D, GlobalAveragePooling1D, MaxPooling1D

from .layers_oracle import KERAS_WARNING, assert_same, assert_same_gradients, data

pytestmark = pytest.mark.filterwarnings(KERAS_WARNING)

CONV_CASES = {
    "valid": dict(filters=5, kernel_size=3),
    "valid-stride2": dict(filters=5, kernel_size=3, strides=2),
    "same-even-kernel": dict(filters=4, kernel_size=4, padding="same"),
    "same-stride2": dict(filters=4, kernel_size=3, strides=2, padding="same"),
    "causal": dict(filters=3, kernel_size=3, padding="causal"),
    "causal-dilated": dict(filters=3, kernel_size=2, padding="causal", dilation_rate=4),
    "dilated-valid": dict(filters=3, kernel_size=3, dilation_rate=2),
    "groups": dict(filters=6, kernel_size=3, groups=2, padding="same"),
    "relu-no-bias": dict(filters=4, kernel_size=1, activation="relu", use_bias=False),
}


@pytest.mark.parametrize("options", list(CONV_CASES.values()), ids=list(CONV_CASES))
@pytest.mark.parametrize("time", [9, 10])
def test_conv1d_matches_keras(options: dict[str, object], time: int) -> None:
    assert_same(lambda L: [L.Conv1D(**options)], data(2, time, 4))


POOL_CASES = {
    "max-2": lambda L: [L.MaxPooling1D(2)],
    "max-alias-3-stride1": lambda L: [L.MaxPool1D(3, strides=1)],
    "max-same-3-2": lambda L: [L.MaxPooling1D(3, strides=2, padding="same")],
    "max-same-2-1": lambda L: [L.MaxPooling1D(2, strides=1, padding="same")],
    "avg-2": lambda L: [L.AveragePooling1D(2)],
    "avg-alias-3-stride1": lambda L: [L.AvgPool1D(3, strides=1)],
    "avg-same-3-2": lambda L: [L.AveragePooling1D(3, strides=2, padding="same")],
    "avg-same-2-1": lambda L: [L.AveragePooling1D(2, strides=1, padding="same")],
    "avg-same-4-3": lambda L: [L.AveragePooling1D(4, strides=3, padding="same")],
    "global-max": lambda L: [L.GlobalMaxPooling1D()],
    "global-max-alias-keepdims": lambda L: [L.GlobalMaxPool1D(keepdims=True)],
    "global-avg": lambda L: [L.GlobalAveragePooling1D()],
    "global-avg-alias-keepdims": lambda L: [L.GlobalAvgPool1D(keepdims=True)],
}


@pytest.mark.parametrize("recipe", list(POOL_CASES.values()), ids=list(POOL_CASES))
@pytest.mark.parametrize("time", [9, 10])
def test_pooling_matches_keras(recipe: object, time: int) -> None:
    assert_same(recipe, data(3, time, 4))  # type: ignore[arg-type]


STACKS = {
    # The classic Conv1D + pooling front end before a recurrent layer.
    "conv-pool-lstm": lambda L: [
        L.Conv1D(8, 3, padding="same", activation="relu"),
        L.MaxPooling1D(2),
        L.LSTM(5),
        L.Dense(1, activation="sigmoid"),
    ],
    "conv-conv-gru-seq-global": lambda L: [
        L.Conv1D(6, 5, activation="relu"),
        L.Conv1D(6, 3, padding="causal", dilation_rate=2),
        L.AveragePooling1D(2),
        L.GRU(4, return_sequences=True),
        L.GlobalMaxPooling1D(),
        L.Dense(2),
    ],
}


@pytest.mark.parametrize("recipe", list(STACKS.values()), ids=list(STACKS))
def test_conv_stacks_match_keras(recipe: object) -> None:
    assert_same(recipe, data(3, 16, 4))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "recipe",
    [
        lambda L: [L.Conv1D(4, 3, padding="same", dilation_rate=2)],
        lambda L: [L.Conv1D(4, 3, strides=2, groups=2), L.AveragePooling1D(2, padding="same")],
        lambda L: [L.Conv1D(4, 2, padding="causal"), L.MaxPooling1D(2), L.LSTM(3)],
    ],
    ids=["conv", "conv-groups-avg", "conv-max-lstm"],
)
def test_conv_gradients_float64(recipe: object) -> None:
    assert_same_gradients(recipe, data(2, 11, 4).astype("float64"))  # type: ignore[arg-type]


def test_conv1d_arguments_refused_as_keras_does() -> None:
    # Keras raises ValueError for each of these; rnnlens's errors are ValueErrors too.
    with pytest.raises(ConfigError, match="filters"):
        Conv1D(0, 3)
    with pytest.raises(ConfigError, match="divisible by groups"):
        Conv1D(5, 3, groups=2)
    with pytest.raises(ConfigError, match="dilation_rate"):
        Conv1D(4, 3, strides=2, dilation_rate=2)
    with pytest.raises(ConfigError, match="padding"):
        Conv1D(4, 3, padding="full")
    with pytest.raises(ConfigError, match="channels_last"):
        Conv1D(4, 3, data_format="channels_first")
    with pytest.raises(ConfigError, match="padding"):
        MaxPooling1D(2, padding="causal")
    layer = Conv1D(4, 5)
    with pytest.raises(ShapeError, match="does not fit in 3 steps"):
        layer.build((None, 3, 2))
    with pytest.raises(ConfigError, match="not divisible by groups=2"):
        Conv1D(4, 3, groups=2).build((None, 10, 3))
    with pytest.raises(ShapeError, match=r"\(batch, time, features\)"):
        GlobalAveragePooling1D().build((None, 4))
    with pytest.raises(ShapeError, match="does not fit"):
        AveragePooling1D(4).build((None, 3, 2))
