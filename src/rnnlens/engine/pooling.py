"""Pooling modules: windows along time (max, mean) and over the whole sequence."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..layers.pooling import AveragePooling1D, GlobalAveragePooling1D, GlobalPooling1D, Pooling1D
from .base import LayerModule
from .convolution import same_padding


class Pooling1DModule(LayerModule):
    """(B, T, D) -> (B, T', D), as Keras 3 on its torch backend computes it.

    ``same`` padding never wins a max. For the mean, padding is left out of the count when it
    is even on both sides, and filled by repeating the edge step when it is not (the odd
    step goes after), which is what Keras's torch backend does.
    """

    def __init__(self, spec: Pooling1D) -> None:
        super().__init__()
        self.spec = spec
        self.average = isinstance(spec, AveragePooling1D)

    def propagates_mask(self) -> bool:
        return False

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        spec = self.spec
        x = x.transpose(1, 2)  # (B, T, D) -> (B, D, T)
        size, stride = spec.pool_size, spec.strides
        pad = same_padding(x.shape[-1], size, stride) if spec.padding == "same" else (0, 0)
        if not self.average:
            y = F.max_pool1d(F.pad(x, pad, value=float("-inf")), size, stride)
        elif pad[0] == pad[1]:
            # Keras (torch backend) leaves the padding out of the mean ...
            y = F.avg_pool1d(x, size, stride, padding=pad[0], count_include_pad=False)
        else:
            # ... except when the padding is uneven: it then repeats the edge steps.
            y = F.avg_pool1d(F.pad(x, pad, mode="replicate"), size, stride)
        return y.transpose(1, 2)  # (B, D, T') -> (B, T', D)


class GlobalPooling1DModule(LayerModule):
    """(B, T, D) -> (B, D) (or (B, 1, D)); the average counts only unmasked steps."""

    def __init__(self, spec: GlobalPooling1D) -> None:
        super().__init__()
        self.spec = spec
        self.average = isinstance(spec, GlobalAveragePooling1D)

    def propagates_mask(self) -> bool:
        return False

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        keep = self.spec.keepdims
        if not self.average:
            return x.amax(dim=1, keepdim=keep)
        if mask is None:
            return x.mean(dim=1, keepdim=keep)
        weights = mask.to(x.dtype).unsqueeze(-1)  # (B, T, 1)
        return (x * weights).sum(dim=1, keepdim=keep) / weights.sum(dim=1, keepdim=keep)
