"""Modules for the non-recurrent layers."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import ShapeError
from ..layers import Dense, Dropout, Flatten, Masking, RepeatVector, TimeDistributed
from .activations import activation
from .base import LayerModule
from .initializers import initialize


class DenseModule(LayerModule):
    """``activation(x · kernel + bias)`` on the last axis; kernel (D, U) as Keras."""

    def __init__(self, spec: Dense) -> None:
        super().__init__()
        self.spec = spec
        shapes = {w.name: w.shape for w in spec.weight_specs()}
        self.kernel = nn.Parameter(torch.empty(shapes["kernel"]))
        self.bias = nn.Parameter(torch.empty(shapes["bias"])) if "bias" in shapes else None
        initialize(self.kernel, spec.kernel_initializer)
        if self.bias is not None:
            initialize(self.bias, spec.bias_initializer)

    def keras_parameters(self) -> list[nn.Parameter]:
        return [p for p in (self.kernel, self.bias) if p is not None]

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        if x.shape[-1] != self.kernel.shape[0]:
            raise ShapeError(
                f'Input 0 of layer "{self.spec.name}" is incompatible with the layer: expected '
                f"axis -1 of input shape to have value {self.kernel.shape[0]}, but received "
                f"input with shape {tuple(x.shape)}: {self.spec.describe()} was built for "
                f"{self.kernel.shape[0]} features"
            )
        # read at every call, so that setting layer.activation afterwards counts (as Keras)
        return activation(self.spec.activation or "linear")(F.linear(x, self.kernel.t(), self.bias))


class DropoutModule(LayerModule):
    """Inverted dropout while training (kept values scaled by 1/(1-rate)); identity otherwise."""

    def __init__(self, spec: Dropout) -> None:
        super().__init__()
        self.rate = spec.rate
        self.noise_shape = spec.noise_shape
        self.seed = spec.seed
        # With seed=..., masks come from the layer's own generator (Keras's SeedGenerator):
        # the same sequence of masks on every run, whatever else draws random numbers.
        self.generator: torch.Generator | None = None

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        if not self.training or self.rate == 0:
            return x
        if self.rate == 1:
            return torch.zeros_like(x)
        if self.noise_shape is None and self.seed is None:
            return F.dropout(x, self.rate, training=True)
        if self.seed is not None and (self.generator is None or self.generator.device != x.device):
            self.generator = torch.Generator(device=x.device).manual_seed(self.seed)
        noise = self.noise_shape or (None,) * x.dim()
        shape = [x.shape[i] if d is None else d for i, d in enumerate(noise)]
        draw = torch.rand(shape, device=x.device, dtype=x.dtype, generator=self.generator)
        keep = (draw >= self.rate).to(x.dtype)
        return x * keep / (1.0 - self.rate)


class RepeatVectorModule(LayerModule):
    """(B, D) -> (B, n, D); the mask stops here, as in Keras."""

    def __init__(self, spec: RepeatVector) -> None:
        super().__init__()
        self.n = spec.n

    def propagates_mask(self) -> bool:
        return False

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return x.unsqueeze(1).expand(-1, self.n, -1)  # (B, D) -> (B, n, D)


class MaskingModule(LayerModule):
    """Zeroes padded steps and starts a (B, T) mask of the real ones."""

    def __init__(self, spec: Masking) -> None:
        super().__init__()
        self.mask_value = spec.mask_value

    def next_mask(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor | None:
        return (x != self.mask_value).any(dim=-1)  # (B, T)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        keep = (x != self.mask_value).any(dim=-1, keepdim=True)
        return x * keep.to(x.dtype)


class FlattenModule(LayerModule):
    """(B, ...) -> (B, product of the rest); the mask stops here."""

    def __init__(self, spec: Flatten) -> None:
        super().__init__()

    def propagates_mask(self) -> bool:
        return False

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return x.reshape(x.shape[0], -1)


class TimeDistributedModule(LayerModule):
    """The wrapped layer applied to every step: (B, T, ...) -> (B·T, ...) -> (B, T, ...)."""

    def __init__(self, spec: TimeDistributed) -> None:
        super().__init__()
        inner = spec.layer.module
        assert isinstance(inner, LayerModule)
        self.inner = inner

    def keras_parameters(self) -> list[nn.Parameter]:
        return self.inner.keras_parameters()

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        batch, time = x.shape[:2]
        if mask is not None and tuple(mask.shape[:2]) != (batch, time):
            from ..errors import ShapeError

            raise ShapeError(
                f"The `mask` passed to the `TimeDistributed` layer has a shape "
                f"{tuple(mask.shape)} whose first two axes do not match the input's (batch, "
                f"time) = {(batch, time)}: give a mask of shape ({batch}, {time})"
            )
        out = self.inner(x.reshape(batch * time, *x.shape[2:]))  # (B·T, ...)
        return out.reshape(batch, time, *out.shape[1:])
