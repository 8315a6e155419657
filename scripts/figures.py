"""Regenerate every figure under docs/ (``make figures``): diagrams and report screenshots.

The models are the ones the tests snapshot (tests/test_explain.py, tests/test_report.py) so a
figure and the test that checks its content never drift apart. Pictures come from Debian's
headless Chromium: SVGs via ``--screenshot``, the report via playwright (scrolled sections).
Run from the repository root with the project's venv: ``.venv/bin/python scripts/figures.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tests package holds the shared models and browser helpers

from tests.support.browser import screenshot  # noqa: E402
from tests.support.page import chromium_page  # noqa: E402
from tests.test_explain import bigru_stack, deep_bidirectional, encoder_decoder  # noqa: E402
from tests.test_parse import SEED_QUESTION, SEED_SEQ2SEQ  # noqa: E402
from tests.test_report import report_model  # noqa: E402

import rnnlens as rl  # noqa: E402
from rnnlens.parse import parse_python  # noqa: E402

DIAGRAMS = ROOT / "docs" / "diagrams"
REPORT = ROOT / "docs" / "report"


def diagrams() -> None:
    builders = {
        "user_story": lambda: parse_python(SEED_QUESTION).model,
        "user_story_seq2seq": lambda: parse_python(SEED_SEQ2SEQ).model,
        "bidirectional_gru": bigru_stack,
        "encoder_decoder": encoder_decoder,
        "deep_bidirectional": deep_bidirectional,
    }
    for name, build in builders.items():
        rl.clear_session()  # layer names as in a fresh session: lstm, lstm_1, not lstm_4
        model = build()
        svg = DIAGRAMS / f"{name}.svg"
        model.diagram(svg)
        width, height = re.search(r'width="(\d+)" height="(\d+)"', svg.read_text()).groups()
        screenshot(svg, DIAGRAMS / f"{name}.png", int(width), int(height))
        print(f"wrote {svg.relative_to(ROOT)} and its PNG")


def one_column_per_step() -> None:
    """The answer's 5-step model drawn with every step (``all_steps=True``)."""
    rl.clear_session()
    svg = DIAGRAMS / "user_story_all_steps.svg"
    parse_python(SEED_QUESTION).model.diagram(svg, all_steps=True)
    width, height = re.search(r'width="(\d+)" height="(\d+)"', svg.read_text()).groups()
    screenshot(svg, DIAGRAMS / "user_story_all_steps.png", int(width), int(height))
    print(f"wrote {svg.relative_to(ROOT)} and its PNG")


def report_sections() -> None:
    """The step-through report of tests/test_report.py, whole and by section."""
    rl.clear_session()
    with tempfile.TemporaryDirectory() as folder:
        path = report_model(Path(folder))
        with chromium_page() as (page, _errors):
            page.goto(path.as_uri())
            page.wait_for_selector("body[data-ready=true]")
            page.screenshot(path=str(REPORT / "report-full.png"), full_page=True)
            page.locator("#steps").screenshot(path=str(REPORT / "report-step-through.png"))
            page.locator("#heatmaps").screenshot(path=str(REPORT / "report-heatmaps.png"))
    print("wrote docs/report/report-{full,step-through,heatmaps}.png")


def demo_report() -> None:
    """Run the full demo, then picture the top of its report and its predictions."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.html"
        command = [sys.executable, "-m", "rnnlens.cli", "demo", "--out", str(out)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        with chromium_page() as (page, _errors):
            page.goto(out.as_uri())
            page.wait_for_selector("body[data-ready=true]")
            page.screenshot(path=str(REPORT / "demo-report-top.png"))
            page.locator("#predictions").screenshot(path=str(REPORT / "demo-predictions.png"))
    print("wrote docs/report/demo-{report-top,predictions}.png")


if __name__ == "__main__":
    rl.set_seed(0)
    DIAGRAMS.mkdir(parents=True, exist_ok=True)
    REPORT.mkdir(parents=True, exist_ok=True)
    diagrams()
    one_column_per_step()
    if "--diagrams-only" not in sys.argv:
        report_sections()
        demo_report()
