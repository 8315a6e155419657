"""Recording from the fused kernel's outputs: equal to the reference step loop (float64),
to ``torch.nn`` cells with the same weights, and refusing to return a recording whose h does
not match the kernel's."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnnlens as rl
from rnnlens.engine.record import RecordingMismatchError
from rnnlens.layers import GRU, LSTM, Bidirectional, Dense, Masking, SimpleRNN

KINDS = {"LSTM": LSTM, "GRU": GRU, "SimpleRNN": SimpleRNN}


def _inputs(masked: bool) -> np.ndarray:
    x = np.random.default_rng(0).normal(size=(4, 7, 3))
    if masked:
        x[0, 5:] = 0.0  # trailing padding
        x[1, :2] = 0.0  # leading padding
        x[1, 4] = 0.0  # and a hole in the middle
        x[2, 3] = 0.0
    return x


def _model(kind: str, wrap: str, masked: bool) -> rl.Sequential:
    torch.manual_seed(1)
    layer = KINDS[kind]
    first = layer(5, return_sequences=True, go_backwards=wrap == "backwards")
    if wrap == "bidirectional":
        first = Bidirectional(first)
    head = [Masking(0.0, input_shape=(7, 3))] if masked else []
    if not masked:
        first = type(first).from_config({**first.get_config(), "input_shape": (7, 3)})
    model = rl.Sequential([*head, first, layer(4, return_sequences=True), Dense(2)])
    model.module.double()
    return model


@pytest.mark.parametrize("masked", [False, True], ids=["unmasked", "masked"])
@pytest.mark.parametrize("wrap", ["plain", "backwards", "bidirectional"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_fused_recording_equals_the_reference_loop(kind: str, wrap: str, masked: bool) -> None:
    model = _model(kind, wrap, masked)
    x = _inputs(masked)
    fused = rl.trace(model, x)
    loop = rl.trace(model, x, path="reference")
    recorded = [layer for layer in fused.layers if layer.recurrent]
    assert len(recorded) == 2
    for layer in recorded:
        other = loop[layer.name]
        assert [d.direction for d in layer.directions] == [d.direction for d in other.directions]
        for mine, theirs in zip(layer.directions, other.directions):
            assert mine.path == "fused" and theirs.path == "reference"
            assert mine.h_check is not None and mine.h_check < 1e-12
            assert theirs.h_check is None
            assert list(mine.arrays) == list(theirs.arrays)
            for name in mine.arrays:
                np.testing.assert_allclose(mine[name], theirs[name], rtol=0, atol=1e-12)
        np.testing.assert_allclose(layer.output, other.output, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fused.output, loop.output, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fused.output, model.predict(x), rtol=0, atol=1e-12)
    assert fused.max_h_difference < 1e-12


def test_a_sample_with_no_real_step_falls_back_to_the_reference_loop() -> None:
    model = _model("LSTM", "plain", masked=True)
    x = _inputs(True)
    x[3] = 0.0  # every step masked: the packed kernel cannot take a sequence of length 0
    t = rl.trace(model, x)
    assert t["lstm"].forward.path == "reference"
    np.testing.assert_allclose(t.output, model.predict(x), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(t["lstm"]["h"][3], 0.0)


def _torch_cell(kind: str, weights: list[np.ndarray]) -> torch.nn.Module:
    """A torch.nn cell holding Keras weights, converted here by hand (not by rnnlens)."""
    kernel, recurrent, bias = (torch.as_tensor(w, dtype=torch.float64) for w in weights)
    u = recurrent.shape[0]
    if kind == "LSTM":  # Keras i, f, c, o = torch i, f, g, o; Keras's one bias -> bias_ih
        cell = torch.nn.LSTMCell(kernel.shape[0], u).double()
        biases = (bias, torch.zeros_like(bias))
    else:  # Keras z, r, h -> torch r, z, n; bias rows: input, recurrent

        def order(m: torch.Tensor) -> torch.Tensor:
            return torch.cat([m[..., u : 2 * u], m[..., :u], m[..., 2 * u :]], dim=-1)

        cell = torch.nn.GRUCell(kernel.shape[0], u).double()
        kernel, recurrent = order(kernel), order(recurrent)
        biases = (order(bias[0]), order(bias[1]))
    with torch.no_grad():
        cell.weight_ih.copy_(kernel.T)
        cell.weight_hh.copy_(recurrent.T)
        cell.bias_ih.copy_(biases[0])
        cell.bias_hh.copy_(biases[1])
    return cell


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_recorded_gates_equal_torch_nn_cell_math(kind: str) -> None:
    torch.manual_seed(2)
    model = rl.Sequential([KINDS[kind](6, return_sequences=True, input_shape=(9, 3))])
    model.module.double()
    x = np.random.default_rng(3).normal(size=(2, 9, 3))
    layer = rl.trace(model, x)[0]
    assert layer.forward.path == "fused"
    cell = _torch_cell(kind, model.layers[0].get_weights())
    xs = torch.as_tensor(x)
    h = torch.zeros(2, 6, dtype=torch.float64)
    c = torch.zeros_like(h)
    with torch.no_grad():
        for t in range(9):
            gi = xs[:, t] @ cell.weight_ih.T + cell.bias_ih  # torch's own gate math
            gh = h @ cell.weight_hh.T + cell.bias_hh
            if kind == "LSTM":
                i, f, g, o = (gi + gh).chunk(4, dim=-1)
                expected = {"i": i.sigmoid(), "f": f.sigmoid(), "c_hat": g.tanh(), "o": o.sigmoid()}
                h, c = cell(xs[:, t], (h, c))
                expected.update(c=c, h=h)
            else:
                (ir, iz, i_n), (hr, hz, hn) = gi.chunk(3, dim=-1), gh.chunk(3, dim=-1)
                r, z = (ir + hr).sigmoid(), (iz + hz).sigmoid()
                expected = {"r": r, "z": z, "h_hat": (i_n + r * hn).tanh()}
                h = cell(xs[:, t], h)
                expected["h"] = h
            for name, value in expected.items():
                np.testing.assert_allclose(layer[name][:, t], value.numpy(), rtol=0, atol=1e-12)


def test_a_recording_that_disagrees_with_the_kernel_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    torch.manual_seed(4)
    model = rl.Sequential([LSTM(8, return_sequences=True, input_shape=(6, 2)), Dense(1)])
    x = np.random.default_rng(5).normal(size=(3, 6, 2)).astype(np.float32)
    module = model.layers[0].module
    honest = module.torch_weights(cache=False)
    # The kernel runs with a recurrent matrix 1 % off the layer's: the recomputed gates use
    # the layer's own weights, so their h cannot match the kernel's.
    tampered = [w.clone() for w in honest]
    tampered[1] = tampered[1] * 1.01
    monkeypatch.setattr(module, "torch_weights", lambda cache=True: tampered)
    with pytest.raises(RecordingMismatchError, match=r"lstm.*path='reference'"):
        rl.trace(model, x)
    monkeypatch.setattr(module, "torch_weights", lambda cache=True: honest)
    t = rl.trace(model, x)
    assert t["lstm"].forward.path == "fused" and t.max_h_difference < 1e-5


def test_bad_path_is_refused() -> None:
    model = rl.Sequential([LSTM(2, input_shape=(3, 1))])
    with pytest.raises(rl.ConfigError, match="path must be"):
        rl.trace(model, np.zeros((1, 3, 1)), path="fast")


def test_forcing_the_fused_path_records_from_the_fused_kernel() -> None:
    from rnnlens.engine.sequential import set_path

    model = _model("GRU", "bidirectional", masked=True)
    set_path(model, "fused")
    x = _inputs(True)
    t = rl.trace(model, x)
    assert {d.path for layer in t.layers for d in layer.directions} == {"fused"}
    np.testing.assert_allclose(t.output, rl.trace(model, x, path="reference").output, atol=1e-12)
    x[3] = 0.0  # a sample with no real step: the fused kernel cannot, and says so
    with pytest.raises(rl.ConfigError, match="path='fused' cannot compute this call"):
        rl.trace(model, x)


def test_a_functional_chain_is_recorded_layer_by_layer_and_a_graph_is_refused() -> None:
    from rnnlens import layers as L

    torch.manual_seed(9)
    inputs = L.Input(shape=(6, 3))
    model = rl.Model(inputs, L.Dense(2)(L.GRU(4, return_sequences=True, name="rec")(inputs)))
    x = np.random.default_rng(6).normal(size=(2, 6, 3)).astype(np.float32)
    t = rl.trace(model, x)
    assert [(layer.name, layer.kind) for layer in t.layers] == [
        ("rec", "GRU"),
        (t[1].name, "Dense"),
    ]
    np.testing.assert_allclose(t.output, model.predict(x), atol=1e-6)
    np.testing.assert_array_equal(t[1].inputs, t["rec"]["h"])
    patched = rl.patch(model, x, layer="rec", step=5, value=0.0)
    np.testing.assert_allclose(patched[:, :5], model.predict(x)[:, :5], atol=1e-6)
    dense_bias = model.layers[-1].get_weights()[1]
    np.testing.assert_allclose(patched[:, 5], np.broadcast_to(dense_bias, (2, 2)), atol=1e-6)
    a = L.Input(shape=(6, 3))
    branching = rl.Model(a, [L.LSTM(2)(a), L.GRU(2)(a)])
    with pytest.raises(rl.ConfigError, match="is a graph"):
        rl.trace(branching, x)
    with pytest.raises(rl.ConfigError, match="is a graph"):
        rl.patch(branching, x, layer=1, step=0)
