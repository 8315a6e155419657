"""rnnlens's fit against a hand-written torch loop: same weights, data order and optimizer.

The reference uses ``torch.nn.LSTM``/``GRU`` + ``torch.nn.Linear`` (not rnnlens modules), with
the Keras weights converted by hand, so the test covers the loop, the loss, the batching, the
shuffling contract and the optimizer's hyper-parameters all at once. float64: tight tolerance.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch

import rnnlens as rl
from rnnlens.layers import GRU, LSTM, Dense

N, T, F, UNITS, BATCH, EPOCHS, SEED = 40, 5, 3, 6, 8, 3, 1234


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, T, F))
    return x, np.tanh(x.sum(axis=(1, 2)))[:, None]


def _torch_stack(kind: str, model: rl.Sequential) -> tuple[torch.nn.Module, torch.nn.Linear]:
    kernel, recurrent, bias, dense_kernel, dense_bias = (
        torch.as_tensor(w, dtype=torch.float64) for w in model.get_weights()
    )
    if kind == "LSTM":  # Keras gates i f c o = torch's i f g o
        rnn: torch.nn.Module = torch.nn.LSTM(F, UNITS, batch_first=True, dtype=torch.float64)
        with torch.no_grad():
            rnn.weight_ih_l0.copy_(kernel.T)
            rnn.weight_hh_l0.copy_(recurrent.T)
            rnn.bias_ih_l0.copy_(bias)
            rnn.bias_hh_l0.zero_()
        rnn.bias_hh_l0.requires_grad_(False)  # Keras has one bias: freeze torch's second at 0
    else:  # Keras GRU gates z r h, reset_after: bias (2, 3U); torch orders r z n

        def reorder(w: torch.Tensor) -> torch.Tensor:
            z, r, h = w.split(UNITS, dim=0)
            return torch.cat([r, z, h])

        rnn = torch.nn.GRU(F, UNITS, batch_first=True, dtype=torch.float64)
        with torch.no_grad():
            rnn.weight_ih_l0.copy_(reorder(kernel.T))
            rnn.weight_hh_l0.copy_(reorder(recurrent.T))
            rnn.bias_ih_l0.copy_(reorder(bias[0]))
            rnn.bias_hh_l0.copy_(reorder(bias[1]))
    head = torch.nn.Linear(UNITS, 1, dtype=torch.float64)
    with torch.no_grad():
        head.weight.copy_(dense_kernel.T)
        head.bias.copy_(dense_bias)
    return rnn, head


def _hand_loop(kind: str, model: rl.Sequential, optimizer_factory, clipnorm: float | None):
    x, y = (torch.as_tensor(a) for a in _data())
    rnn, head = _torch_stack(kind, model)
    params = [p for p in [*rnn.parameters(), *head.parameters()] if p.requires_grad]
    optimizer = optimizer_factory(params)
    for epoch in range(EPOCHS):
        order = torch.randperm(N, generator=torch.Generator().manual_seed(SEED + epoch))
        for start in range(0, N, BATCH):
            index = order[start : start + BATCH]
            optimizer.zero_grad()
            sequence, _ = rnn(x[index])
            loss = torch.mean((head(sequence[:, -1]) - y[index]) ** 2)
            loss.backward()
            if clipnorm is not None:
                for p in params:  # Keras's clipnorm: every gradient tensor on its own
                    norm = p.grad.norm()
                    if norm > clipnorm:
                        p.grad.mul_(clipnorm / norm)
            optimizer.step()
    return rnn, head


class _KerasAdam(torch.optim.Optimizer):
    """Keras 3's Adam written out from ``keras/src/optimizers/adam.py``, one tensor at a time:
    epsilon is added to sqrt(v), and both bias corrections go into the step size."""

    def __init__(self, params, lr=1e-3, b1=0.9, b2=0.999, eps=1e-7):
        super().__init__(params, {"lr": lr})
        self.t, self.b1, self.b2, self.eps = 0, b1, b2, eps

    @torch.no_grad()
    def step(self):
        self.t += 1
        lr = self.param_groups[0]["lr"]
        alpha = lr * (1 - self.b2**self.t) ** 0.5 / (1 - self.b1**self.t)
        for p in self.param_groups[0]["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            m = state.setdefault("m", torch.zeros_like(p))
            v = state.setdefault("v", torch.zeros_like(p))
            m += (p.grad - m) * (1 - self.b1)
            v += (p.grad * p.grad - v) * (1 - self.b2)
            p -= m * alpha / (v.sqrt() + self.eps)


class _KerasRMSprop(torch.optim.Optimizer):
    """Keras 3's RMSprop from ``keras/src/optimizers/rmsprop.py``: epsilon inside the root."""

    def __init__(self, params, lr=1e-3, rho=0.9, eps=1e-7):
        super().__init__(params, {"lr": lr})
        self.rho, self.eps = rho, eps

    @torch.no_grad()
    def step(self):
        lr = self.param_groups[0]["lr"]
        for p in self.param_groups[0]["params"]:
            if p.grad is None:
                continue
            s = self.state[p].setdefault("s", torch.zeros_like(p))
            s.mul_(self.rho).add_((1 - self.rho) * p.grad * p.grad)
            p -= lr * p.grad / (s + self.eps).sqrt()


CASES = [
    ("LSTM", "adam", {}, _KerasAdam, None),
    ("LSTM", "adam", {"clipnorm": 0.05}, _KerasAdam, 0.05),
    (
        "GRU",
        "sgd",
        {"momentum": 0.9, "learning_rate": 0.05},
        functools.partial(torch.optim.SGD, lr=0.05, momentum=0.9),
        None,
    ),
    (
        "GRU",
        "rmsprop",
        {},
        _KerasRMSprop,
        None,
    ),
]


@pytest.mark.parametrize(("kind", "name", "options", "reference", "clipnorm"), CASES)
def test_fit_matches_hand_written_torch_loop(kind, name, options, reference, clipnorm) -> None:
    rl.set_seed(SEED)
    layer = LSTM(UNITS, input_shape=(T, F)) if kind == "LSTM" else GRU(UNITS, input_shape=(T, F))
    model = rl.Sequential([layer, Dense(1)])
    model.module.double()
    rnn, head = _hand_loop(kind, model, reference, clipnorm)  # from the same initial weights
    model.compile(optimizer=name, loss="mse", **options)
    x, y = _data()
    model.fit(x, y, epochs=EPOCHS, batch_size=BATCH, shuffle=True, verbose=0)

    kernel, recurrent, bias, dense_kernel, dense_bias = model.get_weights()
    if kind == "LSTM":
        np.testing.assert_allclose(kernel.T, rnn.weight_ih_l0.detach().numpy(), rtol=0, atol=1e-12)
        np.testing.assert_allclose(
            recurrent.T, rnn.weight_hh_l0.detach().numpy(), rtol=0, atol=1e-12
        )
        np.testing.assert_allclose(bias, rnn.bias_ih_l0.detach().numpy(), rtol=0, atol=1e-12)
    else:
        z, r, h = np.split(kernel.T, 3)
        np.testing.assert_allclose(
            np.concatenate([r, z, h]), rnn.weight_ih_l0.detach().numpy(), rtol=0, atol=1e-12
        )
    np.testing.assert_allclose(dense_kernel.T, head.weight.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(dense_bias, head.bias.detach().numpy(), rtol=0, atol=1e-12)
    # and training did move the weights (a loop that never stepped would fail above anyway)
    assert not np.allclose(dense_bias, 0.0)
