"""JSON for a :class:`~rnnlens.explain.flow.Flow`: its dataclasses as plain objects.

Shapes of weights become lists; ``schema_version`` says which layout a reader has.
"""

from __future__ import annotations

import json

from .flow import Flow


def render_json(flow: Flow, indent: int | None = 2) -> str:
    """``flow.to_dict()`` as JSON text (UTF-8 characters kept as they are)."""
    # default=str: a size from data (rnnlens.symbolic.Size) is written as its formula, "256·F + 16,640".
    return json.dumps(flow.to_dict(), indent=indent, ensure_ascii=False, default=str) + "\n"
