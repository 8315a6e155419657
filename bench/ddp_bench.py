"""Training throughput (samples/s) of ``model.fit`` on 1 process and under ``torchrun``.

``python bench/ddp_bench.py`` runs every configuration in turn and prints a Markdown table
(the one in ``docs/benchmarks.md``); ``python bench/ddp_bench.py --one W1`` is one run, what
the table's rows launch (directly, or as ``torchrun --nproc_per_node=N bench/ddp_bench.py
--one W1``). ``--tiny`` shrinks the data for a smoke test.

Every run trains the same model on the same global batch: under torchrun, ``fit`` gives each
of the N processes 1/N of every batch and all-reduces the gradients (DDP). Each process has
one thread, as torchrun sets by default; one row gives a single process both cores as
threads, the fair comparison for 2 processes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

WORKLOADS = {  # spec, samples, time steps, features
    "W1": ("LSTM(64, return_sequences=True, input_shape=(10, 2)) -> LSTM(32) -> Dense(1)", 2048),
    "W2": ("LSTM(64, return_sequences=True, input_shape=(200, 8)) -> LSTM(32) -> Dense(1)", 384),
}
GLOBAL_BATCH = 64
EPOCHS = 4  # the first is warm-up and is not counted
RUNS = [  # label, torchrun options (none: plain python), threads per process
    ("1 process, no DDP (`python`)", [], 1),
    ("1 process, no DDP (`python`), both cores as threads", [], 2),
    ("`torchrun --nproc_per_node=1` (DDP, nothing to reduce with)", ["--nproc_per_node=1"], 1),
    ("`torchrun --nproc_per_node=2`", ["--nproc_per_node=2"], 1),
]


def one_run(name: str, tiny: bool) -> None:
    """Train workload ``name`` and print ``samples/s=...`` from rank 0."""
    import rnnlens as rl
    from rnnlens.parse import parse_spec
    from rnnlens.train.callbacks import Callback

    class EpochClock(Callback):
        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []
            self.start = 0.0

        def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            self.seconds.append(time.perf_counter() - self.start)

    spec, samples = WORKLOADS[name]
    if tiny:
        samples = 2 * GLOBAL_BATCH
    rl.set_seed(0)
    model = parse_spec(spec)
    model.compile(optimizer="adam", loss="mse")
    _, steps, features = model.input_shape
    assert steps is not None and features is not None
    x = np.random.default_rng(0).normal(size=(samples, steps, features)).astype(np.float32)
    y = x.mean(axis=(1, 2))[:, None]
    clock = EpochClock()
    model.fit(x, y, epochs=EPOCHS, batch_size=GLOBAL_BATCH, verbose=0, callbacks=[clock])
    if int(os.environ.get("RANK", "0")) == 0:
        timed = clock.seconds[1:]
        print(f"samples/s={samples * len(timed) / sum(timed):.0f}", flush=True)


def launch(name: str, launcher: list[str], threads: int, tiny: bool) -> float:
    """Run one configuration in fresh processes and return rank 0's samples/s."""
    script = [str(Path(__file__).resolve()), "--one", name, *(["--tiny"] if tiny else [])]
    if launcher:
        command = [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            *launcher,
            *script,
        ]
    else:
        command = [sys.executable, *script]
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    env["OMP_NUM_THREADS"] = str(threads)  # torchrun's default is 1 per process
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("samples/s=")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return float(lines[-1].split("=", 1)[1])


def table(tiny: bool) -> str:
    rows = [
        "| run | processes × threads | " + " | ".join(f"{w} samples/s" for w in WORKLOADS) + " |",
        "|---|---|" + "---:|" * len(WORKLOADS),
    ]
    for label, launcher, threads in RUNS:
        processes = launcher[0].split("=")[1] if launcher else "1"
        rates = [f"{launch(name, launcher, threads, tiny):.0f}" for name in WORKLOADS]
        rows.append(f"| {label} | {processes} × {threads} | " + " | ".join(rates) + " |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", choices=sorted(WORKLOADS), help="one run of this workload")
    parser.add_argument("--tiny", action="store_true", help="two batches per epoch: a smoke test")
    args = parser.parse_args()
    if args.one:
        one_run(args.one, args.tiny)
        return
    load = os.getloadavg()[0]
    print(table(args.tiny))
    print(f"\nload average (1 min) before / after: {load:.2f} / {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
