"""Interleaved timing: every engine measured in the same rounds, medians after warm-up.

Interleaving spreads slow drifts of the machine (another process, thermal limits) over all
engines alike instead of charging them to whichever ran last. The order is shuffled every
round, from a fixed seed. Rotating a fixed order, as this harness did first, keeps the
cyclic order: every call then follows the same neighbour in every round. A call made right
after Keras's heavy Python runs on cold caches and paid about 0.2 ms more on W1's 1 ms
inference. Under rotation that was always rnnlens's inference, and so W1 read 1.16-1.18x
where a shuffled order reads about 1.0x.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Samples:
    """Wall-clock seconds of repeated calls; summarised by the median."""

    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def spread(self) -> float:
        """Half the interquartile range relative to the median (0.05 = ±5 %)."""
        if len(self.seconds) < 4:
            return 0.0
        q1, _, q3 = statistics.quantiles(self.seconds, n=4)
        return (q3 - q1) / 2 / self.median


def time_once(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def interleaved(
    calls: dict[str, Callable[[], object]], repeats: int, warmup: int, seed: int = 0
) -> dict[str, Samples]:
    """Time each call ``repeats`` times after ``warmup`` untimed calls, in a new order each round.

    >>> result = interleaved({"a": lambda: None, "b": lambda: None}, repeats=3, warmup=1)
    >>> sorted(result), [len(s.seconds) for s in result.values()]
    (['a', 'b'], [3, 3])
    """
    names: Sequence[str] = list(calls)
    for _ in range(warmup):
        for name in names:
            calls[name]()
    samples = {name: Samples() for name in names}
    order = list(names)
    shuffle = random.Random(seed).shuffle
    for _ in range(repeats):
        shuffle(order)
        for name in order:
            samples[name].seconds.append(time_once(calls[name]))
    return samples
