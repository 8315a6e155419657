"""from_torch: batch_first=False is never converted silently; custom modules via torch.fx."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import rnnlens as rl
from rnnlens.errors import ConfigError


def _noisy(module: nn.Module) -> nn.Module:
    torch.manual_seed(0)
    for parameter in module.parameters():
        nn.init.normal_(parameter, 0, 0.5)
    return module.eval()


def test_batch_first_false_is_refused_by_default() -> None:
    """Regression: it used to read (time, batch, features) input as (batch, time, features)."""
    with pytest.raises(ConfigError, match=r"batch_first=False.*assume_batch_first=True"):
        rl.from_torch(nn.LSTM(3, 4))
    with pytest.raises(ConfigError, match="batch_first=False"):
        rl.from_torch([nn.GRU(3, 4), nn.Linear(4, 1)])


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_batch_first_false_converted_on_request_equals_the_module(kind: str) -> None:
    rnn = _noisy(getattr(nn, kind)(3, 4, num_layers=2))
    x = torch.randn(7, 5, 3)  # (time, batch, features), as the module reads it
    model = rl.from_torch(rnn, assume_batch_first=True)
    with torch.no_grad():
        _, state = rnn(x)
    h_n = state[0] if kind == "LSTM" else state
    got = model.predict(x.transpose(0, 1).numpy())  # (batch, time, features)
    np.testing.assert_allclose(got, h_n[-1].numpy(), rtol=1e-5, atol=1e-5)


class _Classifier(nn.Module):
    def __init__(self, last: str) -> None:
        super().__init__()
        self.lstm = nn.LSTM(3, 6, num_layers=2, batch_first=True)
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(6, 2)
        self.last = last

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, (h_n, _) = self.lstm(x)
        if self.last == "out":
            picked = out[:, -1, :]
        elif self.last == "h_n":
            picked = h_n[-1]
        else:
            picked = out
        return torch.relu(self.fc(self.drop(picked)))


@pytest.mark.parametrize("last", ["out", "h_n", "sequence"])
def test_custom_module_that_is_a_stack_is_converted(last: str) -> None:
    net = _noisy(_Classifier(last))
    x = torch.randn(4, 5, 3)
    model = rl.from_torch(net)
    with torch.no_grad():
        want = net(x).numpy()
    np.testing.assert_allclose(model.predict(x.numpy()), want, rtol=1e-5, atol=1e-5)


class _Bidirectional(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.gru = nn.GRU(3, 4, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(8, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.gru(x)
        return self.fc(out[:, -1])


class _Loop(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.cell = nn.GRUCell(3, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.zeros(x.shape[0], 4)
        for t in range(x.shape[1]):
            h = self.cell(x[:, t], h)
        return h


def test_custom_module_outside_a_stack_is_named_with_its_line() -> None:
    with pytest.raises(
        ConfigError, match=r"line \d+ `return self.fc\(out\[:, -1\]\)`.*bidirectional"
    ):
        rl.from_torch(_Bidirectional())
    with pytest.raises(ConfigError, match=r"_Loop\.forward: torch\.fx cannot trace it"):
        rl.from_torch(_Loop())
