"""The HTML report: its content as data, and the page in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import rnnlens as rl
from rnnlens.errors import InputDataError
from rnnlens.layers import GRU, LSTM, Bidirectional, Dense
from rnnlens.report import build_content
from tests.support.page import chromium_page


@pytest.fixture
def story() -> rl.Sequential:
    import torch

    torch.manual_seed(0)
    return rl.Sequential([LSTM(64, return_sequences=True, input_shape=(10, 2)), LSTM(32), Dense(1)])


def test_content_holds_trace_summary_history_and_predictions(story: rl.Sequential) -> None:
    x = np.random.default_rng(0).normal(size=(6, 10, 2))
    y = x[:, -1, :1]
    history = {"loss": [1.0, 0.5], "val_loss": [1.2, 0.7]}
    content = build_content(story, x, history=history, y_true=y, samples=2)
    assert [r["name"] for r in content.summary] == ["lstm", "lstm_1", "dense"]
    assert content.total_params == 17152 + 12416 + 33
    assert len(content.samples) == 2 and content.samples[0]["steps"] == 10
    first, second, dense = content.samples[1]["layers"]
    assert second["from"] == "lstm" and second["per_step_input"]
    assert content.array(first["directions"][0]["arrays"]["f"]).shape == (10, 64)  # (time, units)
    assert second["input"] == first["output"]  # the hand-off is stored once
    assert not dense["per_step_input"] and content.array(dense["input"]).shape == (32,)
    pred = story.predict(x)[:, 0]
    assert content.predictions["mse"] == pytest.approx(np.mean((pred - y[:, 0]) ** 2), rel=1e-4)
    assert content.history == history


def test_classification_predictions_give_accuracy_and_confusion() -> None:
    model = rl.Sequential([GRU(4, input_shape=(5, 3)), Dense(3, activation="softmax")])
    x = np.random.default_rng(1).normal(size=(8, 5, 3))
    chosen = model.predict(x).argmax(axis=1)
    content = build_content(model, x, y_true=chosen)
    assert content.predictions["accuracy"] == 1.0
    assert np.trace(np.array(content.predictions["confusion"])) == 8


def test_bad_options_are_refused(story: rl.Sequential) -> None:
    x = np.zeros((3, 10, 2))
    with pytest.raises(InputDataError, match="samples"):
        build_content(story, x, samples=0)
    with pytest.raises(InputDataError, match="samples"):
        build_content(story, x, samples=[0, 3])
    with pytest.raises(InputDataError, match="y_true has 2 samples"):
        build_content(story, x, y_true=np.zeros((2, 1)))
    with pytest.raises(InputDataError, match="history"):
        build_content(story, x, history=[1, 2])


def test_page_is_self_contained(story: rl.Sequential, tmp_path: Path) -> None:
    path = story.report(np.ones((2, 10, 2)), tmp_path / "sub" / "r.html")
    html = path.read_text()
    assert path.exists() and "<script src" not in html and '<link rel="stylesheet"' not in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html


def _blank(png: bytes) -> bool:
    """Whether a screenshot is one flat colour (decoded through the browser-free zlib route)."""
    import struct
    import zlib

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, b""
    while pos < len(png):
        length = struct.unpack(">I", png[pos : pos + 4])[0]
        kind = png[pos + 4 : pos + 8]
        if kind == b"IDAT":
            chunks += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(chunks)
    return len(set(raw[1:4000:3])) <= 2 and len(set(raw[-4000::7])) <= 2


def report_model(folder: Path) -> Path:
    """The report these tests drive (and scripts/figures.py pictures): BiLSTM on sunspots."""
    import torch

    torch.manual_seed(0)
    model = rl.Sequential(
        [
            Bidirectional(LSTM(8, return_sequences=True), input_shape=(12, 1)),
            LSTM(16),
            Dense(1),
        ]
    )
    series = rl.data.load("sunspots").values
    x, y = rl.data.windows((series - series.mean()) / series.std(), 12)
    return model.report(
        x[-40:], folder / "report.html", y_true=y[-40:], history={"loss": [1.0, 0.6, 0.4]}
    )


@pytest.mark.browser
def test_report_in_chromium_steps_through_time(tmp_path: Path) -> None:
    path = report_model(tmp_path)
    with chromium_page() as (page, errors):
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready=true]")
        assert page.inner_text("#step-label") == "step 1 of 12"
        before = page.inner_html("#flow")
        assert page.locator(".layer-card").count() == 3
        assert page.locator("#maps canvas").count() == 2 * 6 + 6  # both directions, then LSTM
        page.fill("#step", "7")
        page.dispatch_event("#step", "input")
        assert page.inner_text("#step-label") == "step 8 of 12"
        after = page.inner_html("#flow")
        assert after != before and "x(8)" in after
        page.click("#sort-units")
        assert "most active units" in page.inner_text("#maps")
        # pictures go to tmp_path: a test never rewrites the repository (make figures does)
        full = page.screenshot(path=str(tmp_path / "full.png"), full_page=True)
        steps = page.locator("#steps").screenshot(path=str(tmp_path / "steps.png"))
        maps = page.locator("#heatmaps").screenshot(path=str(tmp_path / "maps.png"))
        assert errors == []
    for shot in (full, steps, maps):
        assert not _blank(shot)


def test_report_command_on_a_saved_model(tmp_path: Path) -> None:
    from rnnlens.cli import main

    model = rl.Sequential([LSTM(6, return_sequences=True, input_shape=(12, 1)), GRU(4), Dense(1)])
    model.save(tmp_path / "m.rnnlens")
    out = tmp_path / "r.html"
    assert main(["report", str(tmp_path / "m.rnnlens"), "--samples", "3", "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") or html.lower().startswith("<!doctype html>")
    # the traced inputs are the last 3 sunspot windows, and both recurrent layers are shown
    assert "lstm" in html and "gru" in html
    assert main(["report", str(tmp_path / "m.txt"), "--out", str(out)]) == 2
