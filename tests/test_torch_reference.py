"""torch.nn.LSTM / GRU / RNN as references: same function once the weights are converted.

Weights go both ways through :mod:`rnnlens.engine.layout`: torch's parameters into rnnlens
(``torch_to_keras``) and rnnlens's Keras-layout weights into torch (``keras_to_torch``).
Outputs, final states and input gradients are compared in float64.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import rnnlens
from rnnlens.engine.layout import keras_to_torch, torch_to_keras
from rnnlens.layers import GRU, LSTM, Bidirectional, Input, SimpleRNN

TOL = 1e-10

TORCH_CLASSES: dict[str, Any] = {
    "LSTM": lambda d, u, **kw: torch.nn.LSTM(d, u, batch_first=True, **kw),
    "GRU": lambda d, u, **kw: torch.nn.GRU(d, u, batch_first=True, **kw),
    "SimpleRNN-tanh": lambda d, u, **kw: torch.nn.RNN(d, u, batch_first=True, **kw),
    "SimpleRNN-relu": lambda d, u, **kw: torch.nn.RNN(
        d, u, nonlinearity="relu", batch_first=True, **kw
    ),
}


def rnnlens_layer(kind: str, units: int, **options: Any) -> Any:
    if kind == "LSTM":
        return LSTM(units, **options)
    if kind == "GRU":
        return GRU(units, **options)
    return SimpleRNN(units, activation=kind.split("-")[1], **options)


def torch_direction(module: torch.nn.Module, suffix: str = "") -> list[torch.Tensor]:
    names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    return [
        getattr(module, name + suffix).detach() for name in names if hasattr(module, name + suffix)
    ]


def randomized(module: torch.nn.Module) -> torch.nn.Module:
    generator = torch.Generator().manual_seed(4)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=generator, dtype=p.dtype) * 0.4)
    return module


def kind_name(kind: str) -> str:
    return kind.split("-")[0]


@pytest.mark.parametrize("kind", list(TORCH_CLASSES))
@pytest.mark.parametrize("bias", [True, False])
def test_torch_weights_into_rnnlens(kind: str, bias: bool) -> None:
    reference = randomized(TORCH_CLASSES[kind](3, 4, bias=bias).double())
    model = rnnlens.Sequential(
        [
            Input((6, 3)),
            rnnlens_layer(kind, 4, use_bias=bias, return_sequences=True, return_state=True),
        ]
    )
    weights = torch_to_keras(kind_name(kind), torch_direction(reference))
    model.module.double()  # before set_weights, which copies into the parameters' dtype
    model.set_weights([w.numpy() for w in weights])
    x = torch.randn(2, 6, 3, dtype=torch.float64, requires_grad=True)
    expected, expected_state = reference(x)
    got = model.module(x)
    torch.testing.assert_close(got[0], expected, atol=TOL, rtol=0)
    states = expected_state if isinstance(expected_state, tuple) else (expected_state,)
    for mine, theirs in zip(got[1:], states, strict=True):
        torch.testing.assert_close(mine, theirs[0], atol=TOL, rtol=0)
    (grad_expected,) = torch.autograd.grad(expected.sum(), x)
    (grad_got,) = torch.autograd.grad(got[0].sum(), x)
    torch.testing.assert_close(grad_got, grad_expected, atol=TOL, rtol=0)


@pytest.mark.parametrize("kind", list(TORCH_CLASSES))
def test_rnnlens_weights_into_torch(kind: str) -> None:
    """keras_to_torch turns Keras-layout weights (one bias, Keras gate order) into torch's."""
    layer = rnnlens_layer(kind, 5, return_sequences=True)
    model = rnnlens.Sequential([Input((4, 2)), layer])
    rng = np.random.default_rng(0)
    model.module.double()
    model.set_weights([rng.normal(0, 0.5, w.shape) for w in model.get_weights()])
    module = layer.module
    converted = keras_to_torch(kind_name(kind), module.kernel, module.recurrent_kernel, module.bias)
    reference = TORCH_CLASSES[kind](2, 5).double()
    with torch.no_grad():
        for name, value in zip(
            ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"], converted
        ):
            getattr(reference, name).copy_(value)
    x = torch.randn(3, 4, 2, dtype=torch.float64)
    torch.testing.assert_close(model.module(x), reference(x)[0], atol=TOL, rtol=0)


def test_layout_round_trip_is_exact_for_gru() -> None:
    """GRU keeps its two biases (reset_after): torch -> Keras -> torch is the identity."""
    reference = randomized(torch.nn.GRU(3, 4).double())
    weights = torch_direction(reference)
    back = keras_to_torch("GRU", *torch_to_keras("GRU", weights))
    for a, b in zip(back, weights, strict=True):
        torch.testing.assert_close(a, b, atol=0, rtol=0)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN-tanh"])
def test_bidirectional_matches_torch_bidirectional(kind: str) -> None:
    reference = randomized(TORCH_CLASSES[kind](3, 4, bidirectional=True).double())
    layer = Bidirectional(rnnlens_layer(kind, 4, return_sequences=True, return_state=True))
    model = rnnlens.Sequential([Input((5, 3)), layer])
    forward = torch_to_keras(kind_name(kind), torch_direction(reference))
    backward = torch_to_keras(kind_name(kind), torch_direction(reference, "_reverse"))
    model.module.double()
    model.set_weights([w.numpy() for w in (*forward, *backward)])
    x = torch.randn(2, 5, 3, dtype=torch.float64)
    expected, expected_state = reference(x)
    got = model.module(x)
    torch.testing.assert_close(got[0], expected, atol=TOL, rtol=0)
    states = expected_state if isinstance(expected_state, tuple) else (expected_state,)
    n = len(states)
    for i, state in enumerate(states):  # rnnlens: forward h (c), then backward h (c)
        torch.testing.assert_close(got[1 + i], state[0], atol=TOL, rtol=0)
        torch.testing.assert_close(got[1 + n + i], state[1], atol=TOL, rtol=0)
