"""``rnnlens explain net.py`` for PyTorch code: each network explained in PyTorch's terms.

The explanation itself is :mod:`rnnlens.pytorch.explain`'s; this prints one per network the
file defines, with the reader's notes (what was skipped, which sizes are symbols) at the end.
"""

from __future__ import annotations

import sys
from typing import Any


def print_torch(parsed: Any, fmt: str, width: int, diagram: str | None) -> None:
    """Write the explanation of every network in ``parsed.models`` to stdout."""
    from ..pytorch.explain import explain_network

    models = parsed.models
    for position, (label, network) in enumerate(models):
        explanation = explain_network(network)
        if position == len(models) - 1:
            # The file's notes are printed once, after the last network.
            explanation.notes = [n for n in parsed.notes if n not in explanation.notes] + [
                *explanation.notes
            ]
        else:
            explanation.notes = []
        if len(models) > 1:
            print(
                f"{'' if position == 0 else chr(10)}═══ model {position + 1} of {len(models)}: {label} ═══"
            )
        if fmt == "markdown":
            sys.stdout.write(explanation.to_markdown())
        elif fmt == "json":
            sys.stdout.write(explanation.to_json())
        else:
            print(explanation.to_text(width=width))
    if diagram:
        print(
            "--diagram is drawn for Keras models; for PyTorch use rl.diagram(module, ...)",
            file=sys.stderr,
        )
