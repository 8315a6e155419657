"""The source reader: the user story's exact snippets, spec strings, and hostile input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rnnlens.errors import ParseError
from rnnlens.parse import load_source, parse_python, parse_spec, read_source

# The question's code, pasted exactly (comments and odd spacing included).
SEED_QUESTION = """\
# parameters
time_steps = 10
features = 2
input_shape = [time_steps, features]
batch_size = 32

# model
model = Sequential()
model.add(LSTM(64, input_shape=input_shape,  return_sequences=True))
model.add(LSTM(32,input_shape=input_shape))
"""
# The first answer's two models.
SEED_ANSWER = """\
model = Sequential()
model.add(LSTM(64, return_sequences=True, input_shape=(5, 2)))
model.add(LSTM(32))
"""
SEED_SEQ2SEQ = """\
model = Sequential()
model.add(LSTM(64, return_sequences=True, input_shape=(5, 2)))
model.add(LSTM(32, return_sequences=True))
"""


def test_question_snippet_builds_the_stack_and_catches_the_ignored_input_shape(
    tmp_path: Path,
) -> None:
    path = tmp_path / "snippet.py"
    path.write_text(SEED_QUESTION)
    parsed = read_source(str(path))
    assert [layer.output_shape for layer in parsed.model.layers] == [(None, 10, 64), (None, 32)]
    assert [layer.count_params() for layer in parsed.model.layers] == [17152, 12416]
    assert len(parsed.warnings) == 1 and "line 10" in parsed.warnings[0]
    assert "input_shape=(10, 2) is ignored" in parsed.warnings[0]


@pytest.mark.parametrize(
    ("code", "shapes"),
    [(SEED_ANSWER, [(None, 5, 64), (None, 32)]), (SEED_SEQ2SEQ, [(None, 5, 64), (None, 5, 32)])],
)
def test_answer_snippets(code: str, shapes: list[tuple[int | None, ...]]) -> None:
    model = parse_python(code).model
    assert [layer.output_shape for layer in model.layers] == shapes
    assert model.count_params() == 17152 + 12416


def test_keras_spellings_list_form_and_skipped_calls() -> None:
    code = """
import tensorflow as tf
from tensorflow import keras
from keras.layers import Dense as D
import numpy as np
n = 2 * 8
model = tf.keras.models.Sequential([
    keras.layers.Bidirectional(tf.keras.layers.GRU(n, return_sequences=True), input_shape=(None, 3)),
    D(1),
], name="net")
model.compile(optimizer="adam", loss=some_undefined_loss)
history = model.fit(x_train, y_train, epochs=3)
model.summary()
"""
    parsed = parse_python(code, "net.py")
    assert parsed.model.name == "net"
    assert parsed.model.layers[0].output_shape == (None, None, 32)
    assert [note.split(":")[0] for note in parsed.notes] == ["line 11", "line 12", "line 13"]


def test_spec_string_and_saved_model_dispatch() -> None:
    model = load_source("LSTM(64, return_sequences=True, input_shape=(10,2)) -> LSTM(32)")
    assert model.count_params() == 29568
    with pytest.raises(ParseError, match=r"spec part 2 .*the name 'LSMT'"):
        parse_spec("LSTM(4, input_shape=(3, 2)) -> LSMT(3)")
    with pytest.raises(ParseError, match="empty"):
        parse_spec("LSTM(4, input_shape=(3, 2)) -> ")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("__import__('os').system('touch PWNED')", "line 1: the expression"),
        ("import os", "'import os' is not understood"),
        ("from subprocess import run", "importing from 'subprocess'"),
        ("x = ().__class__.__bases__", "attribute access"),
        ("x = keras.layers.__dict__", "not a layer rnnlens knows"),
        ("x = 10**10**10", "too large a power"),
        ("x = 2**50 * 2**50", "larger than"),
        ("x = 'a' * 10**9", "numbers only"),
        ("x = '" + "a" * 20_000 + "'", "string longer"),
        ("x = " + "(" * 500 + "1" + ")" * 500, "not valid Python|cannot be parsed"),
        ("x = " + "-" * 100 + "1", "nested deeper"),
        ("x = " + "[" * 60 + "]" * 60, "nested deeper"),
        ("def f():\n    pass", "FunctionDef statement"),
        ("x = (lambda: 1)()", "Lambda"),
        ("x = [i for i in range(10**9)]", "ListComp"),
        ("exec('1')", "the expression"),
        (
            "model = Sequential()\nmodel.add(LSTM(3, input_shape=(2, 2), sizzle=1))",
            "line 2: LSTM got an unknown argument 'sizzle'",
        ),
        (
            "model = Sequential()\nmodel.add(LSTM(3, input_shape=(2, 2)))\nmodel.add(LSTM(4))",
            "line 3: .*return_sequences=True",
        ),
        ("x = 1", "no Sequential model"),
        # Found by `make fuzz`: a number where the layer list goes raised a bare TypeError.
        ("model = Sequential(10)", "line 1: Sequential.*takes a list of layers.*received int"),
        ("model = Sequential(layers=LSTM(3))", "takes a list of layers.*received LSTM"),
    ],
)
def test_hostile_and_unsupported_code_is_refused_quickly_without_running(
    code: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    with pytest.raises(ParseError, match=message):
        parse_python(code, "hostile.py")
    assert time.perf_counter() - start < 2.0
    assert not (tmp_path / "PWNED").exists()


def test_huge_layer_is_read_without_allocating() -> None:
    model = parse_spec("LSTM(10**6, input_shape=(5, 2))")
    assert model.count_params() == 4 * 10**6 * (2 + 10**6 + 1)
    assert not model.layers[0].materialized


def test_invalid_escapes_in_user_code_do_not_warn() -> None:
    # Python warns about "\d" at compile time (DeprecationWarning on 3.11, SyntaxWarning
    # later); pytest runs with warnings as errors, so a leaked warning fails this test.
    source = (
        'from keras.layers import LSTM\npattern = "\\d+"\n'
        "model = Sequential()\nmodel.add(LSTM(8, input_shape=(5, 3)))\n"
    )
    assert parse_python(source).model.count_params() == 4 * 8 * (3 + 8 + 1)
