"""The benchmark harness at toy size: it runs, compares like with like, and measures honestly.

The numbers of a tiny run mean nothing; these tests hold the harness's logic: every engine
computes the same function, the report holds every engine and ratio, the memory probe sees an
allocation, and the spec side (import, build, summary) stays free of torch.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from rnnlens.bench.engines import build_engines
from rnnlens.bench.memory import main as memory_main
from rnnlens.bench.memory import measure
from rnnlens.bench.report import MARKER, compose_document
from rnnlens.bench.timing import interleaved
from rnnlens.bench.workloads import WORKLOADS
from rnnlens.cli import main


def test_spec_side_never_imports_torch() -> None:
    code = (
        "import sys, rnnlens\n"
        "from rnnlens.layers import LSTM\n"
        "from rnnlens.cli import build_parser\n"
        "m = rnnlens.Sequential()\n"
        "m.add(LSTM(64, return_sequences=True, input_shape=(10, 2)))\n"
        "m.add(LSTM(32))\n"
        "m.summary(print_fn=lambda text: None)\n"
        "build_parser()\n"  # the CLI imports every subcommand module, bench included
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('torch', 'keras')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_flop_count_of_the_bidirectional_workload() -> None:
    # Bidirectional(LSTM(128)) over 16 features: 2 directions x 4 gates x 128 x (16 + 128);
    # LSTM(64) over the 256 concatenated features; Dense(1) over 64.
    per_step = 2 * 4 * 128 * (16 + 128) + 4 * 64 * (256 + 64)
    expected = 2 * 32 * 100 * per_step + 2 * 32 * 64
    assert WORKLOADS["W4"].forward_flops() == expected
    assert WORKLOADS["W4"].train_flops() == 3 * expected


@pytest.mark.parametrize("key", list(WORKLOADS))
def test_every_engine_computes_the_same_function(key: str) -> None:
    runs, skipped = build_engines(WORKLOADS[key].tiny(), ("rnnlens", "torch", "keras"))
    assert [run.name for run in runs] == ["rnnlens", "torch", "keras"], skipped
    outputs = [run.infer() for run in runs]
    assert all(np.shape(run.prime()) == (1, 1) for run in runs)  # one sample, not the batch
    for output in outputs[1:]:
        np.testing.assert_allclose(output, outputs[0], rtol=1e-5, atol=1e-6)
    # Same weights and data: the first step's loss (computed before the update) agrees too.
    losses = [run.train_step() for run in runs]
    np.testing.assert_allclose(losses, losses[0], rtol=1e-5)


def test_memory_measure_sees_an_allocation() -> None:
    def allocate() -> None:
        block = np.ones(64 * 2**20 // 8)  # 64 MiB, touched so it is resident
        assert block.sum() > 0

    grown, method = measure(allocate, 1)
    assert method in ("VmHWM reset", "getrusage maxrss")
    assert 60 <= grown < 200


def test_memory_probe_prints_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    # What the fresh process of probe_in_subprocess runs (in-process here: a fresh
    # interpreter would spend seconds importing torch again).
    assert memory_main(["W5", "torch", "--tiny", "--steps", "1", "--threads", "1"]) == 0
    probe = json.loads(capsys.readouterr().out)
    assert probe["method"] in ("VmHWM reset", "getrusage maxrss"), probe
    assert probe["infer_mib"] >= 0 and probe["train_mib"] >= 0


def test_tiny_bench_writes_markdown_and_json(tmp_path: Path) -> None:
    output, raw = tmp_path / "benchmarks.md", tmp_path / "raw.json"
    output.write_text(f"# My intro\n\nHand-written.\n\n{MARKER}\nold table\n", encoding="utf-8")
    argv = ["bench", "--tiny", "--workloads", "W1,W5", "--engines", "rnnlens,keras", "--no-memory"]
    argv += ["--output", str(output), "--json", str(raw)]
    assert main(argv) == 0
    text = output.read_text(encoding="utf-8")
    assert text.startswith("# My intro\n\nHand-written.\n") and "old table" not in text
    for heading in ("### W1 user story", "### W5 GRU", "## Machine", "## rnnlens against"):
        assert heading in text
    assert text.count("| torch | ") == 2 and text.count("| keras | ") == 2
    assert text.count("| 1.00× |") >= 2  # torch against itself, at least the two time columns
    data = json.loads(raw.read_text(encoding="utf-8"))
    assert {(row["workload"], row["engine"]) for row in data["rows"]} == {
        (w, e) for w in ("W1", "W5") for e in ("rnnlens", "torch", "keras")
    }
    assert all(len(row["train_seconds"]) == 3 for row in data["rows"])
    assert data["cold_starts"][0]["error"] is None


def test_unknown_workload_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--tiny", "--workloads", "W9"]) == 2
    assert "W9" in capsys.readouterr().err


def test_compose_document_supplies_an_intro() -> None:
    assert compose_document(None, f"{MARKER}\nbody\n").startswith("# Benchmarks\n")


def test_distributed_throughput_script_runs_one_configuration() -> None:
    """``bench/ddp_bench.py``, which produces the distributed table in docs/benchmarks.md,
    trains and reports a positive rate (its torchrun rows use the launch that
    tests/test_distributed_launch.py checks)."""
    script = Path(__file__).resolve().parents[1] / "bench" / "ddp_bench.py"
    done = subprocess.run(
        [sys.executable, str(script), "--one", "W1", "--tiny"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rate = float(done.stdout.strip().rsplit("samples/s=", 1)[1])
    assert rate > 0


def test_backward_ratio_script_prints_a_row_per_size() -> None:
    """``bench/backward_ratio.py`` (the stretch goal's measurement in docs/benchmarks.md)
    runs and reports positive times and ratios."""
    script = Path(__file__).resolve().parents[1] / "bench" / "backward_ratio.py"
    done = subprocess.run(
        [sys.executable, str(script), "--tiny"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    row = done.stdout.strip().splitlines()[-1]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[0].startswith("tiny")
    assert all(float(c.rstrip("×")) > 0 for c in cells[1:])


def test_interleaved_order_gives_no_call_a_fixed_neighbour() -> None:
    """A call right after a heavy one runs on cold caches. Rotating one fixed order made
    rnnlens's inference follow Keras's training step in every round (W1 read 1.17x instead
    of about 1.0x); in a shuffled order every call follows every other one often."""
    log: list[str] = []
    calls = {name: (lambda name=name: log.append(name)) for name in "abcd"}
    samples = interleaved(calls, repeats=200, warmup=0)
    assert [len(s.seconds) for s in samples.values()] == [200] * 4
    neighbours = Counter(itertools.pairwise(log))
    for name in "abcd":
        before = [neighbours[(other, name)] for other in "abcd" if other != name]
        assert min(before) > 0.15 * sum(before), (name, before)
