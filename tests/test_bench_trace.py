"""``rnnlens bench --trace``: the trace-against-predict subset runs and reports what it measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rnnlens.cli import main


def test_trace_bench_runs_at_toy_size(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--trace", "--tiny", "--workloads", "W4,L1000", "--no-memory"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "Command: `rnnlens bench --tiny --trace --no-memory --workloads W4,L1000`"
    )
    rows = [
        line for line in out.splitlines() if line.startswith("| W4") or line.startswith("| L1000")
    ]
    assert len(rows) == 2
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        # every LSTM recorded from oneDNN's own gates (float32 on CPU)
        assert cells[7] == "fused (workspace)"
        assert float(cells[8]) < 1e-4  # the h check
        assert cells[3].endswith("×") and float(cells[3][:-1]) > 0
        assert cells[6].endswith("×") and float(cells[6][:-1]) > 0


def test_trace_bench_writes_every_round_as_json(tmp_path: Path) -> None:
    path = tmp_path / "trace.json"
    args = ["bench", "--trace", "--tiny", "--workloads", "W2", "--no-memory", "--repeats", "3"]
    assert main([*args, "--json", str(path)]) == 0
    (row,) = json.loads(path.read_text())
    assert row["key"] == "W2" and sorted(row["samples_s"]) == ["predict", "trace"]
    assert all(len(v) == 3 and min(v) > 0 for v in row["samples_s"].values())
    ordered = sorted(row["samples_s"]["trace"])
    assert row["trace_s"] == pytest.approx(ordered[1])  # the median of the three rounds


def test_trace_bench_refuses_unknown_workloads() -> None:
    assert main(["bench", "--trace", "--tiny", "--workloads", "W9"]) == 2
