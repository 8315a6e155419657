"""``rnnlens bench``: rnnlens against raw PyTorch and Keras, written to Markdown (and JSON).

Sizes: ``--tiny`` (toy models, proves the harness runs: what CI does), the default (the five
real workloads, few rounds: a quick look), ``--full`` (the five workloads with enough rounds
for ``docs/benchmarks.md``; ``make bench``).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..bench.runner import Options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true", help="enough rounds for the published table")
    size.add_argument("--tiny", action="store_true", help="toy sizes: proves the harness runs")
    parser.add_argument(
        "--trace",
        action="store_true",
        help="only rl.trace against predict (W2-W4, L1000; --workloads picks a subset)",
    )
    parser.add_argument("--workloads", help="comma-separated subset of W1,W2,W3,W4,W5")
    parser.add_argument("--engines", help="comma-separated subset of rnnlens,torch,keras,tf-keras")
    parser.add_argument("--repeats", type=int, help="most timed rounds per workload")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory probes")
    parser.add_argument("--no-coldstart", action="store_true", help="skip the cold-start timing")
    parser.add_argument("--output", type=Path, help="write Markdown here (default: print it)")
    parser.add_argument("--json", type=Path, help="also write every raw sample as JSON here")


def _subset(text: str | None, known: tuple[str, ...], what: str) -> tuple[str, ...] | None:
    if text is None:
        return None
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [name for name in chosen if name not in known]
    if unknown or not chosen:
        raise ConfigError(
            f"--{what} got {text!r}: unknown {unknown or 'empty list'}; choose from {', '.join(known)}"
        )
    return chosen


def _command_line(args: argparse.Namespace) -> str:
    parts = ["rnnlens", "bench"]
    for flag in ("full", "tiny", "trace", "no_memory", "no_coldstart"):
        if getattr(args, flag):
            parts.append("--" + flag.replace("_", "-"))
    for option in ("workloads", "engines", "repeats", "threads", "output", "json"):
        value = getattr(args, option)
        if value is not None:
            parts += [f"--{option}", str(value)]
    return shlex.join(parts)


def options_from(args: argparse.Namespace) -> Options:
    """The run that the command line asks for (imports torch: call it only to run)."""
    from ..bench.engines import ENGINE_NAMES
    from ..bench.runner import Options
    from ..bench.workloads import WORKLOADS

    options = Options()
    if args.tiny:
        options = replace(
            options,
            tiny=True,
            repeats=3,
            min_repeats=3,
            warmup=1,
            coldstart_runs=1,
            coldstart_frameworks=False,
            gemm_size=256,
            memory_steps=1,
            memory_probes=1,
        )
    elif not args.full:
        options = replace(
            options, repeats=10, min_repeats=3, seconds_per_workload=15, coldstart_runs=3
        )
    workloads = _subset(args.workloads, tuple(WORKLOADS), "workloads")
    engines = _subset(args.engines, ENGINE_NAMES, "engines")
    if engines is not None and "torch" not in engines:
        engines = ("torch", *engines)  # every ratio is to raw torch
    if args.repeats is not None:
        if args.repeats < 1:
            raise ConfigError(f"--repeats must be at least 1, received {args.repeats}")
        options = replace(
            options, repeats=args.repeats, min_repeats=min(options.min_repeats, args.repeats)
        )
    if args.threads is not None and args.threads < 1:
        raise ConfigError(f"--threads must be at least 1, received {args.threads}")
    return replace(
        options,
        threads=args.threads,
        workloads=workloads or options.workloads,
        engines=engines or options.engines,
        memory=not args.no_memory,
        coldstart_runs=0 if args.no_coldstart else options.coldstart_runs,
    )


def _run_trace(args: argparse.Namespace) -> int:
    from ..bench.trace_bench import TRACE_WORKLOADS, render, run_trace_bench

    keys = _subset(args.workloads, tuple(TRACE_WORKLOADS), "workloads")
    if args.repeats is not None and args.repeats < 1:
        raise ConfigError(f"--repeats must be at least 1, received {args.repeats}")
    if args.threads is not None:
        import torch

        torch.set_num_threads(args.threads)
    repeats = args.repeats or (1 if args.tiny else 15)
    rows = run_trace_bench(keys, repeats=repeats, memory=not args.no_memory, tiny=args.tiny)
    text = render(rows, _command_line(args))
    from ..io.atomic import write_atomic

    if args.output is None:
        print(text, end="")
    else:
        write_atomic(args.output, text.encode("utf-8"))
        print(f"wrote {args.output}", file=sys.stderr)
    if args.json is not None:  # every timed round, for anyone checking the medians
        import json

        write_atomic(args.json, json.dumps(rows, indent=1).encode("utf-8"))
    return 0


def run(args: argparse.Namespace) -> int:
    from ..bench.report import compose_document, render_markdown, results_to_json, write_atomic
    from ..bench.runner import run_benchmark

    if args.trace:
        return _run_trace(args)
    options = options_from(args)
    command = _command_line(args)
    results = run_benchmark(options, progress=lambda line: print(line, file=sys.stderr, flush=True))
    generated = render_markdown(results, command)
    if args.json is not None:
        write_atomic(args.json, results_to_json(results, command))
    if args.output is None:
        print(generated, end="")
        return 0
    existing = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    write_atomic(args.output, compose_document(existing, generated))
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
