"""``rnnlens demo --quick``: the main job end to end on the shipped data, in a few seconds."""

from __future__ import annotations

from pathlib import Path

import pytest

from rnnlens.cli import main


def test_quick_demo_runs_every_step_and_writes_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    assert main(["demo", "--quick", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for step in range(1, 6):
        assert f"[{step}/5]" in printed
    assert "persistence   RMSE" in printed and "test accuracy" in printed
    assert f"wrote {out}" in printed
    html = out.read_text()
    assert "sunspots_lstm" in html and "Predictions against truth" in html
