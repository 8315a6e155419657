"""Report size, build time and time to open in headless Chromium, for three model sizes.

Run from the repository root: ``PYTHONPATH=src:. python bench/report_size.py``. Prints one
Markdown row per model (4 samples each, ``model.report`` defaults); the page counts as open
when every map is drawn (``body[data-ready=true]``), best and median of 3 opens.
"""

from __future__ import annotations

import importlib
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

import rnnlens as rl
from rnnlens.layers import LSTM, Dense

CASES = {
    "user story: LSTM(64, rs) → LSTM(32) → Dense(1), 10 steps": ((10, 2), 64, 32),
    "200 steps × 128 units: LSTM(128, rs) → LSTM(128) → Dense(1)": ((200, 8), 128, 128),
    "1,000 steps × 256 units: LSTM(256, rs) → LSTM(256) → Dense(1)": ((1000, 8), 256, 256),
}


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    built = []
    for name, (shape, first, second) in CASES.items():
        torch.manual_seed(0)
        model = rl.Sequential(
            [LSTM(first, return_sequences=True, input_shape=shape), LSTM(second), Dense(1)]
        )
        x = np.random.default_rng(0).normal(size=(4, *shape)).astype(np.float32)
        start = time.perf_counter()
        path = model.report(x, folder / f"report_{shape[0]}.html")
        built.append((name, path, time.perf_counter() - start))
    # The tests' Chromium helper (headless, offline); imported by name, it lives under tests/.
    chromium_page = importlib.import_module("tests.support.page").chromium_page
    with chromium_page() as (page, _errors):
        for name, path, seconds in built:
            opens = []
            for _ in range(3):
                page.goto("about:blank")
                start = time.perf_counter()
                page.goto(path.as_uri())
                page.wait_for_selector("body[data-ready=true]", timeout=60_000)
                opens.append(time.perf_counter() - start)
            opens.sort()
            size = path.stat().st_size / 1e6
            print(
                f"| {name} | {size:.2f} MB | {seconds:.1f} s | {opens[0]:.2f} s (median {opens[1]:.2f} s) |"
            )


if __name__ == "__main__":
    main()
