"""The one property every fuzz test checks: a model or a documented RnnlensError, quickly."""

from __future__ import annotations

import time
import warnings
from collections import Counter
from collections.abc import Callable
from typing import Any

from rnnlens import RnnlensError, Sequential

#: Seconds one input may take before it counts as a hang.
HANG_SECONDS = 10.0
#: Outcomes seen in this session, by kind (printed at the end by tests/fuzz/conftest.py).
SEEN: Counter[str] = Counter()


def outcome(load: Callable[[], Any]) -> str:
    """Run ``load``; return ``"model"`` or the RnnlensError's class name, else fail the test."""
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = load()
            kind = "model"
            assert isinstance(result, Sequential), type(result)
        except RnnlensError as error:
            kind = type(error).__name__
            assert str(error), "an error without a message"
    elapsed = time.perf_counter() - start
    assert elapsed < HANG_SECONDS, f"took {elapsed:.1f}s: a hang"
    # Python's own parser warns on text such as "10input_shape"; rnnlens.parse silences
    # that (finding F3 in docs/reliability.md), so any warning from outside rnnlens is a defect.
    foreign = [w for w in caught if not type(w.message).__module__.startswith("rnnlens")]
    assert not foreign, [str(w.message) for w in foreign]
    SEEN[kind] += 1
    return kind
