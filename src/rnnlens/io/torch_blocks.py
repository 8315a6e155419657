"""Stock-torch blocks for the layers around the recurrent ones (used by ``to_torch``).

Each block computes its layer exactly in ``eval()`` mode with ``torch.nn`` parts, the
channels-last layout kept by transposing around torch's channels-first ``Conv1d``, pooling
and ``BatchNorm1d``. Layers whose output depends on a time-step mask (``Embedding`` with
``mask_zero=True``) have no such form and are refused by the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ..engine.convolution import same_padding
from ..errors import ConfigError
from ..layers import (
    RNN,
    Activation,
    AveragePooling1D,
    BatchNormalization,
    Conv1D,
    Embedding,
    GlobalAveragePooling1D,
    Layer,
    LayerNormalization,
    Permute,
    Reshape,
    SpatialDropout1D,
)
from ..layers.pooling import GlobalPooling1D, Pooling1D


class ChannelsFirst(nn.Module):
    """Runs a channels-first torch module on (B, T, D): (B, D, T) in, (B, T', D') out."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x.transpose(1, 2)).transpose(1, 2)


class Pad(nn.Module):
    """Pads the last axis (time, in channels-first layout): zeros, -inf or the edge values."""

    def __init__(
        self, mode: str, padding: Callable[[int], tuple[int, int]], value: float = 0.0
    ) -> None:
        super().__init__()
        self.mode, self.padding, self.value = mode, padding, value

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pad = self.padding(x.shape[-1])
        if self.mode == "replicate":
            return F.pad(x, pad, mode="replicate")
        return F.pad(x, pad, value=self.value)


class Lookup(nn.Embedding):
    """``nn.Embedding`` that accepts the float ids rnnlens's predict hands on."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.long())


class Reduce(nn.Module):
    """Mean or max over time: (B, T, D) -> (B, D) or (B, 1, D)."""

    def __init__(self, average: bool, keepdims: bool) -> None:
        super().__init__()
        self.average, self.keepdims = average, keepdims

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.average:
            return x.mean(dim=1, keepdim=self.keepdims)
        return x.amax(dim=1, keepdim=self.keepdims)


class Shaped(nn.Module):
    """Reshape (``target``) or permute (``order``) the axes after the batch."""

    def __init__(
        self, target: tuple[int, ...] | None = None, order: tuple[int, ...] | None = None
    ) -> None:
        super().__init__()
        self.target, self.order = target, order

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.target is not None:
            return x.reshape(x.shape[0], *self.target)
        assert self.order is not None
        return x.permute(0, *self.order)


class StepWise(nn.Module):
    """TimeDistributed: the block on every step, (B, T, ...) -> (B·T, ...) -> (B, T, ...)."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, time = x.shape[:2]
        out = self.inner(x.reshape(batch * time, *x.shape[2:]))
        return out.reshape(batch, time, *out.shape[1:])


class Chain(nn.Module):
    """RNN(cells): one block per cell, the input flipped once for ``go_backwards``."""

    def __init__(self, blocks: list[nn.Module], go_backwards: bool) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(blocks)
        self.go_backwards = go_backwards

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.go_backwards:
            x = x.flip(1)
        for block in self.blocks:
            x = block(x)
        return x


def _tensor(array: Any) -> torch.Tensor:
    return torch.tensor(array, dtype=torch.float32)


def layer_block(
    layer: Layer, recurse: Callable[[Layer], nn.Module], activations: dict[str, Any]
) -> nn.Module | None:
    """The torch block for one of the layers above, or None for a layer it does not know.

    ``recurse`` builds the blocks of inner layers (the recurrent ones of an ``RNN``);
    ``activations`` maps Keras activation names to torch module factories.

    Raises:
        ConfigError: the layer has no exact stock-torch form (named, with the reason).
    """
    if isinstance(layer, Embedding):
        if layer.mask_zero:
            raise ConfigError(
                f"{layer.describe()}: mask_zero=True makes the layers after it skip padding, "
                "which torch's recurrent modules cannot; use model.module, or mask_zero=False"
            )
        (table,) = layer.get_weights()
        lookup = Lookup(layer.input_dim, layer.output_dim)
        with torch.no_grad():
            lookup.weight.copy_(_tensor(table))
        return lookup
    if isinstance(layer, Activation):
        return _activation(layer, layer.activation, activations)
    if isinstance(layer, Conv1D):
        return _conv(layer, activations)
    if isinstance(layer, Pooling1D):
        return _pooling(layer)
    if isinstance(layer, GlobalPooling1D):
        return Reduce(isinstance(layer, GlobalAveragePooling1D), layer.keepdims)
    if isinstance(layer, BatchNormalization):
        return _batch_norm(layer)
    if isinstance(layer, LayerNormalization):
        weights = iter(layer.get_weights())
        norm = nn.LayerNorm(
            layer.weight_specs()[0].shape[0] if layer.weight_specs() else 1,
            eps=layer.epsilon,
            elementwise_affine=layer.scale,
            bias=layer.center,
        )
        with torch.no_grad():
            if norm.weight is not None:
                norm.weight.copy_(_tensor(next(weights)))
            if norm.bias is not None:
                norm.bias.copy_(_tensor(next(weights)))
        return norm
    if isinstance(layer, Reshape):
        target = layer.output_shape
        assert isinstance(target, tuple)
        return Shaped(target=tuple(-1 if d is None else d for d in target[1:]))
    if isinstance(layer, Permute):
        return Shaped(order=layer.dims)
    if isinstance(layer, SpatialDropout1D):
        return ChannelsFirst(nn.Dropout1d(layer.rate))
    if isinstance(layer, RNN):
        if layer.return_state:
            raise ConfigError(f"{layer.describe()}: return_state=True has no to_torch form yet")
        return Chain([recurse(inner) for inner in layer.chain], layer.go_backwards)
    return None


def _activation(layer: Layer, name: str, activations: dict[str, Any]) -> nn.Module:
    if name not in activations:
        raise ConfigError(f"{layer.describe()}: activation {name!r} has no torch.nn module")
    module: nn.Module = activations[name]()
    return module


def _conv(layer: Conv1D, activations: dict[str, Any]) -> nn.Module:
    weights = layer.get_weights()
    k, per_group, filters = weights[0].shape
    conv = nn.Conv1d(
        per_group * layer.groups,
        filters,
        k,
        stride=layer.strides,
        dilation=layer.dilation_rate,
        groups=layer.groups,
        bias=layer.use_bias,
    )
    with torch.no_grad():
        conv.weight.copy_(_tensor(weights[0]).permute(2, 1, 0))  # (k, D/g, F) -> (F, D/g, k)
        if conv.bias is not None:
            conv.bias.copy_(_tensor(weights[1]))
    parts: list[nn.Module] = []
    r = layer.dilation_rate
    if layer.padding == "causal":
        parts.append(Pad("constant", lambda _: (r * (k - 1), 0)))
    elif layer.padding == "same":
        parts.append(Pad("constant", lambda t: same_padding(t, k, layer.strides, r)))
    parts.append(conv)
    return nn.Sequential(
        ChannelsFirst(nn.Sequential(*parts)), _activation(layer, layer.activation, activations)
    )


def _pooling(layer: Pooling1D) -> nn.Module:
    size, stride = layer.pool_size, layer.strides
    average = isinstance(layer, AveragePooling1D)
    pool: nn.Module = nn.AvgPool1d(size, stride) if average else nn.MaxPool1d(size, stride)
    if layer.padding == "valid":
        return ChannelsFirst(pool)

    def padding(t: int) -> tuple[int, int]:
        return same_padding(t, size, stride)

    if average:
        # Keras's torch backend: even padding is left out of the mean, uneven repeats the edge.
        return ChannelsFirst(_SamePadAverage(size, stride))
    return ChannelsFirst(nn.Sequential(Pad("constant", padding, float("-inf")), pool))


class _SamePadAverage(nn.Module):
    def __init__(self, size: int, stride: int) -> None:
        super().__init__()
        self.size, self.stride = size, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        left, right = same_padding(x.shape[-1], self.size, self.stride)
        if left == right:
            return F.avg_pool1d(x, self.size, self.stride, padding=left, count_include_pad=False)
        return F.avg_pool1d(F.pad(x, (left, right), mode="replicate"), self.size, self.stride)


def _batch_norm(layer: BatchNormalization) -> nn.Module:
    weights = iter(layer.get_weights())
    n = layer.weight_specs()[0].shape[0]
    norm = nn.BatchNorm1d(n, eps=layer.epsilon, momentum=1.0 - layer.momentum)
    with torch.no_grad():
        norm.weight.copy_(_tensor(next(weights)) if layer.scale else torch.ones(n))
        norm.bias.copy_(_tensor(next(weights)) if layer.center else torch.zeros(n))
        assert norm.running_mean is not None and norm.running_var is not None
        norm.running_mean.copy_(_tensor(next(weights)))
        norm.running_var.copy_(_tensor(next(weights)))
    rank = len(layer.input_shape or ())
    return ChannelsFirst(norm) if rank == 3 else norm
