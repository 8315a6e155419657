"""model.explain(): the numbers it states equal the built model's, and every renderer is snapshotted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rnnlens import Sequential
from rnnlens.cli import main
from rnnlens.explain.flow import Flow
from rnnlens.layers import GRU, LSTM, Bidirectional, Dense, RepeatVector, TimeDistributed
from rnnlens.parse import parse_python
from rnnlens.shapes import format_shape

from .test_parse import SEED_ANSWER, SEED_QUESTION, SEED_SEQ2SEQ


def bigru_stack() -> Sequential:
    return Sequential(
        [
            Bidirectional(GRU(16, return_sequences=True), input_shape=(20, 3)),
            Bidirectional(GRU(8)),
            Dense(1),
        ],
        name="bigru",
    )


def encoder_decoder() -> Sequential:
    return Sequential(
        [
            LSTM(32, input_shape=(10, 2)),
            RepeatVector(4),
            LSTM(16, return_sequences=True),
            TimeDistributed(Dense(2)),
        ],
        name="seq2seq",
    )


def deep_bidirectional() -> Sequential:
    """Three stacked Bidirectional LSTMs: the thread's "deep bidirectional LSTM"."""
    return Sequential(
        [
            Bidirectional(LSTM(32, return_sequences=True), input_shape=(12, 4)),
            Bidirectional(LSTM(32, return_sequences=True)),
            Bidirectional(LSTM(16)),
            Dense(1),
        ],
        name="deep_bilstm",
    )


MODELS = {
    "question": lambda: parse_python(SEED_QUESTION).model,
    "answer": lambda: parse_python(SEED_ANSWER).model,
    "answer_seq2seq": lambda: parse_python(SEED_SEQ2SEQ).model,
    "bigru": bigru_stack,
    "encoder_decoder": encoder_decoder,
    "deep_bilstm": deep_bidirectional,
}


def test_user_story_answers_are_on_screen() -> None:
    text = str(parse_python(SEED_QUESTION).model.explain())
    for answer in (
        "x(t) = h¹(t), t = 1…10: the 64-vector that 'lstm' outputs at the same step t",
        "input_shape=(10, 2) is ignored",
        "(64, 128)",
        "(32, 128)",
        "(128,)",
        "4·32·(64 + 32 + 1) = 12,416",
        "4·64·(2 + 64 + 1) = 17,152",
        "17,408",
        "12,544",
        "a second bias vector",
        "nothing is cut or truncated",
        "many-to-one",
    ):
        assert answer in text, answer


def test_bidirectional_rows_and_merge_are_explained() -> None:
    flow = bigru_stack().explain()
    first = flow.layers[0]
    assert [d.arrow for d in first.directions] == ["→", "←"]
    assert first.merge is not None and "16 + 16 = 32" in first.merge
    assert any("doubles the width" in w for w in flow.warnings)
    assert flow.layers[1].width_in == 32


def test_many_to_many_head_is_warned() -> None:
    model = Sequential([LSTM(8, return_sequences=True, input_shape=(5, 2)), Dense(1)])
    flow = model.explain()
    assert "many-to-many" in flow.pattern
    assert any("many-to-many" in w and "return_sequences=False" in w for w in flow.warnings)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_numbers_equal_the_built_models_weights(name: str) -> None:
    model = MODELS[name]()
    flow = model.explain()
    stated = [w.shape for layer in flow.layers for w in layer.weights]
    real = [tuple(array.shape) for array in model.get_weights()]
    assert stated == real
    assert flow.params == sum(array.size for array in model.get_weights())
    for layer_flow, layer in zip(flow.layers, model.layers):
        assert layer_flow.output_shape == format_shape(layer.output_shape)


def test_torch_counts_equal_torch_modules() -> None:
    import torch

    flow = parse_python(SEED_QUESTION).model.explain()
    expected = [
        sum(p.numel() for p in torch.nn.LSTM(d, u).parameters()) for d, u in ((2, 64), (64, 32))
    ]
    assert [layer.torch_params for layer in flow.layers] == expected == [17408, 12544]
    gru = bigru_stack().explain().layers[0]
    module = torch.nn.GRU(3, 16, bidirectional=True)
    assert gru.torch_params == sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize(
    "name", ["question", "answer_seq2seq", "bigru", "encoder_decoder", "deep_bilstm"]
)
def test_renderer_snapshots(name: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    flow = MODELS[name]().explain()
    snapshot(f"explain_{name}.txt", flow.to_text(width=80) + "\n")
    snapshot(f"explain_{name}.md", flow.to_markdown())
    snapshot(f"explain_{name}.json", flow.to_json())
    assert json.loads(flow.to_json())["params"] == flow.params


def test_cli_explain_formats_and_diagram(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    snippet = tmp_path / "snippet.py"
    snippet.write_text(SEED_QUESTION)
    diagram = tmp_path / "flow.svg"
    assert main(["explain", str(snippet), "--diagram", str(diagram)]) == 0
    out = capsys.readouterr().out
    assert "12,416" in out and "is ignored" in out
    assert diagram.read_text().count('class="cell"') == 8
    assert main(["explain", str(snippet), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["torch_params"] == 29952
    assert main(["explain", str(snippet), "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("# Model")
    assert main(["explain", "LSTM(4) -> "]) == 2
    assert "error" in capsys.readouterr().err


def test_explaining_does_not_import_torch(tmp_path) -> None:  # type: ignore[no-untyped-def]
    snippet = tmp_path / "snippet.py"
    snippet.write_text(SEED_QUESTION)
    code = (
        "import sys, rnnlens\n"
        "from rnnlens.parse import load_source\n"
        f"m = load_source({str(snippet)!r})\n"
        "assert isinstance(m.explain(), rnnlens.explain.flow.Flow)\n"
        "str(m.explain()); m.explain().to_json(); m.diagram()\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_flow_is_returned_by_model_explain() -> None:
    assert isinstance(encoder_decoder().explain(), Flow)


def test_huge_spec_is_explained_without_allocating() -> None:
    from rnnlens.parse import parse_spec

    model = parse_spec("LSTM(10**6, input_shape=(5, 2))")
    flow = model.explain()
    assert flow.params == 4 * 10**6 * (2 + 10**6 + 1)
    assert "4·1000000·(2 + 1000000 + 1)" in str(flow)
    assert not model.layers[0].materialized
