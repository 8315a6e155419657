"""LSTM gates read from oneDNN's training workspace (float32 on CPU).

The oracle is ``torch.nn.LSTMCell`` stepped in float64 with the same weights, converted by
hand here; the workspace recording must agree with it to float32 rounding, over shapes that
move every region of the workspace (batch, steps, features, units; one chunk or several),
and fall back to recomputing whenever what it read does not reproduce the kernel's h.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnnlens as rl
from rnnlens.engine import workspace
from rnnlens.layers import LSTM, Bidirectional, Dense, Masking

pytestmark = pytest.mark.skipif(
    not workspace.usable(torch.zeros(1, 1, 1), []), reason="torch runs LSTM without oneDNN here"
)

ATOL = 2e-6  # float32 against a float64 oracle, states within [-1, 1]


@pytest.fixture(autouse=True)
def _layout_assumed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with the layout assumed (a test may make it fail on purpose)."""
    monkeypatch.setattr(workspace, "layout_matches", True)


def _oracle(weights: list[np.ndarray], x: np.ndarray, reverse: bool = False) -> dict:
    """Keras weights (kernel, recurrent, bias) stepped by torch.nn.LSTMCell in float64."""
    kernel, recurrent, *bias = (torch.as_tensor(w, dtype=torch.float64) for w in weights)
    units = recurrent.shape[0]
    cell = torch.nn.LSTMCell(kernel.shape[0], units, bias=bool(bias)).double()
    with torch.no_grad():  # Keras i, f, c, o are torch's i, f, g, o; Keras's one bias
        cell.weight_ih.copy_(kernel.T)
        cell.weight_hh.copy_(recurrent.T)
        if bias:
            cell.bias_ih.copy_(bias[0])
            cell.bias_hh.zero_()
    xs = torch.as_tensor(x, dtype=torch.float64)
    h = torch.zeros(xs.shape[0], units, dtype=torch.float64)
    c = torch.zeros_like(h)
    steps = range(xs.shape[1] - 1, -1, -1) if reverse else range(xs.shape[1])
    out: dict[str, list] = {k: [None] * xs.shape[1] for k in ("i", "f", "c_hat", "o", "c", "h")}
    with torch.no_grad():
        for t in steps:
            z = xs[:, t] @ cell.weight_ih.T + h @ cell.weight_hh.T
            if bias:
                z = z + cell.bias_ih
            i, f, g, o = z.chunk(4, dim=-1)
            h, c = cell(xs[:, t], (h, c))
            for name, value in zip(out, (i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid(), c, h)):
                out[name][t] = value
    return {name: torch.stack(values, dim=1).numpy() for name, values in out.items()}


def _assert_recorded(direction, expected: dict) -> None:
    assert direction.path == "fused" and direction.gates_from == "workspace"
    assert direction.h_check is not None and direction.h_check < 1e-5
    for name, value in expected.items():
        np.testing.assert_allclose(direction[name], value, rtol=0, atol=ATOL, err_msg=name)


@pytest.mark.parametrize(
    ("batch", "steps", "features", "units"),
    [
        *[(1, 1, 1, 1), (1, 5, 1, 1), (3, 5, 2, 4), (7, 3, 3, 5), (2, 9, 33, 16)],
        *[(5, 4, 8, 64), (4, 6, 300, 64), (2, 3, 5, 256), (3, 2, 4, 300)],
    ],
)
def test_gates_read_from_the_workspace_equal_torch_nn_cell(
    batch: int, steps: int, features: int, units: int
) -> None:
    torch.manual_seed(units + steps)
    model = rl.Sequential([LSTM(units, return_sequences=True, input_shape=(steps, features))])
    x = np.random.default_rng(batch).normal(size=(batch, steps, features)).astype(np.float32)
    layer = rl.trace(model, x)[0]
    _assert_recorded(layer.forward, _oracle(model.layers[0].get_weights(), x))
    np.testing.assert_allclose(layer.output, model.predict(x), rtol=0, atol=1e-6)


@pytest.mark.parametrize("use_bias", [True, False])
def test_a_sequence_read_in_several_chunks_equals_one_read_in_one(
    monkeypatch: pytest.MonkeyPatch, use_bias: bool
) -> None:
    torch.manual_seed(3)
    model = rl.Sequential(
        [LSTM(24, return_sequences=True, use_bias=use_bias, input_shape=(40, 6)), LSTM(8)]
    )
    x = np.random.default_rng(4).normal(size=(5, 40, 6)).astype(np.float32)
    whole = rl.trace(model, x)
    monkeypatch.setattr(workspace, "CHUNK_BYTES", 1)  # one step per kernel call
    monkeypatch.setattr(workspace, "MIN_CHUNK_BYTES", 1)
    assert workspace.chunk_steps(5, 40, 6, 24) == 1
    chunked = rl.trace(model, x)
    for a, b in zip(whole.layers, chunked.layers):
        for name in a.forward.arrays:
            np.testing.assert_allclose(a[name], b[name], rtol=0, atol=1e-6)
    _assert_recorded(chunked[0].forward, _oracle(model.layers[0].get_weights(), x))
    _assert_recorded(chunked[1].forward, _oracle(model.layers[1].get_weights(), chunked[0]["h"]))
    np.testing.assert_allclose(chunked.output, model.predict(x), rtol=0, atol=1e-6)


def test_backward_directions_are_recorded_on_input_time() -> None:
    torch.manual_seed(5)
    model = rl.Sequential(
        [
            Bidirectional(LSTM(6, return_sequences=True), input_shape=(7, 3)),
            LSTM(4, go_backwards=True, return_sequences=True),
            Dense(1),
        ]
    )
    x = np.random.default_rng(6).normal(size=(3, 7, 3)).astype(np.float32)
    t = rl.trace(model, x)
    wrapper = model.layers[0]
    fw, bw = wrapper.forward_layer.get_weights(), wrapper.backward_layer.get_weights()
    _assert_recorded(t[0].forward, _oracle(fw, x))
    _assert_recorded(t[0].backward, _oracle(bw, x, reverse=True))
    # go_backwards alone: step t of the record is the state after reading x[t]
    _assert_recorded(t[1].forward, _oracle(model.layers[1].get_weights(), t[0].output, True))
    np.testing.assert_allclose(t.output, model.predict(x), rtol=0, atol=1e-6)
    loop = rl.trace(model, x, path="reference")
    for mine, theirs in zip(t.layers, loop.layers):
        for a, b in zip(mine.directions, theirs.directions):
            for name in a.arrays:
                np.testing.assert_allclose(a[name], b[name], rtol=0, atol=1e-6)


def test_a_workspace_that_does_not_match_the_layout_falls_back_to_recomputing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    torch.manual_seed(7)
    model = rl.Sequential([LSTM(8, return_sequences=True, input_shape=(6, 2))])
    x = np.random.default_rng(8).normal(size=(3, 6, 2)).astype(np.float32)
    right = workspace.cell_offset
    # Another oneDNN might keep the cell states elsewhere: reading the wrong region must not
    # be returned as a recording.
    monkeypatch.setattr(workspace, "cell_offset", lambda *shape: right(*shape) + 1024)
    t = rl.trace(model, x)
    assert t[0].forward.gates_from == "recomputed" and t.max_h_difference < 1e-5
    assert workspace.layout_matches is False  # not tried again in this process
    expected = _oracle(model.layers[0].get_weights(), x)
    for name, value in expected.items():
        np.testing.assert_allclose(t[0][name], value, rtol=0, atol=ATOL)
    monkeypatch.setattr(workspace, "cell_offset", right)
    assert rl.trace(model, x)[0].forward.gates_from == "recomputed"


def test_a_torch_whose_op_takes_other_arguments_falls_back_to_recomputing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def changed(*args: object) -> None:
        raise TypeError("mkldnn_rnn_layer() takes 17 positional arguments but 16 were given")

    monkeypatch.setattr(torch, "mkldnn_rnn_layer", changed)
    torch.manual_seed(13)
    model = rl.Sequential([LSTM(5, return_sequences=True, input_shape=(4, 3))])
    x = np.random.default_rng(13).normal(size=(2, 4, 3)).astype(np.float32)
    t = rl.trace(model, x)
    assert t[0].forward.gates_from == "recomputed" and workspace.layout_matches is False
    for name, value in _oracle(model.layers[0].get_weights(), x).items():
        np.testing.assert_allclose(t[0][name], value, rtol=0, atol=ATOL)


def test_masks_and_float64_are_recomputed_not_read() -> None:
    torch.manual_seed(9)
    model = rl.Sequential([LSTM(4, return_sequences=True, input_shape=(5, 2))])
    x = np.random.default_rng(9).normal(size=(2, 5, 2))
    assert rl.trace(model, x.astype(np.float32))[0].forward.gates_from == "workspace"
    model.module.double()
    assert rl.trace(model, x)[0].forward.gates_from == "recomputed"
    masked = rl.Sequential([Masking(0.0, input_shape=(5, 2)), LSTM(4)])
    x[0, 3:] = 0.0
    assert rl.trace(masked, x.astype(np.float32))[1].forward.gates_from == "recomputed"


def test_a_stateful_layer_is_read_from_its_carried_states() -> None:
    """The workspace path starts from the stored h and c, as the step loop does."""

    def build() -> rl.Sequential:
        return rl.Sequential(
            [LSTM(6, stateful=True, return_sequences=True, batch_input_shape=(3, 5, 2))]
        )

    torch.manual_seed(11)
    fast, loop, fresh = build(), build(), build()
    loop.set_weights(fast.get_weights())
    fresh.set_weights(fast.get_weights())
    x = np.random.default_rng(12).normal(size=(3, 5, 2)).astype(np.float32)
    for model in (fast, loop):
        model.predict(x)  # carries h and c into the next call
    read = rl.trace(fast, x)[0].forward
    stepped = rl.trace(loop, x, path="reference")[0].forward
    assert read.gates_from == "workspace"
    from_zeros = rl.trace(fresh, x)[0].forward
    assert np.abs(from_zeros["c"][:, 0] - read["c"][:, 0]).max() > 1e-2  # it did carry over
    for name in read.arrays:
        np.testing.assert_allclose(read[name], stepped[name], rtol=0, atol=1e-6, err_msg=name)
    np.testing.assert_allclose(fast.predict(x), loop.predict(x), rtol=0, atol=1e-6)
