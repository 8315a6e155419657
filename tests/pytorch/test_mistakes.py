"""Each well-known nn.LSTM/GRU/RNN mistake is warned about, naming the line; correct code is not.

The facts each warning states are checked against torch: e.g. that ``out[:, -1]`` of a
bidirectional layer differs from both final states, and that ``h_n.view(batch, -1)`` differs
from the per-sample concatenation of layers and directions.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

import rnnlens as rl
from rnnlens.pytorch.spec import NetworkSpec, RNNSpec, Step


def _codes(module: nn.Module, shape: tuple[int, ...]) -> list[str]:
    return [w.code for w in rl.explain(module, input_size=shape).warnings]


class _BiLast(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(2, 4, batch_first=True, bidirectional=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        return out[:, -1]


class _BiBoth(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(2, 4, batch_first=True, bidirectional=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, (h_n, _) = self.lstm(x)
        return torch.cat((h_n[-2], h_n[-1]), dim=1)


class _HnLast(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.gru = nn.GRU(2, 4, num_layers=2, batch_first=True, bidirectional=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, h_n = self.gru(x)
        return h_n[-1]


class _View(nn.Module):
    def __init__(self, split: bool) -> None:
        super().__init__()
        self.lstm = nn.LSTM(2, 4, num_layers=2, batch_first=True)
        self.split = split

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, (h_n, _) = self.lstm(x)
        if self.split:
            return h_n.view(2, 1, x.size(0), 4)[-1, 0]
        return h_n.view(x.size(0), -1)


class _TimeMajor(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.RNN(2, 4)
        self.fc = nn.Linear(4, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        return self.fc(out[:, -1, :])


def test_out_last_step_of_bidirectional_layer_is_warned_with_its_line() -> None:
    warnings = rl.explain(_BiLast(), input_size=(3, 5, 2)).warnings
    assert [w.code for w in warnings] == ["bidirectional-last-step"]
    assert warnings[0].line is not None and "return out[:, -1]" in warnings[0].message
    # the fact behind it: the backward half of out[:, -1] is not the backward final state
    net = _BiLast().eval()
    x = torch.randn(3, 5, 2)
    with torch.no_grad():
        out, (h_n, _) = net.lstm(x)
    assert torch.allclose(out[:, -1, :4], h_n[0]) and not torch.allclose(out[:, -1, 4:], h_n[1])
    assert torch.allclose(out[:, 0, 4:], h_n[1])
    assert _codes(_BiBoth(), (3, 5, 2)) == []


def test_h_n_last_of_bidirectional_layer_is_one_direction() -> None:
    assert _codes(_HnLast(), (3, 5, 2)) == ["h_n-one-direction"]


def test_h_n_view_mixing_layers_and_samples_is_warned_and_splitting_is_not() -> None:
    assert _codes(_View(split=False), (3, 5, 2)) == ["h_n-view"]
    assert _codes(_View(split=True), (3, 5, 2)) == []
    # the fact behind it: view(batch, -1) is not each sample's layers side by side
    net = _View(split=False).eval()
    with torch.no_grad():
        _, (h_n, _) = net.lstm(torch.randn(3, 5, 2))
    assert not torch.equal(h_n.view(3, -1), h_n.permute(1, 0, 2).reshape(3, -1))


def test_time_major_layer_fed_batch_first_and_indexed_by_batch() -> None:
    codes = _codes(_TimeMajor(), (32, 10, 2))
    assert sorted(codes) == ["batch-index", "time-major-input"]


def test_dropout_on_one_layer_is_warned_with_the_constructor_line() -> None:
    net = NetworkSpec("Net", {"lstm": RNNSpec("LSTM", 2, 4, dropout=0.3)}, module_lines={"lstm": 7})
    from rnnlens.pytorch.mistakes import find_mistakes

    (warning,) = find_mistakes(net)
    assert warning.code == "dropout-one-layer" and warning.line == 7 and "line 7" in warning.message
    stacked = NetworkSpec("Net", {"lstm": RNNSpec("LSTM", 2, 4, num_layers=2, dropout=0.3)})
    assert find_mistakes(stacked) == []


def test_time_major_layer_fed_a_tensor_the_reader_calls_batch_first() -> None:
    from rnnlens.pytorch.mistakes import find_mistakes

    steps = [
        Step(
            "input",
            (),
            "x",
            shape=("batch", "time", 2),
            args={"axes": ("batch", "time", "features")},
        ),
        Step("call", ("x",), "r", module="lstm", line=9, source="out, _ = self.lstm(x)"),
    ]
    net = NetworkSpec("Net", {"lstm": RNNSpec("LSTM", 2, 4)}, steps)
    (warning,) = find_mistakes(net)
    assert warning.code == "time-major-input" and warning.line == 9


@pytest.mark.filterwarnings("ignore:dropout option adds dropout:UserWarning")
def test_dropout_on_one_layer_in_memory() -> None:
    assert _codes(nn.LSTM(2, 4, dropout=0.2), (5, 3, 2)) == ["dropout-one-layer"]
