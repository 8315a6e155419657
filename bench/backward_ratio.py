"""How much slower is torch's CPU LSTM backward than its forward? The stretch goal's premise.

The issue suggests that torch's CPU backward "runs several times its forward although the
arithmetic is only about twice", which would leave room for a faster hand-written backward.
This script measures one ``torch.nn.LSTM`` layer at the benchmark's sizes. It times the
forward pass without gradients (inference), the forward pass that keeps what the backward
needs, and the backward pass, then prints medians and ratios as a Markdown table.

    python bench/backward_ratio.py            # the sizes of W1, W2 and W3's first layer
    python bench/backward_ratio.py --tiny     # seconds: the smoke test
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

# (name, batch, steps, features, units): the first recurrent layer of W1, W2 and W3.
SIZES = [
    ("W1 layer 1", 32, 10, 2, 64),
    ("W2 layer 1", 64, 200, 8, 64),
    ("W3 layer 1", 64, 100, 32, 256),
]


def measure(
    batch: int, steps: int, features: int, units: int, repeats: int
) -> tuple[float, float, float]:
    """Median seconds of (inference forward, training forward, backward) for one LSTM layer."""
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(features, units, batch_first=True)
    x = torch.randn(batch, steps, features)
    infer, forward, backward = [], [], []
    for round_index in range(repeats + 3):  # the first 3 rounds warm up
        with torch.inference_mode():
            start = time.perf_counter()
            lstm(x)
            inferred = time.perf_counter()
        out, _ = lstm(x)
        forwarded = time.perf_counter()
        out.sum().backward()
        done = time.perf_counter()
        if round_index >= 3:
            infer.append(inferred - start)
            forward.append(forwarded - inferred)
            backward.append(done - forwarded)
        lstm.zero_grad(set_to_none=True)
    return statistics.median(infer), statistics.median(forward), statistics.median(backward)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="toy sizes, 2 rounds")
    parser.add_argument("--repeats", type=int, default=30, help="timed rounds per size")
    args = parser.parse_args(argv)
    sizes = [("tiny", 2, 3, 2, 4)] if args.tiny else SIZES
    repeats = 2 if args.tiny else args.repeats
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, float32, one nn.LSTM")
    print()
    print("| layer | inference ms | forward (train) ms | backward ms | backward ÷ inference |")
    print("|---|---:|---:|---:|---:|")
    for name, batch, steps, features, units in sizes:
        infer, forward, backward = measure(batch, steps, features, units, repeats)
        print(
            f"| {name}: B{batch} T{steps} D{features} U{units} | {infer * 1e3:.2f} "
            f"| {forward * 1e3:.2f} | {backward * 1e3:.2f} | {backward / infer:.2f}× |"
        )


if __name__ == "__main__":
    main()
