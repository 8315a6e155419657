"""Modules without weights: Activation, Reshape, Permute, SpatialDropout1D."""

from __future__ import annotations

import torch

from ..layers.activation import Activation
from ..layers.reshaping import Permute, Reshape
from ..layers.spatial_dropout import SpatialDropout1D
from .activations import activation
from .base import LayerModule


class ActivationModule(LayerModule):
    """The activation elementwise; the mask passes on."""

    def __init__(self, spec: Activation) -> None:
        super().__init__()
        self.function = activation(spec.activation)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return self.function(x)


class ReshapeModule(LayerModule):
    """(B, ...) -> (B, *target_shape); the mask stops here, as in Keras."""

    def __init__(self, spec: Reshape) -> None:
        super().__init__()
        self.target_shape = spec.target_shape

    def propagates_mask(self) -> bool:
        return False

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.target_shape)


class PermuteModule(LayerModule):
    """Reorders the axes after the batch; the mask stops here, as in Keras."""

    def __init__(self, spec: Permute) -> None:
        super().__init__()
        self.order = (0, *spec.dims)

    def propagates_mask(self) -> bool:
        return False

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return x.permute(self.order)


class SpatialDropout1DModule(LayerModule):
    """While training, one keep/drop draw per (sample, channel), shared by every step."""

    def __init__(self, spec: SpatialDropout1D) -> None:
        super().__init__()
        self.rate = spec.rate

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        if not self.training or self.rate == 0:
            return x
        shape = (x.shape[0], 1, x.shape[2])  # (B, 1, D): the noise shape Keras uses
        keep = (torch.rand(shape, device=x.device, dtype=x.dtype) >= self.rate).to(x.dtype)
        return x * keep / (1.0 - self.rate)
