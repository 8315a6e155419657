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
    # training shows one progress line per tenth of a run, not Keras's two lines per epoch
    progress = [line for line in printed.splitlines() if line.startswith("  epoch ")]
    assert [line.split()[1] for line in progress] == ["1/2", "2/2", "1/1"]
    assert "━" in progress[-1]


def test_run_progress_prints_a_tenth_of_the_epochs_in_a_log(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import numpy as np

    import rnnlens as rl
    from rnnlens.cli.demo import run_progress
    from rnnlens.layers import GRU, Dense

    rl.set_seed(0)
    model = rl.Sequential([GRU(2, input_shape=(3, 1)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((4, 3, 1), dtype="float32")
    model.fit(x, np.zeros((4, 1)), epochs=30, verbose=0, callbacks=[run_progress()])
    lines = capsys.readouterr().out.splitlines()
    epochs = [line.split()[1] for line in lines if line.startswith("  epoch ")]
    assert epochs == ["1/30", "3/30", *[f"{n}/30" for n in range(6, 31, 3)]]
    assert lines[-1].startswith("  done, ")
