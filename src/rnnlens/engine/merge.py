"""Modules for the merge layers: element-wise merges, Concatenate and Dot, masks as Keras 3.

Each takes a list of tensors and, as ``mask``, a list of (B, T) masks (``None`` where an
input has none).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from ..layers.merge import Concatenate, Dot, Merge, Multiply
from .base import LayerModule

Masks = list[torch.Tensor | None] | None

_OPERATIONS: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "Add": torch.add,
    "Subtract": torch.sub,
    "Multiply": torch.mul,
    "Average": torch.add,
    "Maximum": torch.maximum,
    "Minimum": torch.minimum,
}


class MergeModule(LayerModule):
    """Add, Subtract, Multiply, Average, Maximum, Minimum (Keras 3's ``Merge`` layers)."""

    def __init__(self, spec: Merge) -> None:
        super().__init__()
        self.kind = type(spec).__name__
        self.operation = _OPERATIONS[self.kind]

    def next_mask(self, x: list[torch.Tensor], mask: Masks) -> torch.Tensor | None:  # type: ignore[override]
        # The OR of the inputs' masks, only when every input has one (Merge.compute_mask).
        if not mask or any(m is None for m in mask):
            return None
        out = mask[0]
        for m in mask[1:]:
            out = out | m  # type: ignore[operator]
        return out

    def forward(self, x: list[torch.Tensor], mask: Masks = None) -> torch.Tensor:
        if self.kind == "Multiply" and mask and all(m is not None for m in mask):
            return _masked_product(x, mask)
        out = x[0]
        for item in x[1:]:
            out = self.operation(out, item)
        return out / len(x) if self.kind == "Average" else out


def _masked_product(x: list[torch.Tensor], mask: Masks) -> torch.Tensor:
    """Keras's Multiply with masks: masked steps count as 1, then the output is 0 where no
    input is real."""
    assert mask is not None
    out, any_real = None, None
    for item, m in zip(x, mask):
        assert m is not None
        keep = m.unsqueeze(-1).expand_as(item)  # (B, T) -> (B, T, D)
        item = torch.where(keep, item, torch.ones_like(item))
        any_real = keep if any_real is None else any_real | keep
        out = item if out is None else out * item
    assert out is not None and any_real is not None
    return torch.where(any_real, out, torch.zeros_like(out))


class ConcatenateModule(LayerModule):
    """Joins the inputs along ``axis``."""

    def __init__(self, spec: Concatenate) -> None:
        super().__init__()
        self.axis = spec.axis

    def next_mask(self, x: list[torch.Tensor], mask: Masks) -> torch.Tensor | None:  # type: ignore[override]
        # Keras: an input without a mask counts as all real steps; OR over the rest.
        if not mask or all(m is None for m in mask):
            return None
        if any(m is None for m in mask):
            first = next(m for m in mask if m is not None)
            assert first is not None
            return torch.ones_like(first, dtype=torch.bool)
        out = mask[0]
        for m in mask[1:]:
            out = out | m  # type: ignore[operator]
        return out

    def forward(self, x: list[torch.Tensor], mask: Masks = None) -> torch.Tensor:
        return torch.cat(x, dim=self.axis)


class DotModule(LayerModule):
    """Batch dot product over the spec's axes (optionally of L2-normalised inputs)."""

    def __init__(self, spec: Dot) -> None:
        super().__init__()
        self.spec = spec

    def propagates_mask(self) -> bool:
        return False

    def next_mask(self, x: list[torch.Tensor], mask: Masks) -> torch.Tensor | None:  # type: ignore[override]
        return None

    def forward(self, x: list[torch.Tensor], mask: Masks = None) -> torch.Tensor:
        a, b = x
        axis_a, axis_b = self.spec.resolved_axes([tuple(a.shape), tuple(b.shape)])
        if self.spec.normalize:
            a, b = F.normalize(a, dim=axis_a, eps=1e-12), F.normalize(b, dim=axis_b, eps=1e-12)
        # Move the contracted axes last / first after batch, then one batched matmul.
        a = a.movedim(axis_a, -1).reshape(a.shape[0], -1, a.shape[axis_a])  # (B, rest_a, K)
        b_moved = b.movedim(axis_b, 1)
        rest_b = b_moved.shape[2:]
        out = torch.bmm(a, b_moved.reshape(b.shape[0], b.shape[axis_b], -1))  # (B, rest_a, rest_b)
        rest_a = [d for i, d in enumerate(x[0].shape) if i not in (0, axis_a)]
        shape = [x[0].shape[0], *rest_a, *rest_b]
        if len(shape) == 1:
            shape.append(1)
        return out.reshape(shape)


__all__ = ["ConcatenateModule", "DotModule", "MergeModule", "Multiply"]
