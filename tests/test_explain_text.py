"""How explanations read: legend, width, wrapping, each warning once, --torch, code lines."""

from __future__ import annotations

import json
import re

import pytest

from rnnlens.cli import main
from rnnlens.explain.wrap import display_width
from rnnlens.parse import parse_python

from .test_explain import MODELS
from .test_parse import SEED_QUESTION

# Symbols and terms a beginner cannot guess, and the legend entry that defines each.
TERMS = {
    "σ": "σ",
    "⊙": "⊙",
    "c̃": "c̃",
    "h̃": "h̃",
    "h¹(t)": "h¹(t)",
    "h→": "h→, h←",
    "h←": "h→, h←",
    "·kernel": "·",
    "z[0:": "z[0:32]",
    "u·(d": "u, d",
    "recurrent_kernel": "recurrent_kernel",
    "unit_forget_bias": "unit_forget_bias",
    "many-to-one": "many-to-one",
    "many-to-many": "many-to-many",
    "(None,": "None",
    "t+1": "t−1, t+1",
    "reset_after": "reset_after",
}


def body(text: str) -> str:
    return text.split("\nLegend\n")[0]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_legend_defines_every_symbol_the_explanation_uses(name: str) -> None:
    flow = MODELS[name]().explain()
    text = flow.to_text()
    defined = {entry.symbol for entry in flow.legend}
    used = [term for term in TERMS if term in body(text)]
    assert used
    for term in used:
        assert TERMS[term] in defined, term
        assert f"\n{TERMS[term]} " in text.split("\nLegend\n")[1] or text.split("\nLegend\n")[
            1
        ].startswith(TERMS[term])
    assert text.count("\nLegend\n") == 1
    assert "Legend" not in flow.to_text(legend=False)


def test_gates_are_named_in_words() -> None:
    text = str(MODELS["question"]().explain())
    for words in ("input gate i", "forget gate f", "candidate c̃", "output gate o"):
        assert words in text
    text = str(MODELS["bigru"]().explain())
    for words in ("update gate z", "reset gate r", "candidate h̃"):
        assert words in text


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("width", [60, 80, 100])
def test_no_line_is_wider_than_the_terminal_and_formulas_stay_whole(name: str, width: int) -> None:
    flow = MODELS[name]().explain()
    lines = flow.to_text(width=width).splitlines()
    assert max(display_width(line) for line in lines) <= width
    joined = "\n".join(lines)
    if width < 80:
        return  # 60 columns: long formulas break before a top-level = or +
    for layer in flow.layers:
        if layer.formula:
            assert f"Keras {layer.formula}" in joined or layer.formula in joined, layer.formula
        for equation in layer.equations:
            for piece in re.split(r"(?<=[,;])\s+|\s{2,}", equation):
                assert piece.strip() in joined, piece


@pytest.mark.parametrize("name", sorted(MODELS))
def test_each_warning_is_printed_once(name: str) -> None:
    flow = MODELS[name]().explain()
    text = flow.to_text(width=400)  # wide: a warning is one line
    for layer in flow.layers:
        for warning in layer.warnings:
            assert text.count(warning) == 1, warning
    markdown = flow.to_markdown()
    for layer in flow.layers:
        for warning in layer.warnings:
            assert markdown.count(warning) == 1, warning


def test_repeated_paragraph_is_said_once_then_referred_to() -> None:
    text = str(MODELS["question"]().explain())
    assert text.count("nothing is cut or truncated") == 1
    assert "as in 'lstm', nothing is cut" in text


def test_torch_aside_is_one_line_unless_asked(capsys) -> None:  # type: ignore[no-untyped-def]
    flow = MODELS["question"]().explain()
    short, full = flow.to_text(width=200), flow.to_text(width=200, torch=True)
    assert "b_ih" not in short and "b_ih" in full
    for layer in flow.layers:
        assert sum(layer.torch_line in line for line in short.splitlines()) == 1
    spec = "LSTM(64, return_sequences=True, input_shape=(10, 2)) -> LSTM(32)"
    assert main(["explain", spec, "--torch", "--no-legend"]) == 0
    out = capsys.readouterr().out
    assert "b_hh" in out and "Legend" not in out


def test_width_comes_from_the_terminal(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import os
    import shutil

    monkeypatch.setattr(
        shutil, "get_terminal_size", lambda fallback=(100, 24): os.terminal_size((72, 24))
    )
    spec = "Bidirectional(LSTM(64, return_sequences=True), input_shape=(10, 2)) -> LSTM(32)"
    assert main(["explain", spec]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(display_width(line) for line in lines) <= 72
    assert max(display_width(line) for line in lines) > 60
    assert main(["explain", spec, "--width", "90"]) == 0
    assert 72 < max(display_width(line) for line in capsys.readouterr().out.splitlines()) <= 90


def test_the_code_line_a_layer_came_from_is_shown() -> None:
    model = parse_python(SEED_QUESTION).model
    model.layers[1].source_line = "line 24: model.add(LSTM(32,input_shape=input_shape))"
    flow = model.explain()
    assert flow.layers[0].source_line is None
    assert "model.add(LSTM(32,input_shape=input_shape))" in flow.to_text()
    assert "`line 24: model.add(LSTM(32,input_shape=input_shape))`" in flow.to_markdown()
    assert json.loads(flow.to_json())["layers"][1]["source_line"].startswith("line 24")


def test_facts_a_beginner_needs_are_stated_per_recurrent_layer() -> None:
    flow = MODELS["question"]().explain()
    for layer in flow.layers:
        assert layer.shares is not None and "every step" in layer.shares
        assert layer.state_roles is not None and "stays inside" in layer.state_roles
        assert layer.final_states is not None and "dropped" in layer.final_states
        assert "own state, zeros" in (layer.keeps or "")
