"""Shared test set-up: Keras on its torch backend as the oracle, fresh layer names per test."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import pytest

import rnnlens


@pytest.fixture(autouse=True)
def _fresh_names() -> None:
    """Every test starts numbering layers at lstm, lstm_1, ... as a fresh Keras session does."""
    rnnlens.clear_session()
