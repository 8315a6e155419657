"""What the numbers were measured on: CPU, cores, threads, versions, load and GEMM peak."""

from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch


def cpu_model() -> str:
    """The ``model name`` line of /proc/cpuinfo (the processor name elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def matmul_peak(size: int = 1024, repeats: int = 10) -> float:
    """Achieved GFLOP/s of a float32 square GEMM (``2·n³`` FLOPs), median of ``repeats``.

    This is the ceiling a recurrent kernel could approach on this machine with these
    threads: the recurrent step is a much thinner product, so it stays well below it.
    """
    a = torch.randn(size, size)
    b = torch.randn(size, size)
    out = torch.empty(size, size)
    for _ in range(2):
        torch.mm(a, b, out=out)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b, out=out)
        seconds.append(time.perf_counter() - start)
    return 2 * size**3 / statistics.median(seconds) / 1e9


@dataclass
class Machine:
    cpu: str
    cores: int
    torch_threads: int
    torch_version: str
    keras_version: str
    python_version: str
    platform: str
    gemm_gflops: float
    gemm_size: int
    load_before: float
    load_after: float = float("nan")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def keras_version() -> str:
    try:
        from importlib.metadata import version

        return version("keras")
    except Exception:  # not installed: the report says so
        return "not installed"


def describe_machine(gemm_size: int = 1024) -> Machine:
    return Machine(
        cpu=cpu_model(),
        cores=os.cpu_count() or 1,
        torch_threads=torch.get_num_threads(),
        torch_version=torch.__version__,
        keras_version=keras_version(),
        python_version=platform.python_version(),
        platform=platform.platform(terse=True),
        gemm_gflops=matmul_peak(gemm_size),
        gemm_size=gemm_size,
        load_before=load_average(),
    )
