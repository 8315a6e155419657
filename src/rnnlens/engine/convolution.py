"""``Conv1DModule``: torch's conv1d on (B, D, T), with Keras's padding rules and kernel layout."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ..layers.convolution import Conv1D
from .activations import activation
from .base import LayerModule
from .initializers import initialize


def same_padding(length: int, size: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """Zeros before and after for ``padding="same"``: the odd one goes after, as TF/Keras.

    >>> same_padding(10, 3, 1), same_padding(10, 4, 2)
    ((1, 1), (1, 1))
    """
    span = dilation * (size - 1) + 1
    total = max((math.ceil(length / stride) - 1) * stride + span - length, 0)
    return total // 2, total - total // 2


class Conv1DModule(LayerModule):
    """(B, T, D) -> (B, T', F); ``kernel`` (k, D/groups, F) as Keras, ``bias`` (F,).

    The time-step mask stops here, as Keras 3's Conv1D does not support masking.
    """

    def __init__(self, spec: Conv1D) -> None:
        super().__init__()
        self.spec = spec
        shapes = {w.name: w.shape for w in spec.weight_specs()}
        self.kernel = nn.Parameter(torch.empty(shapes["kernel"]))
        self.bias = nn.Parameter(torch.empty(shapes["bias"])) if "bias" in shapes else None
        self.activation = activation(spec.activation)
        initialize(self.kernel, spec.kernel_initializer)
        if self.bias is not None:
            initialize(self.bias, spec.bias_initializer)

    def keras_parameters(self) -> list[nn.Parameter]:
        return [p for p in (self.kernel, self.bias) if p is not None]

    def propagates_mask(self) -> bool:
        return False

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        spec = self.spec
        x = x.transpose(1, 2)  # (B, T, D) -> (B, D, T)
        k, r = spec.kernel_size, spec.dilation_rate
        if spec.padding == "causal":
            x = F.pad(x, (r * (k - 1), 0))
        elif spec.padding == "same":
            x = F.pad(x, same_padding(x.shape[-1], k, spec.strides, r))
        weight = self.kernel.permute(2, 1, 0)  # (k, D/g, F) -> (F, D/g, k)
        y = F.conv1d(x, weight, self.bias, stride=spec.strides, dilation=r, groups=spec.groups)
        return self.activation(y.transpose(1, 2))  # (B, F, T') -> (B, T', F)
