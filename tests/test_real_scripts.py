"""Real scripts from public repositories (tests/data/real_scripts, each cites its source).

Expected layer classes, output shapes and parameter counts come from real Keras 3 and real
torch.nn building the same architecture (tests/data/real_scripts/make_expected.py, which
writes expected.json); the reader's output is compared with them, never with itself. A
script read without --set gives symbols; substituting the pinned values must give Keras's
numbers too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rnnlens.errors import ParseError
from rnnlens.readers import read_python
from rnnlens.readers.functional import GRAPH_TENSOR
from rnnlens.symbolic import substitute

HERE = Path(__file__).parent / "data" / "real_scripts"
EXPECTED: dict[str, Any] = json.loads((HERE / "expected.json").read_text())
KERAS = sorted(k for k, v in EXPECTED.items() if "models" in v)
TORCH = sorted(k for k, v in EXPECTED.items() if "torch" in v)
REFUSED = sorted(k for k, v in EXPECTED.items() if "refused" in v)


def read(name: str, settings: dict[str, Any] | None = None) -> Any:
    pinned = {k: tuple(v) if isinstance(v, list) else v for k, v in (settings or {}).items()}
    return read_python((HERE / name).read_text(), name, pinned)


def rows(model: Any) -> list[list[Any]]:
    """Keras's layers without its InputLayer rows (Keras lists them in functional models only)."""
    return [
        [type(layer).__name__, _shape(layer.output_shape), layer.count_params()]
        for layer in model.layers
        if type(layer).__name__ not in ("InputLayer", "Input")
    ]


def _shape(shape: Any) -> list[Any]:
    return [list(s) for s in shape] if isinstance(shape, list) else list(shape)


def test_every_script_cites_its_source_and_has_an_expectation() -> None:
    scripts = sorted(p.name for p in HERE.glob("[kt][0-9]*.py"))
    assert len(scripts) >= 25
    assert scripts == sorted(EXPECTED)
    for name in scripts:
        assert (HERE / name).read_text().startswith("# Source: https://github.com/")


@pytest.mark.parametrize("name", KERAS)
def test_keras_script_matches_keras(name: str) -> None:
    entry = EXPECTED[name]
    if "refused_without_graph" in entry and GRAPH_TENSOR is None:
        with pytest.raises(ParseError, match=entry["refused_without_graph"] + ".*model graph"):
            read(name, entry["settings"])
        return
    result = read(name, entry["settings"])
    assert [found.label for found in result.models] == [m["label"] for m in entry["models"]]
    for found, expected in zip(result.models, entry["models"]):
        assert rows(found.model) == expected["layers"]


@pytest.mark.parametrize("name", [k for k in KERAS if EXPECTED[k]["symbols"]])
def test_symbolic_reading_substitutes_to_keras(name: str) -> None:
    entry = EXPECTED[name]
    result = read(name)  # nothing pinned: sizes from data stay symbols
    symbols = entry["symbols"]
    for found, expected in zip(result.models, entry["models"]):
        got = [
            [kind, _shape(substitute(tuple(shape), symbols)), substitute(count, symbols)]
            for kind, shape, count in rows(found.model)
        ]
        assert got == expected["layers"]
    # Something really was symbolic: a count, or an axis of a shape.
    flat = [
        d
        for model in result.models
        for _, shape, count in rows(model.model)
        for d in (*shape, count)
    ]
    assert any(d is not None and not isinstance(d, int) for d in flat)


@pytest.mark.parametrize("name", TORCH)
def test_torch_script_matches_torch(name: str) -> None:
    entry = EXPECTED[name]
    (found,) = read(name, entry["settings"]).models
    network, expected = found.model, entry["torch"]
    assert network.count_params() == expected["params"]
    assert {path: network.modules[path].count_params() for path in expected["children"]} == (
        expected["children"]
    )
    if expected["output"] is not None:
        last = [step for step in network.steps if step.op != "output"][-1]
        # The batch is None in the reader (free); torch's forward pass used a concrete batch.
        assert [None if i == 0 else d for i, d in enumerate(expected["output"])] == list(last.shape)


@pytest.mark.parametrize("name", REFUSED)
def test_refused_scripts_name_the_line(name: str) -> None:
    with pytest.raises(ParseError, match=EXPECTED[name]["refused"] + r":"):
        read(name)


def test_torch_structure_pinned_on_the_command_line_is_read() -> None:
    settings = {"input_dim": 8, "hidden_dim": 32, "output_dim": 3, "num_layers": 2, "T": 15}
    (found,) = read("t03_lstm_num_layers.py", settings).models
    torch = pytest.importorskip("torch")
    modules = [torch.nn.LSTM(8, 32, 2, batch_first=True), torch.nn.Linear(32, 3)]
    assert found.model.count_params() == sum(p.numel() for m in modules for p in m.parameters())
