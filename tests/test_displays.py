"""What a notebook shows for each object: HTML and SVG displays, their numbers from Keras."""

from __future__ import annotations

import re

import keras
import pytest

import rnnlens as rl
from rnnlens.layers import LSTM

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


def _story() -> tuple[rl.Sequential, keras.Model]:
    ours = rl.Sequential([LSTM(64, return_sequences=True, input_shape=(10, 2)), LSTM(32)])
    theirs = keras.Sequential(
        [keras.Input((10, 2)), keras.layers.LSTM(64, return_sequences=True), keras.layers.LSTM(32)]
    )
    return ours, theirs


def test_model_display_is_a_table_with_keras_counts() -> None:
    ours, theirs = _story()
    html = ours._repr_html_()
    cells = re.findall(r"<td style='text-align:right'>([\d,]+)</td>", html)
    assert [int(c.replace(",", "")) for c in cells] == [
        layer.count_params() for layer in theirs.layers
    ]
    assert f"Total params: {theirs.count_params():,}" in html
    shapes = re.findall(r"<code>(\(None[^<]*\))</code>", html)
    assert shapes == [str(tuple(layer.output.shape)) for layer in theirs.layers]


def test_explanation_panel_escapes_names_and_keeps_the_numbers() -> None:
    model = rl.Sequential([LSTM(8, input_shape=(5, 2), name="a<b>&c")])
    panel = model.explain()._repr_html_()
    assert "a&lt;b&gt;&amp;c" in panel and "<b>&c" not in panel
    keras_lstm = keras.Sequential([keras.Input((5, 2)), keras.layers.LSTM(8)])
    assert f"{keras_lstm.count_params():,}" in panel
    assert repr(model.explain()) == model.explain().to_text()


def test_an_empty_or_unbuilt_model_displays_as_keras_prints_it() -> None:
    assert "Total params: 0 (0.00 B)" in rl.Sequential()._repr_html_()  # an empty table
    unbuilt = rl.Sequential([LSTM(4)])
    assert "<code>?</code>" in unbuilt._repr_html_()


def test_diagram_is_svg_text_a_notebook_draws() -> None:
    ours, _ = _story()
    svg = ours.diagram()
    assert isinstance(svg, str) and svg._repr_svg_() == str(svg) and svg.startswith("<svg")
