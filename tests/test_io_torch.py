"""torch.nn interop: from_torch reproduces stock torch modules; to_torch gives stock modules."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import rnnlens as rl
from rnnlens import layers as L
from rnnlens.io.torch_interop import BidirectionalBlock, RecurrentBlock
from tests.io_support import assert_same, build, sample


def torch_reference(modules: list[nn.Module], x: torch.Tensor, last_step: bool) -> torch.Tensor:
    """What the list means, written with torch alone: sequences between RNNs, final state out.

    The final state of a bidirectional module is both directions' ``h_n`` (Keras's meaning),
    not ``output[:, -1]``, whose backward half has seen only the last step.
    """
    out = x
    rnns = [i for i, m in enumerate(modules) if isinstance(m, nn.RNNBase)]
    for i, module in enumerate(modules):
        if isinstance(module, nn.RNNBase):
            sequence, state = module(out)
            h_n = state[0] if isinstance(state, tuple) else state  # (layers·dirs, B, U)
            out = sequence
            if last_step and i == rnns[-1]:
                out = torch.cat([h_n[-2], h_n[-1]], -1) if module.bidirectional else h_n[-1]
        else:
            out = module(out)
    return out


CASES = {
    "lstm_linear_relu": lambda: [nn.LSTM(3, 5, batch_first=True), nn.Linear(5, 2), nn.ReLU()],
    "gru_two_layers_bidirectional": lambda: [
        nn.GRU(3, 4, num_layers=2, batch_first=True, bidirectional=True),
        nn.Linear(8, 1),
    ],
    "rnn_relu_no_bias": lambda: [nn.RNN(3, 4, nonlinearity="relu", bias=False, batch_first=True)],
    "lstm_stack": lambda: [
        nn.LSTM(3, 6, batch_first=True),
        nn.Dropout(0.1),
        nn.LSTM(6, 2, batch_first=True, bidirectional=True),
    ],
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("last_step", [True, False])
def test_from_torch_matches_torch(name: str, last_step: bool) -> None:
    torch.manual_seed(0)
    modules = CASES[name]()
    for module in modules:
        for parameter in module.parameters():
            nn.init.normal_(parameter, 0, 0.5)  # nonzero biases: both torch biases must count
    x = torch.from_numpy(sample())
    model = rl.from_torch(nn.Sequential(*modules).eval(), return_sequences=not last_step)
    with torch.no_grad():
        want = torch_reference([m.eval() for m in modules], x, last_step)
    assert_same(model.predict(x.numpy()), want)


def test_to_torch_uses_stock_modules_with_keras_bias_in_bias_ih() -> None:
    model = build("bi_concat")
    stack = rl.to_torch(model)
    first, second = stack.blocks
    assert isinstance(first, BidirectionalBlock) and isinstance(first.fused, nn.LSTM)
    assert first.fused.bidirectional and first.fused.batch_first
    assert isinstance(second, RecurrentBlock) and type(second.rnn) is nn.GRU
    lstm_bias = model.layers[0].get_weights()[2]
    np.testing.assert_array_equal(first.fused.bias_ih_l0.detach().numpy(), lstm_bias)
    assert not first.fused.bias_hh_l0.detach().any()
    # GRU: Keras (z, r, h) rows become torch's (r, z, n)
    kernel = model.layers[1].get_weights()[0]  # (d, 3u)
    u = 2
    np.testing.assert_array_equal(
        second.rnn.weight_ih_l0.detach().numpy()[:u], kernel[:, u : 2 * u].T
    )


def test_torch_training_flows_back() -> None:
    model = build("lstm_story")
    stack = rl.to_torch(model)
    with torch.no_grad():
        for parameter in stack.parameters():
            parameter.add_(0.01)
    back = rl.from_torch(stack)
    with torch.no_grad():
        assert_same(back.predict(sample()), stack(torch.from_numpy(sample())))


@pytest.mark.parametrize(
    ("layer", "reason"),
    [
        (L.GRU(2, reset_after=False), "reset_after=False"),
        (L.LSTM(2, activation="relu"), "activation='relu'"),
        (L.LSTM(2, recurrent_activation="hard_sigmoid"), "recurrent_activation"),
        (L.SimpleRNN(2, stateful=True), "stateful"),
    ],
)
def test_to_torch_refuses_what_torch_cannot_compute(layer: L.Layer, reason: str) -> None:
    model = rl.Sequential([L.Input((4, 3), batch_size=2), layer])
    with pytest.raises(rl.ConfigError, match=reason):
        rl.to_torch(model)


def test_from_torch_refuses_unknown_modules_listing_them() -> None:
    with pytest.raises(rl.ConfigError, match=r"\['Conv1d', 'MultiheadAttention'\]"):
        rl.from_torch([nn.LSTM(3, 2), nn.Conv1d(2, 2, 1), nn.MultiheadAttention(2, 1)])
    with pytest.raises(rl.ConfigError, match="proj_size"):
        rl.from_torch(nn.LSTM(3, 4, proj_size=2))
    with pytest.raises(rl.ConfigError, match=r"must follow an nn\.Linear"):
        rl.from_torch([nn.ReLU(), nn.Linear(3, 1)], input_shape=(None, 3))
