"""The user story's models: their numbers, shapes, printed summaries and the input_shape warning.

The printed tables are snapshot files (tests/snapshots/summary_*.txt); the same texts are
compared with Keras's own output in tests/test_keras_oracle.py.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pytest

import rnnlens
from rnnlens import IgnoredInputShapeWarning
from rnnlens.layers import LSTM, Bidirectional, Dense, Input, TimeDistributed
from rnnlens.summary import summary_rows

Snapshot = Callable[[str, str], None]


def question_model() -> rnnlens.Sequential:
    """The question's code: input_shape given to both layers (the second is ignored)."""
    time_steps, features = 10, 2
    input_shape = [time_steps, features]
    model = rnnlens.Sequential()
    model.add(LSTM(64, input_shape=input_shape, return_sequences=True))
    with pytest.warns(IgnoredInputShapeWarning):
        model.add(LSTM(32, input_shape=input_shape))
    return model


def printed(model: rnnlens.Sequential, **options: int) -> str:
    lines: list[str] = []
    model.summary(print_fn=lines.append, **options)
    return "\n".join(lines)


def test_user_story_numbers_and_shapes(snapshot: Snapshot) -> None:
    model = question_model()
    assert [layer.output_shape for layer in model.layers] == [(None, 10, 64), (None, 32)]
    assert [layer.count_params() for layer in model.layers] == [17_152, 12_416]
    assert model.count_params() == 29_568
    assert model.output_shape == (None, 32)
    rows = summary_rows(model)
    assert [(r.name, r.layer_type, r.output_shape, r.params) for r in rows] == [
        ("lstm", "LSTM", "(None, 10, 64)", 17152),
        ("lstm_1", "LSTM", "(None, 32)", 12416),
    ]
    text = printed(model)
    for fact in ("17,152", "12,416", "29,568", "(None, 10, 64)", "(None, 32)", "115.50 KB"):
        assert fact in text
    snapshot("summary_user_story.txt", text)


def test_sequence_to_sequence_variant(snapshot: Snapshot) -> None:
    model = rnnlens.Sequential()
    model.add(LSTM(64, return_sequences=True, input_shape=(5, 2)))
    model.add(LSTM(32, return_sequences=True))
    assert model.output_shape == (None, 5, 32)
    assert model.count_params() == 29_568
    snapshot("summary_seq2seq.txt", printed(model))


def test_answer_model_with_absurd_input_shape_prints_the_same_table(snapshot: Snapshot) -> None:
    """The answer's point: input_shape=(1000000, 200000) on the second layer changes nothing."""
    reference = rnnlens.Sequential([LSTM(64, return_sequences=True, input_shape=(5, 2)), LSTM(32)])
    rnnlens.clear_session()
    model = rnnlens.Sequential()
    model.add(LSTM(64, return_sequences=True, input_shape=(5, 2)))
    with pytest.warns(IgnoredInputShapeWarning) as caught:
        model.add(LSTM(32, input_shape=(1000000, 200000)))
    message = str(caught[0].message)
    assert "layer 'lstm_1' (LSTM): input_shape=(1000000, 200000) is ignored" in message
    assert "receives the output of 'lstm', shape (None, 5, 64)" in message
    assert "Remove input_shape from this layer" in message
    assert caught[0].filename == __file__  # points at the user's line, not at rnnlens
    assert printed(model) == printed(reference)
    snapshot("summary_answer.txt", printed(model))


def test_agreeing_input_shape_is_still_reported_as_ignored() -> None:
    model = rnnlens.Sequential([Input((5, 2)), LSTM(4, return_sequences=True)])
    with pytest.warns(
        IgnoredInputShapeWarning, match=r"input_shape=\(5, 4\) is ignored \(it agrees with"
    ):
        model.add(LSTM(3, input_shape=(5, 4)))


def test_first_layer_input_shape_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rnnlens.Sequential([LSTM(3, input_shape=(5, 2))])
        rnnlens.Sequential([Input((5, 2)), Bidirectional(LSTM(3, return_sequences=True))])


def test_wrapped_and_state_returning_layers(snapshot: Snapshot) -> None:
    model = rnnlens.Sequential(
        [
            Input((7, 3)),
            Bidirectional(LSTM(16, return_sequences=True)),
            TimeDistributed(Dense(4)),
            Bidirectional(LSTM(5, return_state=True), merge_mode=None),
        ]
    )
    assert [r.params for r in summary_rows(model)] == [
        2 * 4 * 16 * (3 + 16 + 1),
        32 * 4 + 4,
        2 * 4 * 5 * (4 + 5 + 1),
    ]
    assert model.output_shape == [(None, 5), (None, 5), (None, 5), (None, 5), (None, 5), (None, 5)]
    snapshot("summary_wrappers.txt", printed(model))


def test_huge_model_summary(snapshot: Snapshot) -> None:
    """Counted without allocating; the cell that does not fit is cut as Keras cuts it."""
    model = rnnlens.Sequential([LSTM(10**6, input_shape=(10, 2))])
    text = printed(model)
    assert "4,000,012,00…" in text and "Total params: 4,000,012,000,000 (14.55 TB)" in text
    snapshot("summary_huge.txt", text)


def test_line_length_widens_the_table() -> None:
    model = question_model()
    lines = printed(model, line_length=100).splitlines()
    assert {len(line) for line in lines[1:8]} == {100}
    with pytest.raises(rnnlens.ConfigError, match="line_length=10 is too narrow"):
        printed(model, line_length=10)
