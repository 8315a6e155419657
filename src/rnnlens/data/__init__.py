"""Small real datasets shipped with rnnlens, and the windowing every forecasting tutorial writes.

``rl.data.load("sunspots")`` and ``rl.data.load("japanese_vowels")`` read the CSV files beside
this module (provenance and licences in its README.md); :func:`windows` cuts a series into
(input window, target) pairs; :func:`pad` stacks variable-length sequences for ``Masking``.
"""

from __future__ import annotations

from .datasets import LabelledSequences, Series, load
from .windows import pad, windows

__all__ = ["LabelledSequences", "Series", "load", "pad", "windows"]
