"""Shared helpers of the io tests: the grid of stacks and output comparison."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import rnnlens
from rnnlens import layers as L

TIME, FEATURES = 5, 3

# name -> layers (after the input); each covers a layer type or an option of the contract.
STACKS: dict[str, Callable[[], list[Any]]] = {
    "lstm_story": lambda: [L.LSTM(6, return_sequences=True), L.LSTM(4), L.Dense(1)],
    "gru_backwards_td": lambda: [
        L.GRU(4, return_sequences=True, go_backwards=True),
        L.TimeDistributed(L.Dense(2, activation="relu")),
    ],
    "simple_rnn_relu": lambda: [L.SimpleRNN(4, activation="relu"), L.Dense(2, use_bias=False)],
    "bi_concat": lambda: [L.Bidirectional(L.LSTM(3, return_sequences=True)), L.GRU(2)],
    "bi_sum": lambda: [L.Bidirectional(L.GRU(3), merge_mode="sum")],
    "bi_mul": lambda: [L.Bidirectional(L.SimpleRNN(3, return_sequences=True), merge_mode="mul")],
    "bi_ave": lambda: [L.Bidirectional(L.LSTM(3), merge_mode="ave"), L.Dense(2, "softmax")],
    "bi_none": lambda: [L.Bidirectional(L.LSTM(3), merge_mode=None)],
    "lstm_state": lambda: [L.LSTM(4, return_sequences=True), L.LSTM(3, return_state=True)],
    "gru_state": lambda: [L.GRU(3, return_sequences=True, return_state=True)],
    "bi_state": lambda: [L.Bidirectional(L.GRU(2, return_state=True))],
    "repeat_dropout_flatten": lambda: [
        L.LSTM(4),
        L.Dropout(0.3),
        L.RepeatVector(2),
        L.SimpleRNN(3, return_sequences=True),
        L.Flatten(),
        L.Dense(1, activation="sigmoid"),
    ],
    # Representable in Keras and rnnlens, not in torch.nn / ONNX:
    "gru_reset_before": lambda: [L.GRU(3, reset_after=False)],
    "masking": lambda: [L.Masking(0.0), L.LSTM(3)],
}
NOT_TORCH = ("gru_reset_before", "masking")


def build(name: str, seed: int = 0) -> rnnlens.Sequential:
    """The stack ``name`` with random (nonzero-bias) weights, so layouts matter."""
    rnnlens.clear_session()
    model = rnnlens.Sequential([L.Input((TIME, FEATURES)), *STACKS[name]()], name=name)
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
    return model


def sample(batch: int = 3, seed: int = 1) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(batch, TIME, FEATURES)).astype("float32")
    x[0, -1] = 0.0  # one all-zero step, so Masking has something to mask
    return x


def as_list(value: Any) -> list[np.ndarray]:
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    out = []
    for item in items:
        if hasattr(item, "detach"):
            item = item.detach().cpu().numpy()
        out.append(np.asarray(item))
    return out


def assert_same(got: Any, want: Any, atol: float = 1e-5) -> None:
    got_list, want_list = as_list(got), as_list(want)
    assert len(got_list) == len(want_list)
    for a, b in zip(got_list, want_list):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, atol=atol, rtol=0)
