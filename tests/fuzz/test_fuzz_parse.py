"""The spec / .py reader (rnnlens.parse) on random and mutated text: a model or a ParseError
(or another RnnlensError), never another exception, a hang, or code that runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from rnnlens import parse
from tests.fuzz.support import outcome

STORY = """\
from keras.models import Sequential
from keras.layers import LSTM, Dense
time_steps = 10
features = 2
input_shape = [time_steps, features]
model = Sequential()
model.add(LSTM(64, input_shape=input_shape, return_sequences=True))
model.add(LSTM(32, input_shape=input_shape))
model.add(Dense(1))
model.summary()
"""
SPEC = "LSTM(64, return_sequences=True, input_shape=(10, 2)) -> LSTM(32) -> Dense(1)"
TOKENS = st.sampled_from(
    ["(", ")", "[", "]", ",", "=", "->", "**", "*", "10", "-1", "None", "True", "0.5", "'x'",
     "LSTM", "GRU", "Bidirectional", "Dense", "model", ".add", "\n", " ", "input_shape",
     "return_sequences", "lambda", "__import__", "9" * 30, "import os", "\\"]
)  # fmt: skip


def parsed_python(code: str) -> object:
    return parse.parse_python(code, filename="fuzz.py").model


@given(text=st.text(max_size=300))
def test_random_text_as_spec_and_as_python(text: str) -> None:
    outcome(lambda: parse.parse_spec(text))
    outcome(lambda: parsed_python(text))


@given(position=st.integers(0, 10**6), insert=st.lists(TOKENS, max_size=4), cut=st.integers(0, 12))
def test_mutated_story_snippet(position: int, insert: list[str], cut: int) -> None:
    at = position % len(STORY)
    outcome(lambda: parsed_python(STORY[:at] + "".join(insert) + STORY[at + cut :]))


@given(position=st.integers(0, 10**6), insert=st.lists(TOKENS, max_size=4), cut=st.integers(0, 8))
def test_mutated_spec(position: int, insert: list[str], cut: int) -> None:
    at = position % len(SPEC)
    outcome(lambda: parse.parse_spec(SPEC[:at] + "".join(insert) + SPEC[at + cut :]))


@given(depth=st.integers(1, 3000), opener=st.sampled_from(["(", "[", "-(", "not "]))
@example(depth=100_000, opener="(")
def test_deep_nesting_is_refused_cheaply(depth: int, opener: str) -> None:
    closer = {"(": ")", "[": "]", "-(": ")", "not ": ""}[opener]
    outcome(lambda: parsed_python(f"x = {opener * depth}1{closer * depth}\nmodel = Sequential()"))


@pytest.mark.parametrize(
    "payload",
    [
        "__import__('pathlib').Path(W).write_text('x')",
        "open(W, 'w').write('x')",
        "exec(\"open(W, 'w')\")",
        "eval(\"open(W, 'w')\")",
        "(lambda: open(W, 'w'))()",
        "[c for c in ().__class__.__base__.__subclasses__()]",
        "LSTM(open(W, 'w'))",
        "model.add(LSTM(4, input_shape=(2, 1), name=open(W, 'w')))",
        "f'{open(W, \"w\")}'",
        "9 ** 9 ** 9 ** 9",
        "'x' * 10 ** 12",
    ],
)
def test_code_in_the_snippet_never_runs(tmp_path: Path, payload: str) -> None:
    witness = tmp_path / "ran"
    code = f"W = {str(witness)!r}\nmodel = Sequential()\n{payload}\n"
    outcome(lambda: parsed_python(code))
    outcome(lambda: parse.parse_spec(payload.replace("W", repr(str(witness)))))
    assert not witness.exists()
