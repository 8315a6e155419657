"""The pure-Python spec of nn.LSTM/GRU/RNN against real torch.nn modules (the oracle)."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn

from rnnlens.errors import ConfigError, ShapeError
from rnnlens.pytorch.spec import CellSpec, RNNSpec, make_module

# torch says its oneDNN path lacks projections and falls back; a performance note only.
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections:UserWarning")

GRID = [
    (mode, layers, bidirectional, batch_first, proj)
    for mode, layers, bidirectional, batch_first, proj in itertools.product(
        ("LSTM", "GRU", "RNN"), (1, 2, 3), (False, True), (False, True), (0, 3)
    )
    if not (proj and mode != "LSTM")
]


def _real(
    mode: str, layers: int, bidirectional: bool, batch_first: bool, proj: int, features: int = 5
) -> nn.RNNBase:
    options = {"num_layers": layers, "bidirectional": bidirectional, "batch_first": batch_first}
    if proj:
        options["proj_size"] = proj
    return getattr(nn, mode)(features, 7, **options)


@pytest.mark.parametrize(("mode", "layers", "bidirectional", "batch_first", "proj"), GRID)
def test_parameters_counts_and_shapes_equal_torch(
    mode: str, layers: int, bidirectional: bool, batch_first: bool, proj: int
) -> None:
    real = _real(mode, layers, bidirectional, batch_first, proj)
    spec = RNNSpec(mode, 5, 7, num_layers=layers, bidirectional=bidirectional,
                   batch_first=batch_first, proj_size=proj)  # fmt: skip
    assert [(p.name, p.shape) for p in spec.parameters()] == [
        (name, tuple(p.shape)) for name, p in real.named_parameters()
    ]
    assert spec.count_params() == sum(p.numel() for p in real.parameters())
    x = torch.zeros((2, 4, 5) if batch_first else (4, 2, 5))
    out, state = real(x)
    shapes = spec.output_shapes(tuple(x.shape))
    assert shapes["out"] == tuple(out.shape)
    if mode == "LSTM":
        assert (shapes["h_n"], shapes["c_n"]) == (tuple(state[0].shape), tuple(state[1].shape))
    else:
        assert shapes["h_n"] == tuple(state.shape)
    unbatched_out, _ = real(torch.zeros(4, 5))
    assert spec.output_shapes((4, 5))["out"] == tuple(unbatched_out.shape)
    # the per-direction formula sums to the real count
    per_layer = [
        sum(p.numel() for n, p in real.named_parameters() if f"_l{k}" in n) for k in range(layers)
    ]
    for k in range(layers):
        assert spec.formula(k).endswith(f"= {per_layer[k] // spec.num_directions:,}")


@pytest.mark.parametrize(("mode", "layers", "bidirectional", "batch_first", "proj"), GRID)
def test_state_index_table_matches_slices_of_real_outputs(
    mode: str, layers: int, bidirectional: bool, batch_first: bool, proj: int
) -> None:
    """h_n[index] of the last layer equals the matching slice of out; earlier layers are
    checked by running the layers one at a time with copied weights."""
    torch.manual_seed(0)
    real = _real(mode, layers, bidirectional, batch_first, proj).double()
    spec = RNNSpec(mode, 5, 7, num_layers=layers, bidirectional=bidirectional,
                   batch_first=batch_first, proj_size=proj)  # fmt: skip
    x = torch.randn((2, 4, 5) if batch_first else (4, 2, 5), dtype=torch.float64)
    out, state = real(x)
    h_n = state[0] if mode == "LSTM" else state
    seq = out if batch_first else out.transpose(0, 1)  # (B, T, D·p)
    p = spec.state_size
    rows = spec.state_index()
    assert [r.index for r in rows] == list(range(layers * spec.num_directions))
    for row in rows:
        if row.layer != layers - 1:
            continue
        half = seq[..., :p] if row.direction == "forward" else seq[..., p:]
        step = -1 if row.direction == "forward" else 0  # the backward pass ends at t = 0
        torch.testing.assert_close(h_n[row.index], half[:, step], rtol=0, atol=1e-12)
    # a single-layer module with layer k's weights reproduces h_n for layer k
    for layer in range(layers - 1):
        single = _layer_module(real, layer, spec.layer_input_size(layer), mode, bidirectional, proj)
        inputs = x if batch_first else x.transpose(0, 1)
        for k in range(layer):
            features = spec.layer_input_size(k)
            inputs = _layer_module(real, k, features, mode, bidirectional, proj)(inputs)[0]
        _, s = single(inputs)
        sh = s[0] if mode == "LSTM" else s
        for row in rows:
            if row.layer == layer:
                direction = 0 if row.direction == "forward" else 1
                torch.testing.assert_close(h_n[row.index], sh[direction], rtol=0, atol=1e-12)


def _layer_module(
    real: nn.RNNBase, k: int, features: int, mode: str, bidirectional: bool, proj: int
) -> nn.RNNBase:
    """A one-layer, batch-first module holding layer k's weights of ``real``."""
    single = _real(mode, 1, bidirectional, True, proj, features).double()
    with torch.no_grad():
        for name, param in single.named_parameters():
            param.copy_(getattr(real, name.replace("_l0", f"_l{k}")))
    return single


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN"])
def test_cells_equal_torch(mode: str) -> None:
    real = getattr(nn, f"{mode}Cell")(3, 6, bias=False)
    spec = make_module(f"{mode}Cell", 3, 6, bias=False)
    assert isinstance(spec, CellSpec)
    assert [(p.name, p.shape) for p in spec.parameters()] == [
        (n, tuple(p.shape)) for n, p in real.named_parameters()
    ]
    assert spec.count_params() == sum(p.numel() for p in real.parameters())
    result = real(torch.zeros(2, 3))
    h = result[0] if mode == "LSTM" else result
    assert spec.output_shapes((2, 3))["h"] == tuple(h.shape)


def test_user_story_counts_and_keras_convention() -> None:
    first, second = RNNSpec("LSTM", 2, 64), RNNSpec("LSTM", 64, 32)
    assert (first.count_params(), second.count_params()) == (17408, 12544)
    assert (first.keras_count(), second.keras_count()) == (17152, 12416)
    assert first.formula() == "4·h·(d + h) + 8·h = 4·64·(2 + 64) + 8·64 = 17,408"


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "shape"),
    [
        ("Linear", (8, 3), {"bias": False}, (2, 5, 8)),
        ("Embedding", (100, 16), {"padding_idx": 0}, (2, 7)),
        ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 1, "dilation": 2}, (2, 4, 11)),
        ("MaxPool1d", (2,), {}, (2, 4, 11)),
        ("MaxPool1d", (3,), {"stride": 1, "padding": 1}, (2, 4, 11)),
        ("Flatten", (), {}, (2, 4, 11)),
        ("Dropout", (0.3,), {}, (2, 4)),
        ("ReLU", (), {}, (2, 4)),
    ],
)
def test_other_modules_equal_torch(name: str, args: tuple, kwargs: dict, shape: tuple) -> None:
    real = getattr(nn, name)(*args, **kwargs)
    spec = make_module(name, *args, **kwargs)
    assert [(n, tuple(p.shape)) for n, p in real.named_parameters()] == [
        (p.name, p.shape) for p in spec.parameters()
    ]
    x = torch.zeros(shape, dtype=torch.long) if name == "Embedding" else torch.zeros(shape)
    assert spec.output_shapes(shape)["out"] == tuple(real(x).shape)


def test_sequential_container_counts_and_shapes() -> None:
    real = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    spec = make_module(
        "Sequential", make_module("Linear", 4, 8), make_module("ReLU"), make_module("Linear", 8, 2)
    )
    assert [p.name for p in spec.parameters()] == [n for n, _ in real.named_parameters()]
    assert spec.output_shapes((3, 4))["out"] == tuple(real(torch.zeros(3, 4)).shape)


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ConfigError, match="has no argument 'hidden'"):
        make_module("LSTM", 2, hidden=3)
    with pytest.raises(ConfigError, match=r"proj_size is an nn\.LSTM option"):
        make_module("GRU", 2, 4, proj_size=2)
    with pytest.raises(ConfigError, match="outside the modules"):
        make_module("Transformer")
    with pytest.raises(ShapeError, match="features=2 on the last axis, received 3"):
        RNNSpec("LSTM", 2, 4, batch_first=True).output_shapes((8, 10, 3))
