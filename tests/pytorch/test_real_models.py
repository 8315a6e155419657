"""Real PyTorch models from public repositories (tests/data/real_torch/), in memory.

torch is the oracle: the explanation's counts equal ``sum(p.numel())``, its shapes equal
those of a real forward pass (hooks on every submodule), the trace equals what the module
computes, and each model gets exactly the warnings it deserves.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

import rnnlens as rl
from rnnlens.pytorch.memory import shape_of

# torch warns when it builds a one-layer LSTM with dropout; rnnlens says it as a warning too.
pytestmark = pytest.mark.filterwarnings("ignore:dropout option adds dropout:UserWarning")

DATA = Path(__file__).parents[1] / "data" / "real_torch"
MODELS = sorted(p.stem for p in DATA.glob("*.py"))


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"real_torch_{name}", DATA / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _keep(store: dict[str, Any], name: str, value: Any) -> None:
    """A forward hook's body: keep the first call's value (returning None keeps the output)."""
    store.setdefault(name, value)


def _double(args: tuple[Any, ...]) -> tuple[Any, ...]:
    def convert(a: Any) -> Any:
        if isinstance(a, tuple):
            return tuple(convert(s) for s in a)
        return a.double() if isinstance(a, torch.Tensor) and a.is_floating_point() else a

    return tuple(convert(a) for a in args)


def _real_shapes(model: nn.Module, args: tuple[Any, ...]) -> dict[str, tuple[Any, Any]]:
    """Input and output shapes of every submodule's first call in a real forward pass."""
    seen: dict[str, tuple[Any, Any]] = {}
    handles = [
        sub.register_forward_hook(
            lambda m, a, o, name=name: _keep(seen, name, (shape_of(a[0]), shape_of(o)))
        )
        for name, sub in model.named_modules()
        if name
    ]
    with torch.no_grad():
        model(*args)
    for handle in handles:
        handle.remove()
    return seen


def test_there_are_at_least_eight_cited_models() -> None:
    assert len(MODELS) >= 8
    for name in MODELS:
        assert "Source:" in (DATA / f"{name}.py").read_text()


@pytest.mark.parametrize("name", MODELS)
def test_explained_in_memory_equals_torch(name: str) -> None:
    source = _load(name)
    torch.manual_seed(0)
    model, args = source.build().eval(), source.example()
    explanation = rl.explain(model, args)
    assert explanation.params == sum(p.numel() for p in model.parameters())
    real = _real_shapes(model, args)
    rows = {row.path: row for row in explanation.rows}
    assert set(real) == {path for path, row in rows.items() if row.calls}
    for path, (shape_in, shape_out) in real.items():
        assert (rows[path].input_shape, rows[path].output_shape) == (shape_in, shape_out), path
    for recurrent in explanation.recurrent:
        module = model.get_submodule(recurrent.path)
        assert recurrent.params == sum(p.numel() for p in module.parameters())
        names = [p.name for layer in recurrent.layers for p in layer.params]
        assert names == [n for n, _ in module.named_parameters()]
        if isinstance(module, nn.RNNBase) and not isinstance(real[recurrent.path][0][0], str):
            out, states = real[recurrent.path][1]
            states = states if isinstance(states[0], tuple) else (states,)
            assert recurrent.shapes["out"] == out and recurrent.shapes["h_n"] == states[0]
    assert sorted(w.code for w in explanation.warnings) == sorted(source.WARNINGS)
    text = str(explanation)
    assert f"{explanation.params:,} parameters" in text


@pytest.mark.parametrize("name", MODELS)
def test_traced_in_memory_equals_torch(name: str) -> None:
    source = _load(name)
    torch.manual_seed(0)
    model, args = source.build().double().eval(), _double(source.example())
    tolerance = 1e-10
    try:
        with torch.no_grad():
            model(*args)
    except RuntimeError:  # its forward makes float32 tensors itself: trace it in float32
        model, args, tolerance = model.float(), source.example(), 1e-5
    outputs: dict[str, Any] = {}
    handles = [
        sub.register_forward_hook(lambda m, a, o, name=name: _keep(outputs, name, o))
        for name, sub in model.named_modules()
        if isinstance(sub, (nn.RNNBase, nn.RNNCellBase))
    ]
    with torch.no_grad():
        model(*args)
    for handle in handles:
        handle.remove()
    trace = rl.trace(model, *args)
    assert trace.layers
    for path, output in outputs.items():
        module = model.get_submodule(path)
        if isinstance(module, nn.RNNBase):
            out = output[0]
            if isinstance(out, nn.utils.rnn.PackedSequence):
                out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
            elif not module.batch_first:
                out = out.transpose(0, 1)
            last = trace[f"{path}.l{module.num_layers - 1}"]
            np.testing.assert_allclose(last.output, out.numpy(), rtol=0, atol=tolerance)
        else:
            first_h = output[0] if isinstance(output, tuple) else output
            np.testing.assert_allclose(
                trace[path]["h"][:, 0], first_h.numpy(), rtol=0, atol=tolerance
            )
