"""Automatic layer names, numbered like Keras's (``lstm``, ``lstm_1``, ...)."""

from __future__ import annotations

import re
from collections import Counter

_counts: Counter[str] = Counter()


def snake_case(name: str) -> str:
    """``SimpleRNN`` -> ``simple_rnn``, ``TimeDistributed`` -> ``time_distributed``.

    >>> snake_case("SimpleRNN"), snake_case("LSTM"), snake_case("TimeDistributed")
    ('simple_rnn', 'lstm', 'time_distributed')
    >>> snake_case("Conv1D"), snake_case("GlobalMaxPooling1D")  # digits stay attached, as Keras
    ('conv1d', 'global_max_pooling1d')
    """
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(prefix: str) -> str:
    """Next free name for ``prefix`` in this session."""
    count = _counts[prefix]
    _counts[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def clear_session() -> None:
    """Restart layer numbering, as ``keras.backend.clear_session()`` does."""
    _counts.clear()
