"""Keras-order weight lists in and out of the modules, with shape checks that name the layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ..errors import ShapeError
from .base import LayerModule

if TYPE_CHECKING:
    from ..layers import Layer


def _parameters(layer: Layer) -> list[torch.nn.Parameter]:
    module = layer.module
    assert isinstance(module, LayerModule)
    return module.keras_parameters()


def get_layer_weights(layer: Layer) -> list[np.ndarray]:
    """Copies of the layer's weights as numpy arrays, Keras order and layout."""
    return [p.detach().cpu().numpy().copy() for p in _parameters(layer)]


def set_layer_weights(layer: Layer, weights: list[np.ndarray]) -> None:
    """Copy Keras-layout arrays into the layer's parameters; all are checked before any is written.

    Raises:
        ShapeError: wrong number of arrays, a wrong shape, or a non-numeric array.
    """
    specs = layer.weight_specs()
    if len(weights) != len(specs):
        raise ShapeError(
            f"{layer.describe()} has {len(specs)} weight arrays "
            f"({', '.join(f'{s.name} {s.shape}' for s in specs) or 'none'}), received {len(weights)}"
        )
    arrays = []
    for spec, value in zip(specs, weights):
        array = np.asarray(value)
        if array.shape != spec.shape:
            raise ShapeError(
                f"{layer.describe()}: weight '{spec.name}' must have shape {spec.shape}, "
                f"received {array.shape}"
            )
        if not np.issubdtype(array.dtype, np.number):
            raise ShapeError(
                f"{layer.describe()}: weight '{spec.name}' must be numeric, received {array.dtype}"
            )
        arrays.append(array)
    with torch.no_grad():
        for parameter, array in zip(_parameters(layer), arrays):
            # torch.tensor copies; as_tensor would share a read-only array and warn
            parameter.copy_(torch.tensor(array, dtype=parameter.dtype))


def layer_variables(layer: Layer) -> list[tuple[Layer, str, torch.nn.Parameter, bool]]:
    """``(owner, weight name, parameter, trains)`` for every weight, in ``get_weights()`` order."""
    out = []
    from ..layers.wrappers import weight_owners

    for leaf, trains in weight_owners(layer):
        if not leaf.weight_specs():
            continue
        for spec, parameter in zip(leaf.weight_specs(), _parameters(leaf)):
            out.append((leaf, spec.name, parameter, trains))
    return out


def sync_trainable(layers: list[Layer]) -> None:
    """Set ``requires_grad`` from the layers' ``trainable`` flags (frozen weights get none)."""
    for layer in layers:
        for _, _, parameter, trains in layer_variables(layer):
            if parameter.requires_grad != trains:
                parameter.requires_grad_(trains)


def option_of(owner: Layer, weight: str, kind: str) -> Any:
    """A weight's ``regularizer`` or ``constraint`` option (``recurrent_kernel`` ->
    ``recurrent_regularizer``, as Keras names them); None when the layer has none."""
    prefix = "recurrent" if weight == "recurrent_kernel" else weight
    return getattr(owner, f"{prefix}_{kind}", None)
