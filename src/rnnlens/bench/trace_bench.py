"""``rnnlens bench --trace``: ``rl.trace`` against a fused ``predict`` of the same batch.

Workloads W2-W4 of the main benchmark and L1000, a 1,000-step, 256-unit stack traced on 4
sequences. Times are interleaved medians of wall-clock and of CPU seconds (all threads of
this process): on a shared machine the wall clock also counts the time other jobs held the
cores, the CPU time only the work done, so the CPU ratio is the steadier figure; memory
is each call's peak RSS growth in a fresh process (:func:`rnnlens.bench.memory.measure`),
set against what the trace records (every array it returns) plus one forward pass (the
growth of ``predict``), each call in its own fresh process. Run as
``python -m rnnlens.bench.trace_bench --probe W3 trace`` for one memory probe; it prints one
JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from .timing import Samples
from .workloads import WORKLOADS, RecurrentSpec, Workload

#: The long case of issue 20: 1,000 steps, 256 units, 4 sequences.
L1000 = Workload(
    "L1000",
    "1,000 steps",
    (RecurrentSpec("LSTM", 256, True), RecurrentSpec("LSTM", 256)),
    batch=4,
    steps=1000,
    features=8,
)
TRACE_WORKLOADS = {**{k: WORKLOADS[k] for k in ("W2", "W3", "W4")}, "L1000": L1000}


def _calls(
    workload: Workload, samples: int | None = None
) -> tuple[Any, Callable[[], object], Callable[[], Any]]:
    """The model and its two timed calls on the workload's batch (or its first ``samples``)."""
    import torch

    from ..trace import trace
    from .engines import build_rnnlens_model, make_data

    torch.manual_seed(0)
    model = build_rnnlens_model(workload)
    x, _ = make_data(workload)
    x = x if samples is None else x[:samples]

    def predict() -> object:
        return model.predict(x, batch_size=len(x))

    return model, predict, lambda: trace(model, x)


def recorded_bytes(traced: Any) -> int:
    """Bytes of every array a trace hands back (inputs, outputs, states and gates), counting
    memory that several of them share (a layer's input is the previous one's output) once."""
    arrays = [traced.inputs]
    for layer in traced.layers:
        outputs = layer.output if isinstance(layer.output, list) else [layer.output]
        arrays += [layer.inputs, *outputs]
        arrays += [a for d in layer.directions for a in d.arrays.values()]
    unique = {(a.__array_interface__["data"][0], a.nbytes): a.nbytes for a in arrays}
    return int(sum(unique.values()))


def probe(key: str, call: str, tiny: bool = False) -> dict[str, Any]:
    """Peak RSS growth (MiB) of one ``call`` ("predict" or "trace") in this fresh process.

    One single-sample call first loads what any first call loads (lazy imports, kernel
    set-up), so only the batch's own memory is counted; "trace" also reports the MiB of
    every array the trace returns.
    """
    from .memory import measure

    workload = TRACE_WORKLOADS[key].tiny() if tiny else TRACE_WORKLOADS[key]
    index = 1 if call == "predict" else 2
    _calls(workload, samples=1)[index]()
    chosen = _calls(workload)[index]
    kept: list[Any] = []
    result: dict[str, Any] = {}
    result[f"{call}_mib"], result["method"] = measure(lambda: kept.append(chosen()), 1)
    if call == "trace":  # what the measured call returned: it is alive at the peak
        result["recorded_mib"] = recorded_bytes(kept[0]) / 2**20
    return result


def _probe_in_subprocess(key: str, tiny: bool) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for call in ("predict", "trace"):
        command = [sys.executable, "-m", "rnnlens.bench.trace_bench", "--probe", key, call]
        command += ["--tiny"] if tiny else []
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=600, env={**os.environ}
        )
        if done.returncode != 0:
            return {"skipped": (done.stderr.strip().splitlines() or ["no output"])[-1]}
        result.update(json.loads(done.stdout.strip().splitlines()[-1]))
    return result


def _timed(
    calls: dict[str, Callable[[], object]], repeats: int
) -> tuple[dict[str, Samples], dict[str, Samples]]:
    """Wall-clock and CPU seconds of each call, ``repeats`` rounds after one warm-up, the
    order shuffled every round (as :func:`rnnlens.bench.timing.interleaved`)."""
    import random
    import time

    for call in calls.values():
        call()
    wall = {name: Samples() for name in calls}
    cpu = {name: Samples() for name in calls}
    order = list(calls)
    shuffle = random.Random(0).shuffle
    for _ in range(repeats):
        shuffle(order)
        for name in order:
            start, start_cpu = time.perf_counter(), time.process_time()
            calls[name]()
            cpu[name].seconds.append(time.process_time() - start_cpu)
            wall[name].seconds.append(time.perf_counter() - start)
    return wall, cpu


def run_trace_bench(
    keys: tuple[str, ...] | None = None, repeats: int = 5, memory: bool = True, tiny: bool = False
) -> list[dict[str, Any]]:
    """Median seconds of predict and trace per workload, their ratio, and the memory probes
    (``tiny``: the workloads at toy size, which proves the harness runs and measures nothing)."""
    rows = []
    for key in keys or tuple(TRACE_WORKLOADS):
        workload = TRACE_WORKLOADS[key].tiny() if tiny else TRACE_WORKLOADS[key]
        model, predict, run_trace = _calls(workload)
        wall, cpu = _timed({"predict": predict, "trace": run_trace}, repeats)
        traced = run_trace()
        row: dict[str, Any] = {
            "key": key,
            "describe": workload.describe(),
            "predict_s": wall["predict"].median,
            "trace_s": wall["trace"].median,
            "ratio": wall["trace"].median / wall["predict"].median,
            "predict_cpu_s": cpu["predict"].median,
            "trace_cpu_s": cpu["trace"].median,
            "cpu_ratio": cpu["trace"].median / cpu["predict"].median,
            "paths": sorted(
                {
                    d.path + (f" ({d.gates_from})" if d.gates_from else "")
                    for layer in traced.layers
                    for d in layer.directions
                }
            ),
            "h_check": traced.max_h_difference,
            "samples_s": {name: list(wall[name].seconds) for name in wall},
        }
        if memory:
            row.update(_probe_in_subprocess(key, tiny))
        rows.append(row)
        del model, traced
    return rows


def render(rows: list[dict[str, Any]], command: str) -> str:
    """The rows as a Markdown table, with the command that produced them."""
    lines = [
        f"Command: `{command}`",
        "",
        "| workload | predict | trace | trace / predict | CPU: predict | CPU: trace "
        "| CPU: trace / predict | recording | max h check | predict MiB | trace MiB "
        "| recorded MiB | trace / (recorded + predict) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        memory = "| – | – | – | – |"
        if "trace_mib" in r:
            bound = r["recorded_mib"] + r["predict_mib"]
            memory = (
                f"| {r['predict_mib']:.1f} | {r['trace_mib']:.1f} | {r['recorded_mib']:.1f} "
                f"| {r['trace_mib'] / bound:.2f} |"
            )
        lines.append(
            f"| {r['key']}: {r['describe']} | {r['predict_s'] * 1e3:.1f} ms "
            f"| {r['trace_s'] * 1e3:.1f} ms | {r['ratio']:.2f}× "
            f"| {r['predict_cpu_s'] * 1e3:.1f} ms | {r['trace_cpu_s'] * 1e3:.1f} ms "
            f"| {r['cpu_ratio']:.2f}× | {', '.join(r['paths'])} | {r['h_check']:.1e} {memory}"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probe", choices=list(TRACE_WORKLOADS), required=True)
    parser.add_argument("call", choices=["predict", "trace"])
    parser.add_argument("--tiny", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(probe(args.probe, args.call, args.tiny)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
