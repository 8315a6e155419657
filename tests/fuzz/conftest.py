"""Hypothesis profiles for the fuzz tests: ``default`` (small, CI) and ``fuzz`` (``make fuzz``).

``HYPOTHESIS_PROFILE=fuzz pytest tests/fuzz`` runs the large budget. Both profiles drop the
per-example deadline: a slow example is measured by :func:`tests.fuzz.support.outcome`
instead, which fails on anything slower than its hang limit.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
settings.register_profile("default", max_examples=25, deadline=None, suppress_health_check=_QUIET)
settings.register_profile(
    "fuzz", max_examples=2000, deadline=None, suppress_health_check=_QUIET, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
# A hung HDF5 read is stopped after this many seconds (rnnlens.io.h5child): short enough that
# thousands of bit flips stay affordable, long enough for any real test file (~0.1 s).
os.environ.setdefault("RNNLENS_H5_TIMEOUT", "3")


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """Print how many inputs ended as a model and as each error, for docs/reliability.md."""
    from tests.fuzz.support import SEEN

    if SEEN:
        counts = ", ".join(f"{kind} {count}" for kind, count in SEEN.most_common())
        terminalreporter.write_line(f"fuzz outcomes: {counts}")
