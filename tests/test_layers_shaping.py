"""Activation, Reshape, Permute, InputLayer and SpatialDropout1D against Keras 3."""

from __future__ import annotations

import keras
import pytest
import torch

import rnnlens
from rnnlens.errors import ConfigError, ShapeError
from rnnlens.layers import (
    LSTM,
    Activation,
    Dense,
    InputLayer,
    Permute,
    Reshape,
    SpatialDropout1D,
)

from .layers_oracle import KERAS_WARNING, assert_same, assert_structure, data, twins

pytestmark = pytest.mark.filterwarnings(KERAS_WARNING)

CASES = {
    "activation-relu": (lambda L: [L.Activation("relu")], (3, 5, 4)),
    "activation-softmax": (lambda L: [L.LSTM(4), L.Activation("softmax")], (3, 5, 2)),
    "activation-tanh-after-dense": (lambda L: [L.Dense(3), L.Activation("tanh")], (3, 5, 2)),
    "activation-gelu-elu-selu": (
        lambda L: [L.Activation("gelu"), L.Activation("elu"), L.Activation("selu")],
        (2, 4, 3),
    ),
    "reshape-to-sequence": (lambda L: [L.Reshape((6, 2)), L.LSTM(3)], (2, 12)),
    "reshape-minus-one": (lambda L: [L.Reshape((-1, 4)), L.GRU(2)], (2, 3, 8)),
    "permute": (lambda L: [L.Permute((2, 1)), L.LSTM(3)], (2, 5, 4)),
    "flatten-reshape-round-trip": (
        lambda L: [
            L.LSTM(4, return_sequences=True),
            L.Flatten(),
            L.Reshape((5, 4)),
            L.SimpleRNN(2),
        ],
        (2, 5, 3),
    ),
    "spatial-dropout-inference": (lambda L: [L.SpatialDropout1D(0.5), L.LSTM(3)], (2, 5, 4)),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_matches_keras(case: object) -> None:
    recipe, shape = case  # type: ignore[misc]
    assert_same(recipe, data(*shape))


def test_input_layer_spellings_build_what_keras_builds() -> None:
    keras.backend.clear_session(free_memory=False)
    k_model = keras.Sequential([keras.layers.InputLayer(shape=(10, 2)), keras.layers.LSTM(4)])
    for first in (
        InputLayer(shape=(10, 2)),
        InputLayer(input_shape=(10, 2)),  # Keras 2
        InputLayer(batch_input_shape=(None, 10, 2)),  # Keras 2
        InputLayer(batch_shape=(None, 10, 2)),
    ):
        rnnlens.clear_session()
        model = rnnlens.Sequential([first, LSTM(4)])
        assert_structure(k_model, model)
        assert model.input_shape == (None, 10, 2)
    assert InputLayer(batch_shape=(8, 10, 2)).batch_size == 8


def test_reshape_and_permute_shapes_like_keras() -> None:
    k_model, r_model = twins(lambda L: [L.Reshape((2, -1)), L.Permute((2, 1))], (3, 4))
    assert_structure(k_model, r_model)
    assert r_model.output_shape == (None, 6, 2)
    layer = Reshape((-1, 3))
    layer.build((None, None, 6))  # a free time axis: the -1 stays unknown
    assert layer.output_shape == (None, None, 3)


def test_spatial_dropout_drops_whole_channels_while_training() -> None:
    model = rnnlens.Sequential([SpatialDropout1D(0.5, input_shape=(50, 40))])
    x = torch.ones(8, 50, 40)
    module = model.module.train()
    y = module(x)
    per_channel = y.amax(dim=1) - y.amin(dim=1)  # (B, D): 0 when the channel is constant
    assert torch.all(per_channel == 0)  # the same draw at every step
    values = set(torch.unique(y).tolist())
    assert values == {0.0, 2.0}  # dropped, or kept and scaled by 1 / (1 - 0.5)
    assert 0.3 < float((y == 0).float().mean()) < 0.7
    module.eval()
    assert torch.equal(module(x), x)


def test_bad_arguments() -> None:
    with pytest.raises(ConfigError, match="unknown activation 'relux'; did you mean 'relu'"):
        Activation("relux")
    with pytest.raises(ConfigError, match="at most one -1"):
        Reshape((-1, -1))
    with pytest.raises(ConfigError, match="positive integers"):
        Reshape((0, 3))
    with pytest.raises(ShapeError, match="cannot be laid out"):
        rnnlens.Sequential([Dense(5, input_shape=(3,)), Reshape((2, 2))])
    with pytest.raises(ConfigError, match="permutation"):
        Permute((0, 1))
    with pytest.raises(ShapeError, match="reorders 2 axes"):
        Permute((2, 1)).build((None, 3, 4, 5))
    with pytest.raises(ConfigError, match="rate"):
        SpatialDropout1D(1.0)
    with pytest.raises(ShapeError, match=r"\(batch, time, features\)"):
        SpatialDropout1D(0.2).build((None, 4))
    with pytest.raises(ConfigError, match="InputLayer needs shape"):
        InputLayer()
