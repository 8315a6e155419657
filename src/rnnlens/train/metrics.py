"""Metrics reported next to the loss: ``mae``, ``mse`` and Keras's three accuracies.

``"accuracy"`` is resolved as Keras resolves it, from the shapes of target and output: a
single output unit means binary accuracy, a target with fewer axes than the output (or a last
axis of 1 against several classes) means sparse categorical accuracy, anything else
categorical accuracy. Binary accuracy thresholds probabilities at 0.5, or logits at 0 when the
loss was compiled with ``from_logits=True`` (Keras would keep 0.5 there).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..errors import ConfigError

MetricFunction = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def mean_absolute_error(y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
    return (y_pred - y_true).abs().mean()


def mean_squared_error(y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
    return (y_pred - y_true).square().mean()


def binary_accuracy(threshold: float) -> MetricFunction:
    def accuracy(y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
        return ((y_pred > threshold).to(y_pred.dtype) == y_true).to(y_pred.dtype).mean()

    return accuracy


def categorical_accuracy(y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
    return (y_pred.argmax(-1) == y_true.argmax(-1)).to(y_pred.dtype).mean()


def sparse_categorical_accuracy(y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
    labels = y_true.reshape(y_pred.shape[:-1]).long()
    return (y_pred.argmax(-1) == labels).to(y_pred.dtype).mean()


_FIXED: dict[str, MetricFunction] = {
    "mae": mean_absolute_error,
    "mean_absolute_error": mean_absolute_error,
    "mse": mean_squared_error,
    "mean_squared_error": mean_squared_error,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
}


def resolve_metric(
    identifier: object,
    target_shape: tuple[int, ...],
    output_shape: tuple[int, ...],
    from_logits: bool,
) -> tuple[str, MetricFunction]:
    """The reported name and the function for one entry of ``compile(metrics=[...])``.

    >>> resolve_metric("accuracy", (8, 1), (8, 1), False)[0]
    'accuracy'

    Args:
        identifier: a name (``"mae"``, ``"accuracy"``, ...) or a function ``f(y_true, y_pred)``.
        target_shape, output_shape: shapes of one batch of targets and outputs.
        from_logits: whether the loss treats outputs as logits (moves the binary threshold).

    Raises:
        ConfigError: an unknown metric name.
    """
    if callable(identifier) and not isinstance(identifier, str):
        return getattr(identifier, "__name__", "metric"), identifier
    if not isinstance(identifier, str):
        raise ConfigError(f"a metric must be a name or a function, received {identifier!r}")
    key = identifier.lower()
    if key in ("accuracy", "acc"):
        if output_shape[-1] == 1:
            return identifier, binary_accuracy(0.0 if from_logits else 0.5)
        if len(target_shape) < len(output_shape) or target_shape[-1] == 1:
            return identifier, sparse_categorical_accuracy
        return identifier, categorical_accuracy
    if key == "binary_accuracy":
        return identifier, binary_accuracy(0.0 if from_logits else 0.5)
    if key in _FIXED:
        return identifier, _FIXED[key]
    raise ConfigError(
        f"unknown metric {identifier!r}; rnnlens knows {sorted([*_FIXED, 'accuracy', 'binary_accuracy'])}"
    )
