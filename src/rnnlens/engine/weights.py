"""Keras-order weight lists in and out of the modules, with shape checks that name the layer."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
