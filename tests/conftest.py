"""Shared test set-up: Keras on its torch backend as the oracle, fresh layer names per test,
and snapshot files for everything rnnlens prints or draws."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import pytest

import rnnlens

SNAPSHOTS = Path(__file__).parent / "snapshots"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="rewrite tests/snapshots/* from the current output instead of comparing",
    )


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """One torch thread per test: the test sizes are tiny, and on a busy 2-core machine
    OpenMP's spin-waiting made some training tests 100x slower with two threads."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def _fresh_names() -> None:
    """Every test starts numbering layers at lstm, lstm_1, ... as a fresh Keras session does."""
    rnnlens.clear_session()


@pytest.fixture
def snapshot(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """``snapshot("name.txt", text)``: compare with tests/snapshots/name.txt.

    Snapshots change only with ``pytest --update-snapshots``, so a changed rendering is a
    failing test until a person has looked at it.
    """
    update = request.config.getoption("--update-snapshots")

    def check(name: str, text: str) -> None:
        path = SNAPSHOTS / name
        if update or not path.exists():
            if not update:
                pytest.fail(
                    f"snapshot {name} does not exist yet: run pytest --update-snapshots and review it"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        expected = path.read_text(encoding="utf-8")
        assert text == expected, (
            f"output differs from tests/snapshots/{name} (pytest --update-snapshots to accept)"
        )

    return check
