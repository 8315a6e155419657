"""``rnnlens bench --trace``: ``rl.trace`` against a fused ``predict`` of the same batch.

Workloads W2-W4 of the main benchmark and L1000, a 1,000-step, 256-unit stack traced on 4
sequences. Times are interleaved medians (:func:`rnnlens.bench.timing.interleaved`); memory
is each call's peak RSS growth in a fresh process (:func:`rnnlens.bench.memory.measure`),
set against what the trace records (every array it returns) plus one forward pass (the
growth of ``predict``). Run as ``python -m rnnlens.bench.trace_bench --probe W3`` for one
memory probe; it prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

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


def _calls(workload: Workload) -> tuple[Any, Callable[[], object], Callable[[], Any]]:
    import torch

    from ..trace import trace
    from .engines import build_rnnlens_model, make_data

    torch.manual_seed(0)
    model = build_rnnlens_model(workload)
    x, _ = make_data(workload)

    def predict() -> object:
        return model.predict(x, batch_size=len(x))

    return model, predict, lambda: trace(model, x)


def recorded_bytes(traced: Any) -> int:
    """Bytes of every array a trace hands back (inputs, outputs, states and gates)."""
    total = traced.inputs.nbytes
    for layer in traced.layers:
        outputs = layer.output if isinstance(layer.output, list) else [layer.output]
        total += layer.inputs.nbytes + sum(o.nbytes for o in outputs)
        total += sum(a.nbytes for d in layer.directions for a in d.arrays.values())
    return int(total)


def probe(key: str) -> dict[str, Any]:
    """Peak RSS growth of ``predict`` and of ``trace`` (fresh process), and the recorded MiB."""
    from .memory import measure

    _, predict, run_trace = _calls(TRACE_WORKLOADS[key])
    predict()
    traced = run_trace()  # warm: lazy imports and kernel set-up are not the trace's memory
    recorded = recorded_bytes(traced) / 2**20
    del traced
    predict_mib, method = measure(predict, 1)
    trace_mib, _ = measure(run_trace, 1)
    return {
        "predict_mib": predict_mib,
        "trace_mib": trace_mib,
        "recorded_mib": recorded,
        "method": method,
    }


def _probe_in_subprocess(key: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "rnnlens.bench.trace_bench", "--probe", key]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env={**os.environ})
    if done.returncode != 0:
        return {"skipped": (done.stderr.strip().splitlines() or ["no output"])[-1]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_trace_bench(
    keys: tuple[str, ...] | None = None, repeats: int = 5, memory: bool = True
) -> list[dict[str, Any]]:
    """Median seconds of predict and trace per workload, their ratio, and the memory probe."""
    from .timing import interleaved

    rows = []
    for key in keys or tuple(TRACE_WORKLOADS):
        workload = TRACE_WORKLOADS[key]
        model, predict, run_trace = _calls(workload)
        samples = interleaved({"predict": predict, "trace": run_trace}, repeats, warmup=1)
        traced = run_trace()
        row: dict[str, Any] = {
            "key": key,
            "describe": workload.describe(),
            "predict_s": samples["predict"].median,
            "trace_s": samples["trace"].median,
            "ratio": samples["trace"].median / samples["predict"].median,
            "paths": sorted({d.path for layer in traced.layers for d in layer.directions}),
            "h_check": traced.max_h_difference,
        }
        if memory:
            row.update(_probe_in_subprocess(key))
        rows.append(row)
        del model, traced
    return rows


def render(rows: list[dict[str, Any]], command: str) -> str:
    """The rows as a Markdown table, with the command that produced them."""
    lines = [
        f"Command: `{command}`",
        "",
        "| workload | predict | trace | trace / predict | recording | max h check "
        "| predict MiB | trace MiB | recorded MiB | trace / (recorded + predict) |",
        "|---|---|---|---|---|---|---|---|---|---|",
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
            f"| {r['trace_s'] * 1e3:.1f} ms | {r['ratio']:.2f}× | {', '.join(r['paths'])} "
            f"| {r['h_check']:.1e} {memory}"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probe", choices=list(TRACE_WORKLOADS), required=True)
    args = parser.parse_args(argv)
    print(json.dumps(probe(args.probe)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
