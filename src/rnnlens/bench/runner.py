"""The whole benchmark run: machine, then per workload the interleaved timings and memory."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from .coldstart import ColdStart, measure_cold_starts
from .engines import ENGINE_NAMES, REFERENCE, build_engines
from .machine import Machine, describe_machine, load_average
from .memory import probe_in_subprocess
from .timing import Samples, interleaved, time_once
from .workloads import WORKLOADS, Workload


@dataclass(frozen=True)
class Options:
    """What to run. ``repeats`` is the most timed rounds per workload; fewer are run when a
    round is slow, so that one workload takes about ``seconds_per_workload`` (never fewer
    than ``min_repeats`` rounds)."""

    workloads: tuple[str, ...] = tuple(WORKLOADS)
    engines: tuple[str, ...] = ENGINE_NAMES
    tiny: bool = False
    # Fast workloads (W1: ~25 ms a round) get many rounds; the rest stop at seconds_per_workload.
    repeats: int = 300
    min_repeats: int = 5
    warmup: int = 2
    seconds_per_workload: float = 40.0
    memory: bool = True
    memory_steps: int = 2
    memory_probes: int = 3  # fresh processes per engine and workload; the median is shown
    coldstart_runs: int = 5
    coldstart_frameworks: bool = True
    gemm_size: int = 1024
    threads: int | None = None  # torch's intra-op threads; None keeps torch's default


@dataclass
class Row:
    """One engine on one workload."""

    workload: Workload
    engine: str
    train_method: str
    infer: Samples
    train: Samples
    memory: dict[str, Any] = field(default_factory=dict)

    def memory_mib(self, phase: str) -> float:
        value = self.memory.get(f"{phase}_mib")
        return float(value) if value is not None else math.nan


@dataclass
class Results:
    options: Options
    machine: Machine
    rows: list[Row]
    skipped: dict[str, str]
    cold_starts: list[ColdStart]
    seconds: float

    def reference(self, row: Row) -> Row | None:
        """The raw-torch row of the same workload."""
        for other in self.rows:
            if other.workload.key == row.workload.key and other.engine == REFERENCE:
                return other
        return None


def _rounds(options: Options, seconds_per_round: float) -> int:
    if seconds_per_round <= 0:
        return options.repeats
    fit = int(options.seconds_per_workload / seconds_per_round)
    return max(options.min_repeats, min(options.repeats, fit))


def bench_workload(workload: Workload, options: Options, skipped: dict[str, str]) -> list[Row]:
    """Time every available engine on ``workload``, interleaved, then probe its memory."""
    runs, missing = build_engines(workload, options.engines)
    skipped.update(missing)
    calls: dict[str, Callable[[], object]] = {}
    for run in runs:
        calls[f"{run.name}/infer"] = run.infer
        calls[f"{run.name}/train"] = run.train_step
    # The warm-up doubles as the estimate of one round's cost.
    for _ in range(max(0, options.warmup - 1)):
        for call in calls.values():
            call()
    round_seconds = sum(time_once(call) for call in calls.values())
    samples = interleaved(calls, _rounds(options, round_seconds), warmup=0)
    rows = [
        Row(
            workload,
            run.name,
            run.train_method,
            samples[f"{run.name}/infer"],
            samples[f"{run.name}/train"],
        )
        for run in runs
    ]
    if options.memory:
        # One probe reads the resident set of one process, which moves by 10-20 % from one
        # process to the next (allocator arenas, page granularity): take the median of
        # several, engines interleaved as in the timings.
        probes: dict[str, list[dict[str, Any]]] = {row.engine: [] for row in rows}
        for _ in range(max(1, options.memory_probes)):
            for row in rows:
                probes[row.engine].append(
                    probe_in_subprocess(
                        workload.key,
                        row.engine,
                        tiny=options.tiny,
                        steps=options.memory_steps,
                        threads=options.threads,
                    )
                )
        for row in rows:
            row.memory = median_probe(probes[row.engine])
    return rows


def median_probe(probes: list[dict[str, Any]]) -> dict[str, Any]:
    """One memory figure from several probes: the median per phase, every probe kept.

    >>> median_probe([{"infer_mib": 3.0, "train_mib": 9.0, "method": "m"},
    ...               {"infer_mib": 1.0, "train_mib": 8.0, "method": "m"},
    ...               {"infer_mib": 2.0, "train_mib": 30.0, "method": "m"}])["infer_mib"]
    2.0
    >>> median_probe([{"skipped": "memory probe failed: x"}])
    {'skipped': 'memory probe failed: x'}
    """
    measured = [p for p in probes if "skipped" not in p]
    if not measured:
        return probes[0]
    return {
        "infer_mib": statistics.median(p["infer_mib"] for p in measured),
        "train_mib": statistics.median(p["train_mib"] for p in measured),
        "method": measured[0]["method"],
        "probes": measured,
    }


def run_benchmark(options: Options, progress: Callable[[str], None] | None = None) -> Results:
    """Run everything ``options`` asks for; ``progress`` receives one line per stage."""
    previous_threads = torch.get_num_threads()
    if options.threads is not None:
        torch.set_num_threads(options.threads)
    try:
        return _run(options, progress or (lambda _line: None))
    finally:
        torch.set_num_threads(previous_threads)


def _run(options: Options, say: Callable[[str], None]) -> Results:
    started = time.perf_counter()
    say("measuring the machine (float32 GEMM peak)")
    machine = describe_machine(options.gemm_size)
    rows: list[Row] = []
    skipped: dict[str, str] = {}
    for key in options.workloads:
        workload = WORKLOADS[key].tiny() if options.tiny else WORKLOADS[key]
        say(f"{key}: {workload.describe()}")
        rows.extend(bench_workload(workload, options, skipped))
    cold_starts: list[ColdStart] = []
    if options.coldstart_runs > 0:
        say("cold start: rnnlens explain vs import keras")
        cold_starts = measure_cold_starts(options.coldstart_runs, options.coldstart_frameworks)
    machine.load_after = load_average()
    return Results(options, machine, rows, skipped, cold_starts, time.perf_counter() - started)
