"""The legend: every symbol and term an explanation uses, defined once.

An entry is included when its marker occurs anywhere in the explanation's text, so the legend
follows the explanation instead of a list kept by hand: a renderer that starts using ``⊙``
gets ``⊙`` defined without anyone remembering to add it.

>>> [entry.symbol for entry in legend_for(["c(t) = f ⊙ c(t−1) + i ⊙ c̃"])][:3]
['c(t)', 't−1, t+1', 'c̃']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class LegendEntry:
    symbol: str
    meaning: str


# (symbol shown, regular expression that finds a use of it, meaning), in reading order.
_ENTRIES: list[tuple[str, str, str]] = [
    ("None", r"\(None,", "the batch size in a shape: free, set by the data you pass (e.g. 32)"),
    ("T", r"\bx\(T\)|…T\b|\(T\)", "the number of time steps when it is not fixed"),
    ("x(t)", r"x\(t\)", "the vector a layer reads at time step t (t = 1 is the first step)"),
    (
        "h(t)",
        r"\bh\(t",
        "hidden state at step t: the layer's output at that step, also carried to the next step",
    ),
    ("c(t)", r"\bc\(t", "LSTM cell state at step t: memory that stays inside the layer"),
    ("h¹(t)", r"h[¹²³⁴⁵⁶⁷⁸⁹⁰]+\(t\)", "h(t) of layer 1 (the superscript is the layer number)"),
    ("h→, h←", r"h[→←]", "the forward direction's h (reads x(1) to x(T)) and the backward one's"),
    ("t−1, t+1", r"t[−+]1", "the step before / after t: a backward layer reads h(t+1) at step t"),
    ("c̃", r"c̃", "LSTM candidate: new content that the input gate lets into c(t)"),
    ("h̃", r"h̃", "GRU candidate: the new h that the update gate mixes with the old one"),
    (
        "i, f, o",
        r"\bi ⊙|input gate",
        "LSTM gates, each 0…1 per unit: input gate i (how much of c̃ enters), forget gate f "
        "(how much of c(t−1) stays), output gate o (how much of c(t) shows in h(t))",
    ),
    ("z, r", r"update gate|\bz ⊙", "GRU gates: update gate z (keep the old h), reset gate r"),
    ("z(t)", r"z\(t\)", "LSTM pre-activations: all four gates' inputs side by side"),
    ("z[0:32]", r"z\[\d+:\d+\]", "entries 0…31 of z (the start is included, the end is not)"),
    ("a(t), b(t)", r"a\(t\)", "GRU: the x(t) part and the h part of the gates, a_z is a's z block"),
    ("σ", r"σ", "logistic sigmoid 1/(1 + e^−x): squeezes any number into 0…1"),
    ("tanh", r"tanh", "hyperbolic tangent: squeezes any number into −1…1"),
    ("⊙", r"⊙", "element-wise product: the k-th number times the k-th number"),
    (
        "·",
        r"·",
        "vector·matrix is a matrix product ((64)·(64×128) → 128 numbers); between plain "
        "numbers, · is multiplication",
    ),
    (
        "(rows, cols)",
        r"\(\d+, \d+\)",
        "a weight shape, e.g. (64, 128): 64 rows, 128 columns; (128,) is a vector",
    ),
    ("kernel", r"\bkernel\b", "the matrix applied to x(t) at every step (rows: input features)"),
    (
        "recurrent_kernel",
        r"recurrent_kernel",
        "the matrix applied to the layer's own previous h (rows: units)",
    ),
    ("bias", r"\bbias\b", "numbers added to every gate's input, one per gate per unit"),
    ("u, d", r"u·\(d", "in a parameter formula: u = units, d = input features per step"),
    ("unit_forget_bias", r"unit_forget_bias", "Keras starts the forget gate's bias at 1"),
    ("reset_after", r"reset_after", "GRU variant: the reset gate acts after recurrent_kernel"),
    ("many-to-one", r"many-to-one", "a whole sequence in, one output vector per sequence out"),
    ("many-to-many", r"many-to-many", "a sequence in, one output per step out"),
    ("encoder–decoder", r"encoder–decoder", "one layer sums a sequence up, another unrolls it"),
    ("⚠", r"⚠", "a warning: the model works, but probably not as its author meant"),
]

_COMPILED = [(symbol, re.compile(pattern), meaning) for symbol, pattern, meaning in _ENTRIES]


def legend_for(texts: Iterable[str]) -> list[LegendEntry]:
    """The entries whose symbols occur in ``texts``, in the table's order."""
    joined = "\n".join(texts)
    return [LegendEntry(s, m) for s, pattern, m in _COMPILED if pattern.search(joined)]


def strings_in(value: object) -> Iterable[str]:
    """Every string inside nested dataclass dicts and lists (what a legend scans)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_in(item)
