"""Peak memory of one engine on one workload, measured in a fresh Python process.

``tracemalloc`` sees only Python objects, not torch's tensors, so this measures the process's
resident set: after the model, optimizer and data are built and one single-sample inference
has run (so imports and set-up are excluded), the
kernel's peak-RSS counter is reset (``/proc/self/clear_refs``, Linux) and read again after the
calls (``VmHWM``). The figure is the peak growth over the set-up RSS: activations, gradients,
optimizer state, kernel workspaces, and whatever the allocators keep. Where the counter cannot
be reset, ``resource.getrusage`` maxrss is used, which can only overstate the growth.

Run as ``python -m rnnlens.bench.memory W2 torch``; it prints one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

_STATUS = Path("/proc/self/status")


def _status_kib(field: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_kib() -> int:
    import resource

    peak = _status_kib("VmHWM")
    if peak is not None:
        return peak
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage // 1024 if sys.platform == "darwin" else usage  # macOS reports bytes


def measure(call: Any, times: int) -> tuple[float, str]:
    """MiB the peak RSS grows over the current RSS while ``call`` runs ``times`` times."""
    gc.collect()
    before = _status_kib("VmRSS")
    exact = _reset_peak() and before is not None
    if before is None:  # no /proc: fall back to the peak so far
        before = _peak_kib()
    for _ in range(times):
        call()
    method = "VmHWM reset" if exact else "getrusage maxrss"
    return max(0, _peak_kib() - before) / 1024, method


def probe(
    workload_key: str, engine: str, tiny: bool, steps: int, threads: int | None = None
) -> dict[str, Any]:
    """Build one engine, then measure inference and ``steps`` training steps (in that order)."""
    import torch

    from .engines import build_engines

    if threads is not None:
        torch.set_num_threads(threads)
    from .workloads import WORKLOADS

    workload = WORKLOADS[workload_key]
    if tiny:
        workload = workload.tiny()
    runs, skipped = build_engines(workload, (engine,))
    if not runs:
        return {"skipped": skipped.get(engine, "unavailable")}
    run = runs[0]
    run.prime()  # lazy imports and kernel set-up are not the workload's memory
    infer_mib, method = measure(run.infer, 1)
    train_mib, _ = measure(run.train_step, steps)
    return {"infer_mib": infer_mib, "train_mib": train_mib, "method": method}


def probe_in_subprocess(
    workload_key: str,
    engine: str,
    *,
    tiny: bool = False,
    steps: int = 2,
    threads: int | None = None,
    timeout: float = 600,
) -> dict[str, Any]:
    """Run :func:`probe` in a fresh interpreter so no other engine's memory is counted."""
    command = [sys.executable, "-m", "rnnlens.bench.memory", workload_key, engine]
    command += ["--steps", str(steps), *(["--tiny"] if tiny else [])]
    command += ["--threads", str(threads)] if threads is not None else []
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"skipped": f"memory probe failed: {tail[0]}"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload")
    parser.add_argument("engine")
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--threads", type=int)
    args = parser.parse_args(argv)
    print(json.dumps(probe(args.workload, args.engine, args.tiny, args.steps, args.threads)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
