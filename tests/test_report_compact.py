"""Reports that stay small: 8-bit arrays, pooling of long sequences, labelled time axes,
interventions and attributions in the page, and the large case opened in Chromium."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import torch

import rnnlens as rl
from rnnlens.layers import GRU, LSTM, Dense
from rnnlens.report import build_content
from rnnlens.report.arrays import pooled
from tests.support.page import chromium_page

MB = 1_000_000


@pytest.fixture
def small() -> rl.Sequential:
    torch.manual_seed(0)
    return rl.Sequential([LSTM(8, return_sequences=True, input_shape=(20, 3)), GRU(5), Dense(2)])


def test_stored_values_are_within_the_stated_quantisation_error(small: rl.Sequential) -> None:
    x = np.random.default_rng(0).normal(size=(3, 20, 3))
    content = build_content(small, x, samples=2)
    traced = rl.trace(small, x[:2])
    for s, sample in enumerate(content.samples):
        assert sample["stride"] == 1
        for entry, layer in zip(sample["layers"], traced.layers):
            for direction, recorded in zip(entry["directions"], layer.directions):
                for name, ref in direction["arrays"].items():
                    truth = recorded[name][s]
                    error = (truth.max() - truth.min()) / 510 + 1e-12
                    np.testing.assert_allclose(content.array(ref), truth, rtol=0, atol=error)
            output = layer.output[s]
            np.testing.assert_allclose(
                content.array(entry["output"]), output, atol=(np.ptp(output) / 510) + 1e-12
            )


def test_long_sequences_are_pooled_to_fit_the_budget(small: rl.Sequential) -> None:
    x = np.random.default_rng(1).normal(size=(4, 20, 3))
    content = build_content(small, x, samples=4, max_bytes=6_000, attribution=None)
    strides = [sample["stride"] for sample in content.samples]
    assert strides[0] < strides[1] and strides[1:] == [strides[1]] * 3
    assert content.arrays.raw_bytes <= 6_000 * 3 // 4
    traced = rl.trace(small, x)
    sample = content.samples[2]
    f = content.array(sample["layers"][0]["directions"][0]["arrays"]["f"])
    expected = pooled(traced["lstm"]["f"][2], strides[2])  # mean of every `stride` steps
    assert f.shape == (int(np.ceil(20 / strides[2])), 8)
    np.testing.assert_allclose(f, expected, atol=np.ptp(expected) / 510 + 1e-12)
    np.testing.assert_allclose(expected[0], traced["lstm"]["f"][2][: strides[2]].mean(axis=0))


def test_a_small_model_gives_a_small_page(small: rl.Sequential, tmp_path: Path) -> None:
    x = np.random.default_rng(2).normal(size=(4, 20, 3))
    path = small.report(x, tmp_path / "r.html")
    assert path.stat().st_size < 120_000  # page, script and style are most of it


def test_labels_names_effects_and_attributions_are_in_the_content(small: rl.Sequential) -> None:
    x = np.random.default_rng(3).normal(size=(5, 20, 3))
    years = np.arange(1900, 1920)
    names = [f"run {k}" for k in range(5)]
    content = build_content(
        small,
        x,
        samples=[4, 1],
        sample_names=names,
        time_labels=years,
        time_name="year",
        patch_step=6,
        attribution="integrated_gradients",
    )
    first = content.samples[0]
    assert [s["name"] for s in content.samples] == ["run 4", "run 1"]
    assert first["time_labels"][0] == "1900" and first["time_name"] == "year"
    effect = content.effect
    assert effect["layer"] == "lstm" and effect["step_label"] == "1906"
    after = rl.patch(small, x[[4, 1]], layer="lstm", step=6, value=0.0)
    np.testing.assert_allclose([r["after"] for r in effect["rows"]], after, atol=1e-4)
    np.testing.assert_allclose(
        [r["before"] for r in effect["rows"]], small.predict(x[[4, 1]]), atol=1e-4
    )
    attribution = rl.attribute(small, x[[4, 1]], steps=32)
    stored = content.array(first["attribution"])
    np.testing.assert_allclose(stored, attribution.values[0], atol=np.ptp(stored) / 510 + 1e-9)
    assert any("completeness gap" in note for note in content.notes)
    with pytest.raises(rl.InputDataError, match="time_labels must hold 20 labels"):
        build_content(small, x, time_labels=years[:5])
    with pytest.raises(rl.InputDataError, match="sample_names has 2 names"):
        build_content(small, x, sample_names=["a", "b"])


def large_case(folder: Path) -> Path:
    """Issue 20's large case: 1,000 steps, 256 units, 4 samples traced."""
    torch.manual_seed(0)
    model = rl.Sequential(
        [LSTM(256, return_sequences=True, input_shape=(1000, 8)), LSTM(256), Dense(1)]
    )
    x = np.random.default_rng(4).normal(size=(4, 1000, 8)).astype(np.float32)
    names = [f"sequence {k}" for k in range(4)]
    return model.report(x, folder / "large.html", sample_names=names, time_name="frame")


@pytest.mark.browser
def test_the_large_report_is_small_and_opens_in_under_two_seconds(tmp_path: Path) -> None:
    path = large_case(tmp_path)
    size = path.stat().st_size
    assert size <= 10 * MB, f"{size / MB:.1f} MB"
    with chromium_page() as (page, errors):
        # From navigation to every map drawn; the best of 3 opens, since the machine is shared.
        seconds = []
        for _ in range(3):
            page.goto("about:blank")
            start = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("body[data-ready=true]", timeout=20_000)
            seconds.append(time.perf_counter() - start)
        assert min(seconds) < 2.0, f"opened in {min(seconds):.2f} s at best"
        assert page.inner_text("#step-label") == "step 1 of 1000"  # sample 0 at full resolution
        options = page.locator("#sample option").all_inner_texts()
        assert options == [f"sequence {k}" for k in range(4)]
        assert page.locator("#maps canvas").count() == 12
        assert page.locator("#attribution canvas").count() == 1
        assert "fused kernel, h checked" in page.inner_text("#flow")
        # drag across the first map: the view zooms into those steps
        first_map = page.locator("#maps canvas").first
        first_map.scroll_into_view_if_needed()
        box = first_map.bounding_box()
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + 60, y)
        page.mouse.down()
        page.mouse.move(box["x"] + 200, y)
        page.mouse.up()
        assert "showing frame" in page.inner_text("#zoom-label")
        page.dblclick("#maps canvas >> nth=0")
        assert page.inner_text("#zoom-label") == ""
        page.select_option("#sample", "2")  # a pooled sample: columns of several steps
        assert "of 1000 (their mean)" in page.inner_text("#step-label")
        assert errors == []


@pytest.mark.browser
def test_the_report_command_labels_years_and_names_windows(tmp_path: Path) -> None:
    from rnnlens.cli import main

    torch.manual_seed(1)
    model = rl.Sequential([LSTM(6, return_sequences=True, input_shape=(12, 1)), LSTM(3), Dense(1)])
    model.save(tmp_path / "m.rnnlens")
    out = tmp_path / "r.html"
    assert main(["report", str(tmp_path / "m.rnnlens"), "--samples", "2", "--out", str(out)]) == 0
    series = rl.data.load("sunspots")
    last = int(series.time[-1])
    with chromium_page() as (page, errors):
        page.goto(out.as_uri())
        page.wait_for_selector("body[data-ready=true]")
        options = page.locator("#sample option").all_inner_texts()
        # the last window ends the year before the last year (that year is its target)
        assert options[-1] == f"window {last - 12}\u2013{last - 1}"
        assert page.inner_text("#step-label") == f"year {last - 13} (step 1 of 12)"
        assert "h of layer 'lstm' is set to zero" in page.inner_text("#effects")
        assert errors == []


def test_the_effect_of_zeroing_a_state_on_a_sequence_output_is_a_series() -> None:
    torch.manual_seed(2)
    model = rl.Sequential([GRU(4, return_sequences=True, input_shape=(9, 2)), Dense(3)])
    x = np.random.default_rng(5).normal(size=(2, 9, 2))
    content = build_content(model, x, samples=2, patch_step=4, attribution=None)
    series = content.effect["series"]
    changed = rl.patch(model, x, layer=0, step=4, value=0.0)
    expected = np.abs(changed - model.predict(x)).mean(axis=-1)
    np.testing.assert_allclose([series["sample 0"], series["sample 1"]], expected, atol=1e-6)
    assert max(series["sample 0"][:4]) == 0.0 and series["sample 0"][4] > 0  # only from step 4 on
    assert all("attribution" not in sample for sample in content.samples)
