"""rl.trace on torch modules: every recorded state and gate equals what torch computes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch import nn

import rnnlens as rl
from rnnlens.errors import ConfigError
from rnnlens.trace import LayerTrace, Trace

pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections:UserWarning")

GRID = [
    g
    for g in itertools.product(("LSTM", "GRU", "RNN"), (1, 2), (False, True), (False, True), (0, 2))
    if not (g[4] and g[0] != "LSTM")
]


def _gates_by_hand(
    mode: str, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor, cell: nn.Module
) -> dict:
    """Textbook equations from torch's documentation, on a cell with copied weights."""
    gi = x @ cell.weight_ih.T + cell.bias_ih
    gh = h @ cell.weight_hh.T + cell.bias_hh
    if mode == "LSTM":
        i, f, g, o = (gi + gh).chunk(4, 1)
        return {"i": i.sigmoid(), "f": f.sigmoid(), "g": g.tanh(), "o": o.sigmoid()}
    r, z, _ = (gi[:, :] + gh).chunk(3, 1)
    return {"r": r.sigmoid(), "z": z.sigmoid()}


@pytest.mark.parametrize(("mode", "layers", "bidirectional", "batch_first", "proj"), GRID)
def test_trace_equals_module_outputs(
    mode: str, layers: int, bidirectional: bool, batch_first: bool, proj: int
) -> None:
    torch.manual_seed(1)
    options = {"num_layers": layers, "bidirectional": bidirectional, "batch_first": batch_first}
    if proj:
        options["proj_size"] = proj
    rnn = getattr(nn, mode)(3, 5, **options).double()
    x = torch.randn((2, 6, 3) if batch_first else (6, 2, 3), dtype=torch.float64)
    with torch.no_grad():
        out, state = rnn(x)
    h_n = state[0] if mode == "LSTM" else state
    t = rl.trace(rnn, x)
    assert isinstance(t, Trace) and all(isinstance(layer, LayerTrace) for layer in t.layers)
    assert [layer.name for layer in t.layers] == [f"{mode.lower()}.l{k}" for k in range(layers)]
    seq = (out if batch_first else out.transpose(0, 1)).numpy()
    np.testing.assert_allclose(t.layers[-1].output, seq, rtol=0, atol=1e-12)
    dirs = 2 if bidirectional else 1
    for k, layer in enumerate(t.layers):
        for d, direction in enumerate(layer.directions):
            final = direction["h"][:, 0 if d else -1]
            np.testing.assert_allclose(final, h_n[k * dirs + d].numpy(), rtol=0, atol=1e-12)
            if mode == "LSTM":
                np.testing.assert_allclose(
                    direction["c"][:, 0 if d else -1],
                    state[1][k * dirs + d].numpy(),
                    rtol=0,
                    atol=1e-12,
                )
    if mode in ("LSTM", "GRU") and not proj:
        # the first step's gates against the documented equations on a copied cell
        cell = getattr(nn, f"{mode}Cell")(3, 5).double()
        with torch.no_grad():
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(cell, name).copy_(getattr(rnn, f"{name}_l0"))
        xb = x if batch_first else x.transpose(0, 1)
        zeros = torch.zeros(2, 5, dtype=torch.float64)
        for name, value in _gates_by_hand(mode, xb[:, 0], zeros, zeros, cell).items():
            np.testing.assert_allclose(
                t.layers[0].forward[name][:, 0], value.detach().numpy(), rtol=0, atol=1e-12
            )


def test_trace_inside_a_custom_module_with_initial_state_and_cells() -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = nn.GRU(3, 4, batch_first=True)
            self.cell = nn.LSTMCell(4, 6)
            self.head = nn.Linear(6, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            h0 = torch.ones(1, x.shape[0], 4, dtype=x.dtype)
            seq, _ = self.encoder(x, h0)
            h = c = torch.zeros(x.shape[0], 6, dtype=x.dtype)
            for t in range(seq.shape[1]):
                h, c = self.cell(seq[:, t], (h, c))
            return self.head(h)

    torch.manual_seed(2)
    net = Net().double()
    x = torch.randn(2, 5, 3, dtype=torch.float64)
    t = rl.trace(net, x)
    assert [layer.name for layer in t.layers] == ["encoder.l0", "cell"]
    seq, _ = net.encoder(x, torch.ones(1, 2, 4, dtype=torch.float64))
    np.testing.assert_allclose(t["encoder.l0"].output, seq.detach().numpy(), rtol=0, atol=1e-12)
    h = c = torch.zeros(2, 6, dtype=torch.float64)
    for step in range(5):
        h, c = net.cell(seq[:, step], (h, c))
    np.testing.assert_allclose(t["cell"]["h"][:, -1], h.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(t["cell"]["c"][:, -1], c.detach().numpy(), rtol=0, atol=1e-12)
    assert t["cell"]["f"].shape == (2, 5, 6)


def test_trace_refuses_a_forward_that_is_not_torchs() -> None:
    class Odd(nn.LSTM):
        def forward(self, x, hx=None):  # type: ignore[no-untyped-def, override]
            out, (h, c) = super().forward(x, hx)
            return out * 2, (h, c)

    with pytest.raises(ConfigError, match="not the stock torch computation"):
        rl.trace(Odd(2, 3), torch.randn(4, 2, 2))


def test_trace_of_a_module_without_recurrent_layers_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"holds no nn\.LSTM"):
        rl.trace(nn.Linear(2, 3), torch.zeros(1, 2))


@pytest.mark.parametrize("batch_first", [False, True])
def test_trace_of_packed_sequences_equals_torch(batch_first: bool) -> None:
    torch.manual_seed(3)
    rnn = nn.GRU(3, 4, num_layers=2, bidirectional=True, batch_first=batch_first).double()
    x = torch.randn((3, 6, 3) if batch_first else (6, 3, 3), dtype=torch.float64)
    lengths = torch.tensor([4, 6, 2])
    packed = nn.utils.rnn.pack_padded_sequence(
        x, lengths, batch_first=batch_first, enforce_sorted=False
    )
    with torch.no_grad():
        out, h_n = rnn(packed)
    padded, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
    t = rl.trace(rnn, packed)
    np.testing.assert_array_equal(t.layers[0].mask.sum(axis=1), [4, 6, 2])
    np.testing.assert_allclose(t.layers[-1].output, padded.numpy(), rtol=0, atol=1e-12)
    for row in range(3):  # each sample's forward state stops at its own length
        np.testing.assert_allclose(
            t.layers[1].forward["h"][row, lengths[row] - 1], h_n[2, row].numpy(), atol=1e-12
        )
        np.testing.assert_allclose(
            t.layers[1].backward["h"][row, 0], h_n[3, row].numpy(), atol=1e-12
        )


@pytest.mark.parametrize(("bidirectional", "batch_first"), [(False, True), (True, False)])
def test_a_float32_lstm_is_read_from_onednn_and_equals_the_float64_steps(
    monkeypatch: pytest.MonkeyPatch, bidirectional: bool, batch_first: bool
) -> None:
    """nn.LSTM in float32 on CPU is read from oneDNN's workspace, not stepped; every gate
    equals the float64 stepping of the same weights to float32 rounding."""
    from rnnlens.engine import workspace

    if not workspace.usable(torch.zeros(1, 1, 1), []):
        pytest.skip("torch runs LSTM without oneDNN here")
    monkeypatch.setattr(workspace, "layout_matches", True)
    reads = []
    real = workspace.lstm_from_workspace
    monkeypatch.setattr(workspace, "lstm_from_workspace", lambda *a: reads.append(1) or real(*a))
    torch.manual_seed(3)
    rnn = nn.LSTM(3, 7, num_layers=2, bidirectional=bidirectional, batch_first=batch_first)
    x = torch.randn((4, 9, 3) if batch_first else (9, 4, 3))
    fast = rl.trace(rnn, x)
    assert len(reads) == 2 * (2 if bidirectional else 1)  # every layer and direction
    slow = rl.trace(rnn.double(), x.double())  # float64: stepped
    assert len(reads) == 2 * (2 if bidirectional else 1)
    for mine, theirs in zip(fast.layers, slow.layers):
        for a, b in zip(mine.directions, theirs.directions):
            assert list(a.arrays) == list(b.arrays) == ["i", "f", "g", "o", "c", "h"]
            for name in a.arrays:
                np.testing.assert_allclose(a[name], b[name], rtol=0, atol=2e-6, err_msg=name)
