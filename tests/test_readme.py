"""The README's code and printed output are what rnnlens really does today."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import rnnlens as rl
from rnnlens.layers import LSTM
from rnnlens.parse import parse_spec

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced(language: str) -> list[str]:
    """The README's code blocks opened with ```<language> (pairs of fences, in order)."""
    blocks, current, opened_as = [], [], None
    for line in README.splitlines():
        if line.startswith("```"):
            if opened_as is None:
                opened_as, current = line[3:].strip(), []
            else:
                if opened_as == language:
                    blocks.append("\n".join(current) + "\n")
                opened_as = None
        elif opened_as is not None:
            current.append(line)
    return blocks


def test_readme_summary_is_the_summary() -> None:
    model = rl.Sequential()
    model.add(LSTM(64, return_sequences=True, input_shape=(10, 2)))
    model.add(LSTM(32))
    printed: list[str] = []
    model.summary(print_fn=printed.append)
    table = "\n".join(printed).strip()
    assert table in README


def test_readme_explain_excerpt_lines_are_in_the_real_output() -> None:
    block = next(b for b in fenced("") if b.startswith("$ rnnlens explain"))
    spec = block.splitlines()[0].split("rnnlens explain ", 1)[1].strip('"')
    real = str(parse_spec(spec).explain())
    shown = [line.split(" ...")[0] for line in block.splitlines()[1:] if line.strip() != "..."]
    for line in shown:
        assert line.rstrip() in real, line


def test_examples_train_script_runs_as_shown(tmp_path: Path) -> None:
    script = ROOT / "examples" / "train_sunspots.py"
    code = script.read_text(encoding="utf-8")
    # the README shows the same lines (up to the fit call)
    readme_code = next(b for b in fenced("python") if "rl.data.load" in b)
    for line in readme_code.splitlines():
        if line.strip():
            assert line.split("#")[0].rstrip() in code, line
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Epoch ") == 3 and "val_mae" in done.stdout
    assert done.stdout.strip().endswith("(2, 1)")
