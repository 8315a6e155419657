"""Keras 3 (torch backend) as the oracle: the same stack, the same weights, the same numbers.

Every case builds one model in Keras and in rnnlens from the same recipe (a function of the
layers namespace, so ``L.LSTM`` is Keras's in one and rnnlens's in the other), draws random
weights in Keras (biases included, so gate order and bias layout matter), copies them with
``get_weights()`` / ``set_weights()``, and compares output shapes, parameter counts, every
layer's output shape and the outputs (float32, atol 1e-5).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before Keras is imported (conftest does too)

import keras

import rnnlens
import rnnlens.layers as rl_layers

# Keras 3.15 calls np.array(variable) in get_weights(), which numpy 2 flags as deprecated.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

Recipe = Callable[[Any], list[Any]]
ATOL = 1e-5


def twins(
    recipe: Recipe, input_shape: tuple[int | None, ...], batch_size: int | None = None
) -> tuple[Any, rnnlens.Sequential]:
    """The Keras and rnnlens models of ``recipe``, named alike, with Keras's random weights."""
    keras.backend.clear_session(free_memory=False)
    rnnlens.clear_session()
    k_model = keras.Sequential(
        [keras.Input(input_shape, batch_size=batch_size), *recipe(keras.layers)]
    )
    r_model = rnnlens.Sequential(
        [rl_layers.Input(input_shape, batch_size=batch_size), *recipe(rl_layers)]
    )
    rng = np.random.default_rng(7)
    weights = [rng.normal(0, 0.5, w.shape).astype("float32") for w in k_model.get_weights()]
    k_model.set_weights(weights)
    r_model.set_weights(k_model.get_weights())
    return k_model, r_model


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def keras_outputs(model: Any, x: np.ndarray) -> list[np.ndarray]:
    return [np.asarray(t.detach().cpu()) for t in as_list(model(x))]


def shape_text(shape: Any) -> str:
    """Keras's nested tuples/lists of shapes and rnnlens's, in one comparable spelling."""
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return "[" + ", ".join(shape_text(s) for s in shape) + "]"
    return str(tuple(shape))


def assert_same(recipe: Recipe, x: np.ndarray, batch_size: int | None = None) -> None:
    """Compare the two models of ``recipe`` on ``x`` in every way the spec promises."""
    k_model, r_model = twins(recipe, x.shape[1:], batch_size)
    assert r_model.count_params() == k_model.count_params()
    for k_layer, r_layer in zip(k_model.layers, r_model.layers, strict=True):
        assert r_layer.name == k_layer.name
        assert r_layer.count_params() == k_layer.count_params(), r_layer.name
        k_shape = keras.tree.map_structure(lambda t: tuple(t.shape), k_layer.output)
        assert shape_text(r_layer.output_shape) == shape_text(k_shape), r_layer.name
    expected = keras_outputs(k_model, x)
    received = as_list(r_model.predict(x))
    assert len(received) == len(expected)
    for want, got in zip(expected, received):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, atol=ATOL, rtol=0)
    for want, got in zip(k_model.get_weights(), r_model.get_weights(), strict=True):
        np.testing.assert_array_equal(got, want)


def data(batch: int, time: int, features: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(batch, time, features)).astype("float32")


def padded(left: bool = True) -> np.ndarray:
    """Sequences with right padding, left padding, a gap, and one row that is all padding."""
    x = data(5, 6, seed=3)
    x[0, 4:] = 0.0  # right padding
    x[1, :2] = 0.0  # left padding
    x[2, :] = 0.0  # nothing real at all
    x[3, 2] = 0.0  # a gap in the middle
    if not left:
        x[1] = data(1, 6, seed=4)[0]
    return x


# ------------------------------------------------------------------ one recurrent layer
KINDS: dict[str, Callable[..., Any]] = {
    "LSTM": lambda L, **kw: L.LSTM(4, **kw),
    "GRU": lambda L, **kw: L.GRU(4, **kw),
    "GRU-reset_before": lambda L, **kw: L.GRU(4, reset_after=False, **kw),
    "SimpleRNN": lambda L, **kw: L.SimpleRNN(4, **kw),
}
SIZES = [(1, 1), (3, 5), (1, 5), (3, 1)]  # (batch, time)
LOOP_OPTIONS = [
    (seq, state, back) for seq in (False, True) for state in (False, True) for back in (False, True)
]


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize(("return_sequences", "return_state", "go_backwards"), LOOP_OPTIONS)
def test_recurrent_layer_options(
    kind: str, return_sequences: bool, return_state: bool, go_backwards: bool
) -> None:
    options = dict(
        return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards
    )
    batch, time = SIZES[(return_sequences + 2 * go_backwards + list(KINDS).index(kind)) % 4]
    assert_same(lambda L: [KINDS[kind](L, **options)], data(batch, time))


ACTIVATION_CASES = {
    "lstm-hard_sigmoid": lambda L: [
        L.LSTM(4, recurrent_activation="hard_sigmoid", return_sequences=True)
    ],
    "lstm-relu-linear": lambda L: [L.LSTM(4, activation="relu", recurrent_activation="linear")],
    "gru-linear-hard_sigmoid": lambda L: [
        L.GRU(4, activation="linear", recurrent_activation="hard_sigmoid")
    ],
    "gru-reset_before-relu": lambda L: [L.GRU(4, activation="relu", reset_after=False)],
    "simple_rnn-relu": lambda L: [L.SimpleRNN(4, activation="relu", return_sequences=True)],
    "simple_rnn-sigmoid": lambda L: [L.SimpleRNN(4, activation="sigmoid")],
    "simple_rnn-linear": lambda L: [L.SimpleRNN(4, activation=None)],
    "lstm-no_bias": lambda L: [L.LSTM(4, use_bias=False, return_sequences=True)],
    "gru-no_bias": lambda L: [L.GRU(4, use_bias=False)],
    "gru-reset_before-no_bias": lambda L: [L.GRU(4, use_bias=False, reset_after=False)],
    "simple_rnn-no_bias": lambda L: [L.SimpleRNN(4, use_bias=False)],
    "dense-relu-no_bias": lambda L: [L.LSTM(4), L.Dense(3, activation="relu", use_bias=False)],
}


@pytest.mark.parametrize("case", list(ACTIVATION_CASES))
def test_activations_and_bias(case: str) -> None:
    assert_same(ACTIVATION_CASES[case], data(3, 4))


# ----------------------------------------------------------------------- Bidirectional
BIDIRECTIONAL_CASES = [
    (merge, state, seq, inner)
    for i, (merge, state, seq) in enumerate(
        (m, st, sq)
        for m in ("concat", "sum", "mul", "ave", None)
        for st in (False, True)
        for sq in (False, True)
    )
    for inner in [("LSTM", "GRU", "GRU-reset_before", "SimpleRNN")[i % 4]]
]


@pytest.mark.parametrize(
    ("merge_mode", "return_state", "return_sequences", "inner"), BIDIRECTIONAL_CASES
)
def test_bidirectional(
    merge_mode: str | None, return_state: bool, return_sequences: bool, inner: str
) -> None:
    def recipe(L: Any) -> list[Any]:
        layer = KINDS[inner](L, return_sequences=return_sequences, return_state=return_state)
        return [L.Bidirectional(layer, merge_mode=merge_mode)]

    assert_same(recipe, data(2, 5))


# ---------------------------------------------------------------------- whole stacks
STACKS: dict[str, Recipe] = {
    "user-story": lambda L: [L.LSTM(64, return_sequences=True), L.LSTM(32)],
    "seq2seq": lambda L: [L.LSTM(8, return_sequences=True), L.LSTM(4, return_sequences=True)],
    "encoder-decoder": lambda L: [
        L.LSTM(6),
        L.RepeatVector(4),
        L.GRU(5, return_sequences=True),
        L.TimeDistributed(L.Dense(2)),
    ],
    "dropout-dense-head": lambda L: [
        L.GRU(6, return_sequences=True),
        L.Dropout(0.5),
        L.TimeDistributed(L.Dense(3, activation="relu")),
        L.Dense(2, activation="tanh"),
        L.SimpleRNN(3),
        L.Dropout(0.3),
        L.Dense(1),
    ],
    "bidirectional-stack": lambda L: [
        L.Bidirectional(L.LSTM(4, return_sequences=True)),
        L.Bidirectional(L.GRU(3, reset_after=False), merge_mode="ave"),
        L.RepeatVector(2),
        L.SimpleRNN(2, return_sequences=True, go_backwards=True),
    ],
}


@pytest.mark.parametrize("stack", list(STACKS))
def test_stacks(stack: str) -> None:
    x = data(3, 10, features=2) if stack == "user-story" else data(3, 5)
    assert_same(STACKS[stack], x)


# --------------------------------------------------------------------------- masking
MASKED_CASES = [
    (kind, seq, back) for kind in KINDS for seq in (False, True) for back in (False, True)
]


@pytest.mark.parametrize(("kind", "return_sequences", "go_backwards"), MASKED_CASES)
def test_masking_padded_sequences(kind: str, return_sequences: bool, go_backwards: bool) -> None:
    def recipe(L: Any) -> list[Any]:
        options = dict(
            return_sequences=return_sequences, return_state=True, go_backwards=go_backwards
        )
        return [L.Masking(0.0), KINDS[kind](L, **options)]

    assert_same(recipe, padded(left=not go_backwards))


MASKED_STACKS: dict[str, Recipe] = {
    "bidirectional-concat-sequences": lambda L: [
        L.Masking(0.0),
        L.Bidirectional(L.LSTM(4, return_sequences=True, return_state=True)),
    ],
    "bidirectional-none-sequences": lambda L: [
        L.Masking(0.0),
        L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode=None),
    ],
    "bidirectional-sum-last": lambda L: [
        L.Masking(0.0),
        L.Bidirectional(L.SimpleRNN(3, return_state=True), merge_mode="sum"),
    ],
    "mask-through-dense": lambda L: [
        L.Masking(0.0),
        L.LSTM(4, return_sequences=True),
        L.Dense(3),
        L.Dropout(0.2),
        L.TimeDistributed(L.Dense(3)),
        L.GRU(2, return_sequences=True),
    ],
    "mask-stops-at-repeat": lambda L: [L.Masking(0.0), L.LSTM(4), L.RepeatVector(3), L.LSTM(2)],
}


@pytest.mark.parametrize("stack", list(MASKED_STACKS))
def test_masking_through_stacks(stack: str) -> None:
    assert_same(MASKED_STACKS[stack], padded())


def test_masking_with_another_mask_value() -> None:
    x = padded()
    x[x == 0.0] = -1.0
    assert_same(lambda L: [L.Masking(-1.0), L.GRU(3, return_sequences=True)], x)


# -------------------------------------------------------------------------- stateful
STATEFUL: dict[str, Recipe] = {
    "lstm-gru": lambda L: [
        L.LSTM(4, stateful=True, return_sequences=True),
        L.GRU(3, stateful=True, return_state=True),
    ],
    "simple_rnn-backwards": lambda L: [L.SimpleRNN(4, stateful=True, go_backwards=True)],
    "bidirectional": lambda L: [L.Bidirectional(L.LSTM(3, stateful=True), merge_mode="sum")],
}


@pytest.mark.parametrize("stack", list(STATEFUL))
def test_stateful_carries_state_until_reset(stack: str) -> None:
    k_model, r_model = twins(STATEFUL[stack], (4, 3), batch_size=2)
    x = data(2, 4)
    runs: list[list[np.ndarray]] = []
    for call in range(3):
        if call == 2:
            for layer in k_model.layers:
                layer.reset_states()
            r_model.reset_states()
        expected, received = keras_outputs(k_model, x), as_list(r_model.predict(x))
        for want, got in zip(expected, received, strict=True):
            np.testing.assert_allclose(got, want, atol=ATOL, rtol=0)
        runs.append(received)
    # The same input gives another answer while the state is carried, the first after reset.
    assert not np.allclose(runs[0][0], runs[1][0], atol=1e-3)
    np.testing.assert_allclose(runs[2][0], runs[0][0], atol=ATOL, rtol=0)


# --------------------------------------------------------------------------- summary
SUMMARIES: dict[str, tuple[Recipe, tuple[int, ...], int | None]] = {
    "user-story": (lambda L: [L.LSTM(64, return_sequences=True), L.LSTM(32)], (10, 2), None),
    "seq2seq": (
        lambda L: [L.LSTM(64, return_sequences=True), L.LSTM(32, return_sequences=True)],
        (5, 2),
        None,
    ),
    "everything": (
        lambda L: [
            L.Masking(0.0),
            L.Bidirectional(L.GRU(16, return_sequences=True, reset_after=False)),
            L.Dropout(0.1),
            L.SimpleRNN(8),
            L.RepeatVector(3),
            L.Bidirectional(L.LSTM(4, return_sequences=True), merge_mode="mul"),
            L.TimeDistributed(L.Dense(2)),
        ],
        (7, 3),
        None,
    ),
    "return-state-wraps": (
        lambda L: [L.Bidirectional(L.LSTM(5, return_state=True), merge_mode=None)],
        (4, 2),
        None,
    ),
    "long-name-cut": (
        lambda L: [L.LSTM(3, name="a_layer_name_much_longer_than_the_column"), L.Dense(1)],
        (4, 2),
        None,
    ),
    "line-length-100": (
        lambda L: [L.Bidirectional(L.GRU(3, return_sequences=True)), L.TimeDistributed(L.Dense(1))],
        (6, 2),
        100,
    ),
    "line-length-60": (lambda L: [L.SimpleRNN(2, return_state=True)], (6, 2), 60),
}


@pytest.mark.parametrize("case", list(SUMMARIES))
def test_summary_text_matches_keras(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Keras narrows its table to the terminal; without one it prints 76 wide, as rnnlens does.
    recipe, input_shape, line_length = SUMMARIES[case]
    monkeypatch.setenv("COLUMNS", "80" if line_length is None else "200")
    k_model, r_model = twins(recipe, input_shape)
    k_lines: list[str] = []
    k_model.summary(
        line_length=line_length, print_fn=lambda text, line_break=True: k_lines.append(text)
    )
    r_lines: list[str] = []
    r_model.summary(line_length=line_length, print_fn=r_lines.append)
    assert "".join(r_lines) == "".join(k_lines).rstrip("\n")
