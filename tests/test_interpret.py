"""``rl.patch``, ``rl.ablate_units`` and ``rl.attribute`` against an independent recomputation:
a NumPy loop over Keras's cell equations with the intervention written into the loop, and
``torch.nn`` gradients with the same weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnnlens as rl
from rnnlens.layers import GRU, LSTM, Bidirectional, Dense, Dropout, Masking, SimpleRNN

KINDS = {"LSTM": LSTM, "GRU": GRU, "SimpleRNN": SimpleRNN}


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def numpy_layer(kind, weights, x, mask=None, backwards=False, zero_output=False, after_step=None):
    """Keras's loop in NumPy. ``after_step(t, states, output, real)`` may change the states
    and the output after input step t. Returns the outputs in processing order and the states."""
    kernel, recurrent, bias = weights
    batch, steps, _ = x.shape
    u = recurrent.shape[0]
    states = [np.zeros((batch, u)) for _ in range(2 if kind == "LSTM" else 1)]
    previous, outputs = np.zeros((batch, u)), []
    for p in range(steps):
        t = steps - 1 - p if backwards else p
        h = states[0]
        if kind == "LSTM":
            z = x[:, t] @ kernel + h @ recurrent + bias
            i, f, g, o = (
                sigmoid(z[:, :u]),
                sigmoid(z[:, u : 2 * u]),
                np.tanh(z[:, 2 * u : 3 * u]),
                sigmoid(z[:, 3 * u :]),
            )
            c = f * states[1] + i * g
            new = [o * np.tanh(c), c]
        elif kind == "GRU":
            xz = x[:, t] @ kernel + bias[0]
            hz = h @ recurrent + bias[1]
            zg, r = sigmoid(xz[:, :u] + hz[:, :u]), sigmoid(xz[:, u : 2 * u] + hz[:, u : 2 * u])
            cand = np.tanh(xz[:, 2 * u :] + r * hz[:, 2 * u :])
            new = [zg * h + (1 - zg) * cand]
        else:
            new = [np.tanh(x[:, t] @ kernel + h @ recurrent + bias)]
        real = np.ones((batch, 1), bool) if mask is None else mask[:, t : t + 1]
        output = new[0]
        states = [np.where(real, n, s) for n, s in zip(new, states)]
        output = np.where(real, output, 0.0 if zero_output else previous)
        if after_step is not None:
            output = after_step(t, states, output, real)
        previous = output
        outputs.append(output)
    return np.stack(outputs, axis=1), states


def _inputs(masked: bool) -> np.ndarray:
    x = np.random.default_rng(0).normal(size=(3, 8, 2))
    if masked:
        x[0, 6:] = 0.0
        x[1, 3] = 0.0
        x[2, :2] = 0.0
    return x


def _model(kind: str, wrap: str, masked: bool) -> rl.Sequential:
    torch.manual_seed(7)
    first = KINDS[kind](4, return_sequences=True, go_backwards=wrap == "backwards")
    if wrap.startswith("bidirectional"):
        first = Bidirectional(first)
    head = [Masking(0.0)] if masked else []
    model = rl.Sequential([rl.layers.Input(shape=(8, 2)), *head, first, Dense(2)])
    model.module.double()
    return model


def numpy_model(model, x, masked, after_step_for=None, direction="forward"):
    """The whole model in NumPy; ``after_step_for`` is applied to the chosen direction."""
    mask = (x != 0).any(-1) if masked else None
    recurrent = next(layer for layer in model.layers if type(layer).__name__ != "Masking")
    dense_kernel, dense_bias = model.layers[-1].get_weights()
    weights = recurrent.get_weights()
    if isinstance(recurrent, Bidirectional):
        kind = type(recurrent.forward).__name__
        n = len(weights) // 2
        fw_hook = after_step_for if direction == "forward" else None
        bw_hook = after_step_for if direction == "backward" else None
        fw, _ = numpy_layer(kind, weights[:n], x, mask, False, True, fw_hook)
        bw, _ = numpy_layer(kind, weights[n:], x, mask, True, True, bw_hook)
        sequence = np.concatenate([fw, bw[:, ::-1]], axis=-1)
    else:
        kind = type(recurrent).__name__
        backwards = recurrent.go_backwards
        sequence, _ = numpy_layer(kind, weights, x, mask, backwards, False, after_step_for)
    return sequence @ dense_kernel + dense_bias


GRID = [
    (kind, wrap, masked)
    for kind in KINDS
    for wrap in ("plain", "backwards", "bidirectional-forward", "bidirectional-backward")
    for masked in (False, True)
]


@pytest.mark.parametrize(("kind", "wrap", "masked"), GRID)
def test_patch_equals_the_loop_with_the_state_replaced(kind: str, wrap: str, masked: bool) -> None:
    model = _model(kind, wrap, masked)
    x = _inputs(masked)
    layer = 1 if masked else 0
    direction = "backward" if wrap.endswith("backward") else "forward"
    value = np.linspace(-0.5, 0.5, 4)
    for step in (0, 3, 7):
        for state in ("h", "c") if kind == "LSTM" else ("h",):

            def after(t, states, output, real, step=step, state=state):
                if t == step:
                    states[0 if state == "h" else 1] = np.broadcast_to(
                        value, states[0].shape
                    ).copy()
                    if state == "h":
                        output = np.where(real, states[0], output)
                return output

            expected = numpy_model(model, x, masked, after, direction)
            got = rl.patch(
                model, x, layer=layer, step=step, state=state, value=value, direction=direction
            )
            np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    # A function of the state: here, doubling it at step 2.
    doubled = rl.patch(model, x, layer=layer, step=2, value=lambda h: 2 * h, direction=direction)

    def twice(t, states, output, real):
        if t == 2:
            states[0] = 2 * states[0]
            output = np.where(real, states[0], output)
        return output

    np.testing.assert_allclose(
        doubled, numpy_model(model, x, masked, twice, direction), rtol=0, atol=1e-12
    )
    assert not np.allclose(doubled, model.predict(x))


@pytest.mark.parametrize(("kind", "wrap", "masked"), GRID)
def test_ablation_equals_the_loop_with_units_silenced(kind: str, wrap: str, masked: bool) -> None:
    model = _model(kind, wrap, masked)
    x = _inputs(masked)
    direction = "backward" if wrap.endswith("backward") else "forward"
    units = [0, 2]
    before = model.get_weights()

    def silence(t, states, output, real):
        for s in states:
            s[:, units] = 0.0
        output = output.copy()
        output[:, units] = 0.0
        return output

    got = rl.ablate_units(model, x, layer=1 if masked else 0, units=units, direction=direction)
    expected = numpy_model(model, x, masked, silence, direction)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    for w, b in zip(model.get_weights(), before):  # the weights are restored
        np.testing.assert_array_equal(w, b)
    np.testing.assert_allclose(model.predict(x), numpy_model(model, x, masked), rtol=0, atol=1e-12)


def test_interventions_refuse_bad_arguments() -> None:
    model = _model("GRU", "plain", masked=False)
    x = _inputs(False)
    with pytest.raises(rl.ConfigError, match="not in the model"):
        rl.patch(model, x, layer="nope", step=0)
    with pytest.raises(rl.ConfigError, match="carries no state"):
        rl.patch(model, x, layer=-1, step=0)
    with pytest.raises(rl.ConfigError, match="for LSTM, 'c'"):
        rl.patch(model, x, layer=0, step=0, state="c")
    with pytest.raises(rl.ConfigError, match="step must be an integer from 0 to 7"):
        rl.patch(model, x, layer=0, step=8)
    with pytest.raises(rl.ConfigError, match="broadcastable"):
        rl.patch(model, x, layer=0, step=1, value=np.zeros(5))
    with pytest.raises(rl.ConfigError, match="no backward direction"):
        rl.patch(model, x, layer=0, step=1, direction="backward")
    with pytest.raises(rl.ConfigError, match="from 0 to 3"):
        rl.ablate_units(model, x, layer=0, units=[4])


def test_patching_keeps_stateful_layers_carried_states() -> None:
    torch.manual_seed(3)
    model = rl.Sequential([LSTM(3, stateful=True, batch_input_shape=(2, 4, 1)), Dense(1)])
    x = np.random.default_rng(1).normal(size=(2, 4, 1))
    model.predict(x)
    carried = [s.clone() for s in model.layers[0].module.stored_states]
    rl.patch(model, x, layer=0, step=1, value=0.0)
    rl.ablate_units(model, x, layer=0, units=[1])
    rl.attribute(model, x, steps=4)
    for s, before in zip(model.layers[0].module.stored_states, carried):
        torch.testing.assert_close(s, before)


def _torch_twin(model: rl.Sequential) -> torch.nn.Module:
    """torch.nn.LSTM + Linear with the rnnlens model's weights, converted here by hand."""
    kernel, recurrent, bias, dense_kernel, dense_bias = (
        torch.as_tensor(w) for w in model.get_weights()
    )
    lstm = torch.nn.LSTM(kernel.shape[0], recurrent.shape[0], batch_first=True).double()
    head = torch.nn.Linear(dense_kernel.shape[0], dense_kernel.shape[1]).double()
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(kernel.T)
        lstm.weight_hh_l0.copy_(recurrent.T)
        lstm.bias_ih_l0.copy_(bias)
        lstm.bias_hh_l0.zero_()
        head.weight.copy_(dense_kernel.T)
        head.bias.copy_(dense_bias)

    class Twin(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return head(lstm(x)[0][:, -1])

    return Twin()


def _lstm_head_model(dropout: float = 0.0) -> rl.Sequential:
    torch.manual_seed(5)
    model = rl.Sequential([LSTM(6, dropout=dropout, input_shape=(7, 3)), Dropout(0.5), Dense(3)])
    model.module.double()
    return model


def test_gradient_x_input_equals_torch_nn_autograd() -> None:
    model = _lstm_head_model(dropout=0.3)  # dropout must be off while attributing
    x = np.random.default_rng(2).normal(size=(4, 7, 3))
    model_no_dropout = _lstm_head_model()
    model_no_dropout.set_weights(model.get_weights())
    twin = _torch_twin(model_no_dropout)
    xs = torch.as_tensor(x).requires_grad_(True)
    out = twin(xs)
    chosen = out.argmax(dim=1)
    out.gather(1, chosen[:, None]).sum().backward()
    a = rl.attribute(model, x, method="gradient_x_input")
    np.testing.assert_array_equal(a.target, chosen.numpy())
    np.testing.assert_allclose(a.values, (xs * xs.grad).detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        a.outputs, out.gather(1, chosen[:, None])[:, 0].detach().numpy(), atol=1e-12
    )
    assert (
        a.completeness_gap is None and a.per_step.shape == (4, 7) and a.per_feature.shape == (4, 3)
    )
    again = rl.attribute(model, x, method="gradient_x_input", target=1)
    np.testing.assert_array_equal(again.target, [1, 1, 1, 1])


@pytest.mark.parametrize("wrap", ["LSTM", "GRU", "Bidirectional"])
def test_integrated_gradients_are_complete(wrap: str) -> None:
    torch.manual_seed(6)
    recurrent = {
        "LSTM": LSTM(8, return_sequences=True),
        "GRU": GRU(8, return_sequences=True),
        "Bidirectional": Bidirectional(LSTM(8, return_sequences=True)),
    }[wrap]
    model = rl.Sequential([rl.layers.Input(shape=(12, 3)), recurrent, LSTM(5), Dense(1)])
    for module in model.module.modules():
        if type(module).__name__ == "RecurrentModule":
            module.path = "fused"  # the gradient must come through the fused kernels
    x = np.random.default_rng(8).normal(size=(5, 12, 3)).astype(np.float32) * 2
    a = rl.attribute(model, x, steps=50)
    np.testing.assert_allclose(a.outputs, model.predict(x)[:, 0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a.baseline_outputs, model.predict(np.zeros_like(x))[:, 0], atol=1e-6)
    assert np.abs(a.completeness_gap).max() < 0.01
    # A baseline of its own: completeness holds relative to it.
    shifted = rl.attribute(model, x, steps=50, baseline=0.5)
    assert np.abs(shifted.completeness_gap).max() < 0.01
    assert not np.allclose(shifted.values, a.values)


def test_attribute_refuses_bad_arguments() -> None:
    model = _lstm_head_model()
    x = np.zeros((2, 7, 3))
    with pytest.raises(rl.ConfigError, match="method must be one of"):
        rl.attribute(model, x, method="saliency")
    with pytest.raises(rl.ConfigError, match="steps must be"):
        rl.attribute(model, x, steps=0)
    with pytest.raises(rl.ConfigError, match="target must be an output index from 0 to 2"):
        rl.attribute(model, x, target=3)
    with pytest.raises(rl.ConfigError, match="baseline must broadcast"):
        rl.attribute(model, x, baseline=np.zeros(4))
