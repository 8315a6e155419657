"""Weight and activity penalties added to the loss, as Keras 3 adds them.

For every trainable weight with a regularizer, Keras adds ``regularizer(weight)`` to the
loss of each step: ``L1``: ``l1·Σ|w|``, ``L2``: ``l2·Σw²``, ``L1L2``: both. For a layer with an
``activity_regularizer``, each output tensor of each call adds ``regularizer(output) /
batch`` (Keras 3 divides by the output's first dimension so the strength does not depend
on the batch size). Frozen weights add nothing. ``model.losses`` lists these terms.

>>> import torch
>>> from rnnlens.layers.objects import L1L2
>>> round(float(penalty(L1L2(l1=0.1, l2=0.5), torch.tensor([1.0, -2.0]))), 6)
2.8
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch

from ..engine.weights import layer_variables, option_of
from ..layers.objects import L1, L1L2, L2, Regularizer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..layers import Layer


def penalty(regularizer: Regularizer, x: torch.Tensor) -> torch.Tensor:
    """Keras's ``regularizer(x)``: a scalar in ``x``'s dtype."""
    c = regularizer.config
    total = x.new_zeros(())
    if isinstance(regularizer, (L1, L1L2)) and c["l1"] != 0:
        total = total + c["l1"] * x.abs().sum()
    if isinstance(regularizer, (L2, L1L2)) and c["l2"] != 0:
        total = total + c["l2"] * (x * x).sum()
    return total


def weight_penalties(layers: list[Layer]) -> list[torch.Tensor]:
    """The regularization terms of every trainable, regularized weight, in weight order."""
    out = []
    for layer in layers:
        if layer.input_shape is None:
            continue
        for owner, name, parameter, trains in layer_variables(layer):
            regularizer = option_of(owner, name, "regularizer")
            if trains and regularizer is not None:
                out.append(penalty(regularizer, parameter))
    return out


def activity_layers(layers: list[Layer]) -> Iterator[Layer]:
    """Every layer (wrapped ones too) that has an ``activity_regularizer``."""
    from ..layers import Bidirectional, TimeDistributed

    for layer in layers:
        if layer.activity_regularizer is not None:
            yield layer
        if isinstance(layer, TimeDistributed):
            yield from activity_layers([layer.layer])
        elif isinstance(layer, Bidirectional):
            yield from activity_layers([layer.forward, layer.backward])


class ActivityPenalties:
    """Records the activity terms of one forward pass through forward hooks.

    Used as a context around the forward pass of a training step; :attr:`terms` then holds
    one scalar per regularized output tensor.
    """

    def __init__(self, layers: list[Layer]) -> None:
        self.layers = list(activity_layers(layers))
        self.terms: list[torch.Tensor] = []
        self._handles: list[Any] = []

    def __enter__(self) -> ActivityPenalties:
        self.terms = []
        for layer in self.layers:
            regularizer = layer.activity_regularizer

            def hook(module: Any, args: Any, output: Any, regularizer: Any = regularizer) -> None:
                outputs = output if isinstance(output, (list, tuple)) else [output]
                for tensor in outputs:
                    term = penalty(regularizer, tensor)
                    if tensor.dim() > 0 and tensor.shape[0] > 0:
                        term = term / tensor.shape[0]
                    self.terms.append(term)

            self._handles.append(layer.module.register_forward_hook(hook))
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []


def total_penalty(layers: list[Layer], activity: ActivityPenalties | None) -> torch.Tensor | None:
    """The sum of every weight and activity term, or None when there is none."""
    terms = weight_penalties(layers) + (activity.terms if activity is not None else [])
    if not terms:
        return None
    return torch.stack([t.to(terms[0].dtype) for t in terms]).sum()


def model_losses(model: Any) -> list[torch.Tensor]:
    """Keras's ``model.losses``: the last training step's activity terms, then weight terms."""
    state = model.training_state
    activity = list(state.activity_terms) if state is not None else []
    return activity + weight_penalties(model.layers)
