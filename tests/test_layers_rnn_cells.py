"""RNN(cell), the cells, StackedRNNCells and TimeDistributed around any layer, against Keras 3."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import pytest
import torch

import rnnlens
from rnnlens.errors import ConfigError, ShapeError
from rnnlens.layers import (
    GRU,
    LSTM,
    RNN,
    Dense,
    GRUCell,
    LSTMCell,
    SimpleRNNCell,
    StackedRNNCells,
    TimeDistributed,
)

from .layers_oracle import (
    KERAS_WARNING,
    assert_same,
    assert_same_gradients,
    assert_structure,
    data,
    shape_text,
    twins,
)

pytestmark = pytest.mark.filterwarnings(KERAS_WARNING)

CELLS = {
    "lstm": lambda L: L.LSTMCell(4),
    "lstm-hard-sigmoid": lambda L: L.LSTMCell(3, recurrent_activation="hard_sigmoid"),
    "gru": lambda L: L.GRUCell(4),
    "gru-reset-before": lambda L: L.GRUCell(3, reset_after=False),
    "simple-rnn-relu": lambda L: L.SimpleRNNCell(4, activation="relu"),
}
LOOP = [(seq, back) for seq in (False, True) for back in (False, True)]


@pytest.mark.parametrize("cell", list(CELLS.values()), ids=list(CELLS))
@pytest.mark.parametrize(("return_sequences", "go_backwards"), LOOP)
def test_rnn_of_one_cell_matches_keras(
    cell: Any, return_sequences: bool, go_backwards: bool
) -> None:
    options = dict(return_sequences=return_sequences, go_backwards=go_backwards)
    assert_same(lambda L: [L.RNN(cell(L), **options)], data(3, 5, 2))


def keras_flat_outputs(model: Any, x: np.ndarray) -> list[np.ndarray]:
    return [np.asarray(t.detach()) for t in keras.tree.flatten(model(x))]


STACKS = {
    "two-lstm": lambda L: [L.LSTMCell(4), L.LSTMCell(3)],
    "mixed": lambda L: L.StackedRNNCells([L.GRUCell(4), L.SimpleRNNCell(2), L.LSTMCell(3)]),
}


@pytest.mark.parametrize("stack", list(STACKS.values()), ids=list(STACKS))
@pytest.mark.parametrize(("return_sequences", "go_backwards"), LOOP)
@pytest.mark.parametrize("return_state", [False, True])
def test_stacked_cells_match_keras(
    stack: Any, return_sequences: bool, go_backwards: bool, return_state: bool
) -> None:
    options = dict(
        return_sequences=return_sequences, go_backwards=go_backwards, return_state=return_state
    )
    k_model, r_model = twins(lambda L: [L.RNN(stack(L), **options)], (5, 2))
    x = data(3, 5, 2)
    assert r_model.count_params() == k_model.count_params()
    expected = keras_flat_outputs(k_model, x)
    got = r_model.predict(x)
    got = got if isinstance(got, list) else [got]
    # Keras nests each cell's states ([out, [h, c], h2]); rnnlens hands them on flat.
    assert len(got) == len(expected)
    for want, have in zip(expected, got):
        np.testing.assert_allclose(have, want, atol=1e-5)
    k_shapes = [tuple(t.shape) for t in keras.tree.flatten(k_model.layers[0].output)]
    r_shape = r_model.layers[0].output_shape
    assert shape_text(r_shape if isinstance(r_shape, list) else [r_shape]) == shape_text(k_shapes)


def test_weight_names_and_order_follow_keras() -> None:
    k_model, r_model = twins(lambda L: [L.RNN(STACKS["mixed"](L))], (5, 2))
    k_names = [w.path.split("/", 2)[2] for w in k_model.weights]  # drop "sequential/rnn/"
    assert [s.name for s in r_model.layers[0].weight_specs()] == k_names
    single_k, single_r = twins(lambda L: [L.RNN(L.LSTMCell(3))], (5, 2))
    assert [s.name for s in single_r.layers[0].weight_specs()] == [
        w.path.split("/", 2)[2] for w in single_k.weights
    ]


def test_rnn_of_lstm_cell_is_lstm_and_runs_fused() -> None:
    rnn_model = rnnlens.Sequential([RNN(LSTMCell(6), return_sequences=True, input_shape=(7, 3))])
    lstm_model = rnnlens.Sequential([LSTM(6, return_sequences=True, input_shape=(7, 3))])
    lstm_model.set_weights(rnn_model.get_weights())
    x = data(4, 7, 3)
    np.testing.assert_array_equal(rnn_model.predict(x), lstm_model.predict(x))
    chain = rnn_model.layers[0].module.cells[0]  # type: ignore[union-attr, index]
    assert chain.uses_fused(None)  # the fused kernel, as for LSTM(6)
    assert rnn_model.count_params() == lstm_model.count_params() == 4 * 6 * (3 + 6 + 1)


def test_stateful_rnn_of_cell_carries_state_like_the_layer() -> None:
    rnn_model = rnnlens.Sequential([RNN(GRUCell(3), stateful=True, input_shape=(4, 2))])
    gru_model = rnnlens.Sequential([GRU(3, stateful=True, input_shape=(4, 2))])
    gru_model.set_weights(rnn_model.get_weights())
    for seed in (1, 2):
        x = data(2, 4, 2, seed=seed)
        np.testing.assert_allclose(rnn_model.predict(x), gru_model.predict(x), atol=1e-6)
    rnn_model.reset_states()
    gru_model.reset_states()
    x = data(2, 4, 2, seed=3)
    np.testing.assert_allclose(rnn_model.predict(x), gru_model.predict(x), atol=1e-6)


# Keras's generic RNN loop is not float64-exact (it promotes float64 with float32 to float32
# in places: 2e-8 off, also for GRU and SimpleRNN layers); its LSTM layer is, and computes
# the same function, so it is the float64 oracle for RNN of LSTM cells.
GRADIENT_CASES = {
    "lstm-cell": (
        lambda L: [L.RNN(L.LSTMCell(3), return_sequences=True)],
        lambda L: [L.LSTM(3, return_sequences=True)],
    ),
    "stack-backwards": (
        lambda L: [L.RNN([L.LSTMCell(3), L.LSTMCell(2)], go_backwards=True)],
        lambda L: [L.LSTM(3, return_sequences=True, go_backwards=True), L.LSTM(2)],
    ),
}


@pytest.mark.parametrize("case", list(GRADIENT_CASES.values()), ids=list(GRADIENT_CASES))
def test_gradients_float64(case: Any) -> None:
    recipe, keras_recipe = case
    assert_same_gradients(recipe, data(2, 5, 3).astype("float64"), keras_recipe=keras_recipe)


def test_time_distributed_dense_gradients_float64_against_torch() -> None:
    """Keras's Dense is 1.5e-8 off in float64 (float32 inside); x·W + b in torch is the oracle."""
    model = rnnlens.Sequential([TimeDistributed(Dense(2), input_shape=(5, 3))])
    x = torch.tensor(data(2, 5, 3), dtype=torch.float64)
    module = model.module.double()
    kernel, bias = module.layers[0].keras_parameters()  # type: ignore[operator]
    out = module(x)
    grads = torch.autograd.grad((out**2).sum(), [kernel, bias])
    w, b = (t.detach().clone().requires_grad_() for t in (kernel, bias))
    expected = torch.einsum("btd,du->btu", x, w) + b
    expected_grads = torch.autograd.grad((expected**2).sum(), [w, b])
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), atol=1e-12)
    for want, got in zip(expected_grads, grads, strict=True):
        np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-10)


def test_time_distributed_lstm_gradients_float64() -> None:
    assert_same_gradients(
        lambda L: [L.TimeDistributed(L.LSTM(3))], data(2, 3, 4, 2).astype("float64")
    )


TIME_DISTRIBUTED = {
    "dense-after-lstm": (
        lambda L: [
            L.LSTM(5, return_sequences=True),
            L.TimeDistributed(L.Dense(2, activation="softmax")),
        ],
        (3, 6, 2),
    ),
    "lstm": (lambda L: [L.TimeDistributed(L.LSTM(3))], (2, 3, 5, 2)),
    "gru-sequences-then-lstm": (
        lambda L: [
            L.TimeDistributed(L.GRU(3, return_sequences=True)),
            L.TimeDistributed(L.LSTM(2)),
            L.LSTM(2),
        ],
        (2, 3, 5, 2),
    ),
    "bidirectional": (
        lambda L: [L.TimeDistributed(L.Bidirectional(L.LSTM(2))), L.GRU(3)],
        (2, 3, 5, 2),
    ),
    "conv-pool-flatten": (
        lambda L: [
            L.TimeDistributed(L.Conv1D(4, 2, activation="relu")),
            L.TimeDistributed(L.MaxPooling1D(2)),
            L.TimeDistributed(L.Flatten()),
            L.LSTM(3),
        ],
        (2, 3, 7, 2),
    ),
    "rnn-cell": (lambda L: [L.TimeDistributed(L.RNN(L.LSTMCell(3)))], (2, 3, 5, 2)),
    "bidirectional-rnn-cell": (
        lambda L: [
            L.Bidirectional(L.RNN(L.LSTMCell(3), return_sequences=True)),
            L.Bidirectional(L.RNN(L.GRUCell(2)), merge_mode="sum"),
        ],
        (2, 5, 2),
    ),
}


@pytest.mark.parametrize("case", list(TIME_DISTRIBUTED.values()), ids=list(TIME_DISTRIBUTED))
def test_time_distributed_matches_keras(case: Any) -> None:
    recipe, shape = case
    assert_same(recipe, data(*shape))


def test_structure_of_a_cnn_lstm_video_model() -> None:
    recipe = TIME_DISTRIBUTED["conv-pool-flatten"][0]
    k_model, r_model = twins(recipe, (None, 7, 2))
    assert_structure(k_model, r_model)


def test_bad_cells_and_wrappers() -> None:
    with pytest.raises(ConfigError, match="cell must be LSTMCell"):
        RNN(Dense(3))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="belongs to RNN"):
        LSTMCell(3, return_sequences=True)
    with pytest.raises(ConfigError, match="LSTMCell: units"):
        LSTMCell(0)
    with pytest.raises(ConfigError, match="GRUCell: unknown activation"):
        GRUCell(3, activation="nope")
    with pytest.raises(ConfigError, match="wrap it"):
        rnnlens.Sequential([SimpleRNNCell(3, input_shape=(4, 2))])
    with pytest.raises(ConfigError, match="non-empty list"):
        StackedRNNCells([])
    with pytest.raises(ShapeError, match="several"):
        rnnlens.Sequential([TimeDistributed(LSTM(3, return_state=True), input_shape=(3, 4, 2))])
    with pytest.raises(ShapeError, match=r"\(batch, time, features\)"):
        RNN(LSTMCell(3)).build((None, 4))
    with pytest.raises(ShapeError, match="initial_state"):
        layer = RNN([LSTMCell(2), GRUCell(2)])
        layer.build((None, 4, 3))
        layer.module(torch.zeros(1, 4, 3), None, [torch.zeros(1, 2)])
