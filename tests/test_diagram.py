"""The unrolled SVG diagram: its cells and arrows follow the model, and it renders in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rnnlens.cli import main
from rnnlens.explain.svg import columns
from rnnlens.parse import parse_python

from .support.browser import read_png, require_browser, screenshot
from .test_explain import MODELS, bigru_stack, encoder_decoder
from .test_parse import SEED_QUESTION, SEED_SEQ2SEQ


def cells(svg: str, layer: str) -> list[str]:
    return re.findall(rf'class="cell" data-layer="{layer}" data-step="([^"]+)"', svg)


def test_many_to_one_sends_only_the_last_step_up() -> None:
    svg = parse_python(SEED_QUESTION).model.diagram()
    # 10 steps fold into 1, 2, 3, …, 10: four cells per layer.
    assert cells(svg, "lstm") == cells(svg, "lstm_1") == ["1", "2", "3", "10"]
    assert svg.count('class="up"') == 4 + 4 + 1  # input → lstm, lstm → lstm_1, last step → y
    # h and c drawn apart, dashed across the fold: 2 layers × 2 folded gaps × (h, c)
    assert svg.count('class="state fold"') == 2 * 2 and svg.count('class="state cstate fold"') == 4
    assert (
        ">h 32<" in svg and ">c 32<" in svg and ">recurrent_kernel<" in svg and ">32 × 128<" in svg
    )
    assert ">kernel 64 × 128<" in svg and ">kernel 2 × 256<" in svg


def test_many_to_many_sends_every_step_up() -> None:
    svg = parse_python(SEED_SEQ2SEQ).model.diagram()
    assert cells(svg, "lstm_1") == ["1", "2", "3", "4", "5"]
    assert svg.count('class="up"') == 5 * 3


def test_bidirectional_has_backward_rows_and_merges() -> None:
    svg = bigru_stack().diagram(max_steps=4)
    assert len(cells(svg, "bidirectional")) == 3 * 4  # forward, backward, merge rows
    assert svg.count('class="state back') == 2 * 4  # reversed arrows in both backward rows
    assert ">concat<" in svg


def test_columns_fold_long_sequences() -> None:
    assert columns(7, max_steps=6) == ["1", "2", "3", "…", "7"]
    assert columns(6) == ["1", "2", "3", "4", "5", "6"]


def test_cli_diagram_writes_atomically(tmp_path: Path) -> None:
    target = tmp_path / "story.svg"
    assert (
        main(
            [
                "diagram",
                "LSTM(64, return_sequences=True, input_shape=(10, 2)) -> LSTM(32)",
                "-o",
                str(target),
            ]
        )
        == 0
    )
    assert target.read_text().startswith("<svg") and list(tmp_path.iterdir()) == [target]


@pytest.mark.browser
def test_diagram_renders_in_chromium(tmp_path: Path) -> None:
    require_browser()
    svg_path = tmp_path / "seq2seq.svg"
    svg = encoder_decoder().diagram(svg_path)
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # nothing fetched
    width, height = (int(v) for v in re.search(r'width="(\d+)" height="(\d+)"', svg).groups())  # type: ignore[union-attr]
    pixels = read_png(screenshot(svg_path, tmp_path / "shot.png", width, height))[..., :3]
    assert pixels.shape[:2] == (height, width)
    assert pixels.std() > 20  # not blank
    # The recurrent cells' blue fill is really painted.
    blue = (abs(pixels[..., 0].astype(int) - 0xDB) < 4) & (
        abs(pixels[..., 2].astype(int) - 0xFE) < 4
    )
    assert blue.sum() > 8 * 60 * 30


@pytest.mark.parametrize("name", ["question", "bigru", "deep_bilstm"])
def test_svg_snapshots(name: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    snapshot(f"diagram_{name}.svg", MODELS[name]().diagram())


def test_weight_shapes_on_the_arrows_equal_keras() -> None:
    keras = pytest.importorskip("keras")
    keras.backend.clear_session(free_memory=False)
    k_model = keras.Sequential(
        [keras.Input((10, 2)), keras.layers.LSTM(64, return_sequences=True), keras.layers.LSTM(32)]
    )
    svg = parse_python(SEED_QUESTION).model.diagram()
    for layer in k_model.layers:
        kernel, recurrent = (tuple(w.shape) for w in layer.weights[:2])
        assert f">kernel {kernel[0]} × {kernel[1]}<" in svg
        assert f">{recurrent[0]} × {recurrent[1]}<" in svg


def test_all_steps_draws_one_column_per_step() -> None:
    svg = parse_python(SEED_QUESTION).model.diagram(all_steps=True)
    assert cells(svg, "lstm") == [str(t) for t in range(1, 11)]
    assert 'fold"' not in svg


@pytest.mark.browser
@pytest.mark.parametrize("name", ["question", "bigru", "deep_bilstm", "encoder_decoder"])
def test_no_label_overflows_its_box_in_chromium(name: str, tmp_path: Path) -> None:
    from .support.page import chromium_page

    require_browser()
    path = tmp_path / f"{name}.svg"
    MODELS[name]().diagram(path)
    with chromium_page() as (page, _errors):
        page.goto(path.as_uri())
        overflows = page.evaluate(
            """() => [...document.querySelectorAll('text[data-fit]')].map((t) => {
                const box = document.getElementById(t.dataset.fit).getBBox();
                const r = t.getBBox();
                return [t.textContent, r.x >= box.x - 0.5 && r.x + r.width <= box.x + box.width + 0.5];
            }).filter(([, fits]) => !fits).map(([text]) => text)"""
        )
        measured = page.evaluate("document.querySelectorAll('text[data-fit]').length")
    assert measured > 20
    assert overflows == []


SHIPPED = sorted((Path(__file__).parents[1] / "docs" / "diagrams").glob("*.svg"))


@pytest.mark.browser
@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_diagrams_have_no_cut_label(path: Path) -> None:
    from .support.page import chromium_page

    require_browser()
    assert "…<" not in re.sub(r'class="dots"[^>]*>…<', "", path.read_text())  # nothing shortened
    with chromium_page() as (page, _errors):
        page.goto(path.as_uri())
        overflows = page.evaluate(
            """() => [...document.querySelectorAll('text[data-fit]')].filter((t) => {
                const box = document.getElementById(t.dataset.fit).getBBox(), r = t.getBBox();
                return r.x < box.x - 0.5 || r.x + r.width > box.x + box.width + 0.5;
            }).map((t) => t.textContent)"""
        )
    assert overflows == []
