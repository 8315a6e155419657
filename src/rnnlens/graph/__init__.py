"""The model graph, the spec side of every model: layers, how they connect, their shapes.

Nothing here imports torch or any floor above the spec (engine, train, io, explain, the
facade); see ``docs/architecture.md``.
"""

from __future__ import annotations

from .functional import Functional
from .model import ModelSpec
from .sequential import IgnoredInputShapeWarning, SequentialSpec

__all__ = ["Functional", "IgnoredInputShapeWarning", "ModelSpec", "SequentialSpec"]
