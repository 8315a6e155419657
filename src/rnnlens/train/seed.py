"""``set_seed``: one call that makes a CPU training run repeat bit for bit.

What it seeds: Python's ``random``, numpy's global generator and torch's default generator
(which also seeds every CUDA device). It also records the seed so that ``fit`` derives the
shuffling order of epoch ``e`` from ``(seed, e)`` alone, which is what lets a run resumed
mid-epoch from a checkpoint see exactly the batches an uninterrupted run would.

``torch.use_deterministic_algorithms`` is left alone: on CPU every kernel rnnlens trains with
(oneDNN LSTM/GRU, matmul, Adam's foreach updates) is already deterministic for a fixed thread
count. On CUDA, cuDNN's RNN backward is not; call
``torch.use_deterministic_algorithms(True)`` yourself there if you need bit-exact GPU runs.
"""

from __future__ import annotations

import random

import numpy as np
import torch

from ..errors import ConfigError

_seed: int | None = None


def set_seed(seed: int) -> None:
    """Seed ``random``, numpy and torch, and fix the shuffling order of ``fit``.

    >>> set_seed(7)
    >>> a = torch.rand(2)
    >>> set_seed(7)
    >>> bool((a == torch.rand(2)).all())
    True

    Args:
        seed: a non-negative integer below 2**32.

    Raises:
        ConfigError: ``seed`` is not such an integer.
    """
    global _seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ConfigError(f"set_seed expects an integer in [0, 2**32), received {seed!r}")
    _seed = int(seed)
    random.seed(_seed)
    np.random.seed(_seed)
    torch.manual_seed(_seed)


def shuffle_seed() -> int:
    """The seed ``fit`` shuffles with: the one given to :func:`set_seed`, else a fresh draw.

    The fresh draw comes from torch's default generator, so ``torch.manual_seed`` alone also
    makes the order repeatable.
    """
    if _seed is not None:
        return _seed
    return int(torch.randint(0, 2**31 - 1, (1,)).item())
