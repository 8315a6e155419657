"""BatchNormalization and LayerNormalization modules (last axis, Keras's update rule)."""

from __future__ import annotations

import torch
from torch import nn

from ..layers.normalization import BatchNormalization, LayerNormalization
from ..layers.objects import Initializer
from .base import LayerModule
from .initializers import initialize


def _vector(n: int, initializer: str | Initializer, trainable: bool = True) -> nn.Parameter:
    parameter = nn.Parameter(torch.empty(n), requires_grad=trainable)
    initialize(parameter, initializer)
    return parameter


class BatchNormalizationModule(LayerModule):
    """Batch statistics while training (updating the moving ones), moving ones otherwise.

    The moving statistics are parameters without gradient: optimizers skip them, while
    ``get_weights``/``set_weights``, ``.to(device)`` and saving treat them as weights, as
    Keras treats non-trainable variables.
    """

    def __init__(self, spec: BatchNormalization) -> None:
        super().__init__()
        self.spec = spec
        n = spec.weight_specs()[0].shape[0]
        self.gamma = _vector(n, spec.gamma_initializer) if spec.scale else None
        self.beta = _vector(n, spec.beta_initializer) if spec.center else None
        self.moving_mean = _vector(n, spec.moving_mean_initializer, trainable=False)
        self.moving_variance = _vector(n, spec.moving_variance_initializer, trainable=False)

    def keras_parameters(self) -> list[nn.Parameter]:
        weights = (self.gamma, self.beta, self.moving_mean, self.moving_variance)
        return [p for p in weights if p is not None]

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        spec = self.spec
        axes = tuple(range(x.dim() - 1))  # every axis but the features
        if self.training and spec.trainable:
            mean, variance = _moments(x, axes, mask)
            with torch.no_grad():
                m = spec.momentum
                self.moving_mean.mul_(m).add_(mean.detach(), alpha=1 - m)
                self.moving_variance.mul_(m).add_(variance.detach(), alpha=1 - m)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        y = (x - mean) * torch.rsqrt(variance + spec.epsilon)
        if self.gamma is not None:
            y = y * self.gamma
        if self.beta is not None:
            y = y + self.beta
        return y


def _moments(
    x: torch.Tensor, axes: tuple[int, ...], mask: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and biased variance per feature; with a (B, T) mask over the real steps only."""
    if mask is None or mask.dim() != x.dim() - 1:
        return x.mean(dim=axes), x.var(dim=axes, unbiased=False)
    weights = mask.to(x.dtype).unsqueeze(-1).expand_as(x)  # (B, T, D)
    count = weights.sum(dim=axes) + 1e-7  # Keras adds its epsilon() to the count
    mean = (x * weights).sum(dim=axes) / count
    variance = (((x - mean) * weights) ** 2).sum(dim=axes) / count
    return mean, variance


class LayerNormalizationModule(LayerModule):
    """``γ · (x − mean) / sqrt(var + epsilon) + β`` over each vector's features."""

    def __init__(self, spec: LayerNormalization) -> None:
        super().__init__()
        self.spec = spec
        n = spec.weight_specs()[0].shape[0] if spec.weight_specs() else 0
        self.gamma = _vector(n, spec.gamma_initializer) if spec.scale else None
        self.beta = _vector(n, spec.beta_initializer) if spec.center else None

    def keras_parameters(self) -> list[nn.Parameter]:
        return [p for p in (self.gamma, self.beta) if p is not None]

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        mean = x.mean(dim=-1, keepdim=True)
        variance = x.var(dim=-1, unbiased=False, keepdim=True)
        y = (x - mean) * torch.rsqrt(variance + self.spec.epsilon)
        if self.gamma is not None:
            y = y * self.gamma
        if self.beta is not None:
            y = y + self.beta
        return y
