"""Weight constraints applied after every optimizer step, as Keras 3 applies them.

Keras's ``BaseOptimizer.apply`` assigns ``constraint(w)`` to each updated weight that has
one. The projections (``keras/src/constraints``), with ε = 1e-7 and the norm taken over
``axis`` (0 by default: each unit's incoming weights)::

    MaxNorm:    w · clip(|w|, 0, max_value) / (ε + |w|)
    MinMaxNorm: w · (rate · clip(|w|, min, max) + (1 − rate) · |w|) / (ε + |w|)
    UnitNorm:   w / (ε + |w|)
    NonNeg:     max(w, 0)

>>> import torch
>>> from rnnlens.layers.objects import MaxNorm
>>> project(MaxNorm(1.0), torch.tensor([[3.0], [4.0]])).flatten().tolist()
[0.6000000238418579, 0.800000011920929]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from ..engine.weights import layer_variables, option_of
from ..layers.objects import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm

if TYPE_CHECKING:
    from ..layers import Layer

_EPSILON = 1e-7


def project(constraint: Constraint, w: torch.Tensor) -> torch.Tensor:
    """Keras's ``constraint(w)``."""
    c = constraint.config
    if isinstance(constraint, NonNeg):
        return torch.clamp_min(w, 0)
    norms = torch.sqrt((w * w).sum(dim=c["axis"], keepdim=True))
    if isinstance(constraint, MaxNorm):
        desired = torch.clamp(norms, 0, c["max_value"])
        return w * (desired / (_EPSILON + norms))
    if isinstance(constraint, MinMaxNorm):
        desired = c["rate"] * torch.clamp(norms, c["min_value"], c["max_value"])
        desired = desired + (1 - c["rate"]) * norms
        return w * (desired / (_EPSILON + norms))
    if isinstance(constraint, UnitNorm):
        return w / (_EPSILON + norms)
    raise TypeError(f"no projection for {type(constraint).__name__}")  # pragma: no cover


def has_constraints(layers: list[Layer]) -> bool:
    """Whether any weight of ``layers`` has a constraint (so steps need :func:`apply`)."""
    return any(
        option_of(owner, name, "constraint") is not None
        for layer in layers
        if layer.input_shape is not None
        for owner, name, _, _ in layer_variables(layer)
    )


@torch.no_grad()
def apply_constraints(layers: list[Layer]) -> None:
    """Project every trainable, constrained weight in place (after an optimizer step)."""
    for layer in layers:
        for owner, name, parameter, trains in layer_variables(layer):
            constraint = option_of(owner, name, "constraint")
            if trains and constraint is not None:
                parameter.copy_(project(constraint, parameter))
