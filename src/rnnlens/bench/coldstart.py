"""Cold start: ``rnnlens explain`` on the user story in a fresh process, beside ``import keras``.

Explaining a model must not import torch, so it should answer in a fraction of the time a
deep-learning framework takes merely to import. Each figure is the median wall time of
``runs`` fresh interpreters (the operating system's file cache is warm after the first).
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

USER_STORY_SPEC = "LSTM(64, return_sequences=True, input_shape=(10, 2)) -> LSTM(32)"

# Used while `rnnlens explain` does not exist yet: the same model built and summarised.
_SUMMARY_SNIPPET = (
    "import rnnlens; from rnnlens.layers import LSTM; m = rnnlens.Sequential(); "
    "m.add(LSTM(64, return_sequences=True, input_shape=(10, 2))); m.add(LSTM(32)); "
    "m.summary(print_fn=lambda s: None)"
)


@dataclass
class ColdStart:
    label: str
    command: str
    seconds: list[float]
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


def rnnlens_command() -> tuple[str, list[str]]:
    """The explain command when it is installed, else the build-and-summary snippet."""
    if importlib.util.find_spec("rnnlens.cli.explain") is None:
        return "python -c 'import rnnlens; ...summary()'", [sys.executable, "-c", _SUMMARY_SNIPPET]
    script = Path(sys.executable).with_name("rnnlens")
    prefix = [str(script)] if script.exists() else [sys.executable, "-m", "rnnlens.cli"]
    return f'rnnlens explain "{USER_STORY_SPEC}"', [*prefix, "explain", USER_STORY_SPEC]


def time_command(label: str, argv: list[str], runs: int, shown: str) -> ColdStart:
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return ColdStart(label, shown, [], f"exit {done.returncode}: {tail}")
        seconds.append(elapsed)
    return ColdStart(label, shown, seconds)


def measure_cold_starts(runs: int, include_frameworks: bool = True) -> list[ColdStart]:
    """rnnlens's answer, then (optionally) the bare imports of Keras and torch for scale."""
    shown, argv = rnnlens_command()
    results = [time_command("rnnlens", argv, runs, shown)]
    if include_frameworks:
        for name in ("keras", "torch"):
            command = [sys.executable, "-c", f"import {name}"]
            results.append(time_command(name, command, runs, f'python -c "import {name}"'))
    return results
