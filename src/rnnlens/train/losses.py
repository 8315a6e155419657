"""Keras's losses on torch tensors, called ``loss(y_true, y_pred)`` as Keras calls them.

Each returns the mean over every sample (and time step), which is Keras's default
``sum_over_batch_size`` reduction. Probabilities are clipped to ``[1e-7, 1 - 1e-7]`` before a
logarithm, as Keras does, so a confident wrong answer costs ``-log(1e-7) ≈ 16.1``, not infinity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..errors import ConfigError

EPSILON = 1e-7  # Keras's backend.epsilon()


@dataclass(frozen=True)
class Loss:
    """A named loss; ``target`` says what ``y_true`` must look like for the output.

    ``target`` is ``"same"`` (the output's shape), ``"sparse"`` (class indices: the output's
    shape without its last axis) or ``"any"`` (not checked: a user-supplied function).
    """

    name: str
    function: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    target: str = "same"
    from_logits: bool = False

    def __call__(self, y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
        return self.function(y_true, y_pred)


def mean_squared_error(y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
    """``mean((y_pred - y_true)^2)``."""
    return F.mse_loss(y_pred, y_true)


def mean_absolute_error(y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
    """``mean(|y_pred - y_true|)``."""
    return F.l1_loss(y_pred, y_true)


def huber(y_true: torch.Tensor, y_pred: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    """``0.5·e²`` where ``|e| ≤ delta``, else ``delta·(|e| - 0.5·delta)``; averaged."""
    return F.huber_loss(y_pred, y_true, delta=delta)


def binary_crossentropy(
    y_true: torch.Tensor, y_pred: torch.Tensor, from_logits: bool = False
) -> torch.Tensor:
    """``-mean(y·log p + (1-y)·log(1-p))``, ``p`` clipped (or ``sigmoid(logits)``)."""
    if from_logits:
        return F.binary_cross_entropy_with_logits(y_pred, y_true)
    p = y_pred.clamp(EPSILON, 1.0 - EPSILON)
    return -(y_true * torch.log(p) + (1.0 - y_true) * torch.log1p(-p)).mean()


def categorical_crossentropy(
    y_true: torch.Tensor, y_pred: torch.Tensor, from_logits: bool = False
) -> torch.Tensor:
    """``-mean over samples of sum_k y_k·log p_k``, ``p`` renormalised and clipped."""
    return -(y_true * _log_probabilities(y_pred, from_logits)).sum(-1).mean()


def sparse_categorical_crossentropy(
    y_true: torch.Tensor, y_pred: torch.Tensor, from_logits: bool = False
) -> torch.Tensor:
    """Categorical cross-entropy with class indices ``y_true`` instead of one-hot rows."""
    log_p = _log_probabilities(y_pred, from_logits)
    return -log_p.gather(-1, y_true.long().unsqueeze(-1)).mean()


def _log_probabilities(y_pred: torch.Tensor, from_logits: bool) -> torch.Tensor:
    if from_logits:
        return F.log_softmax(y_pred, dim=-1)
    p = y_pred / y_pred.sum(-1, keepdim=True)
    return torch.log(p.clamp(EPSILON, 1.0 - EPSILON))


_NAMES = {
    "mse": "mean_squared_error",
    "mean_squared_error": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mean_absolute_error": "mean_absolute_error",
    "huber": "huber",
    "huber_loss": "huber",
    "binary_crossentropy": "binary_crossentropy",
    "bce": "binary_crossentropy",
    "categorical_crossentropy": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
}
_WITH_LOGITS = {
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
}


def get_loss(identifier: object, *, from_logits: bool = False) -> Loss:
    """A :class:`Loss` from a Keras name, a :class:`Loss`, a torch loss module or a function.

    >>> get_loss("mse").name
    'mean_squared_error'
    >>> get_loss("sparse_categorical_crossentropy", from_logits=True).target
    'sparse'

    Args:
        identifier: a name such as ``"mse"``; a :class:`Loss` (e.g. from
            :func:`BinaryCrossentropy`); a ``torch.nn`` loss module, called
            ``module(y_pred, y_true)`` as torch orders them; or a function
            ``f(y_true, y_pred)`` returning a scalar tensor, as Keras orders them.
        from_logits: for the cross-entropies: the model outputs logits, not probabilities.

    Raises:
        ConfigError: an unknown name, or ``from_logits`` for a loss without that option.
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        name = _NAMES.get(identifier.lower())
        if name is None:
            raise ConfigError(
                f"unknown loss {identifier!r}; rnnlens knows {sorted(set(_NAMES))}, or pass a "
                "function f(y_true, y_pred) returning a scalar tensor"
            )
        if from_logits and name not in _WITH_LOGITS:
            raise ConfigError(f"from_logits=True applies to cross-entropy losses, not {name!r}")
        function: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = globals()[name]
        if name in _WITH_LOGITS:
            base = function

            def function(t: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
                return base(t, p, from_logits)  # type: ignore[call-arg]

        target = "sparse" if name.startswith("sparse") else "same"
        return Loss(name, function, target, from_logits)
    if isinstance(identifier, torch.nn.Module):
        module = identifier
        return Loss(type(module).__name__, lambda t, p: module(p, t), "any")
    if callable(identifier):
        return Loss(getattr(identifier, "__name__", "loss"), identifier, "any")
    raise ConfigError(
        f"loss must be a name such as 'mse', a torch loss module or a function, received {identifier!r}"
    )


def BinaryCrossentropy(from_logits: bool = False) -> Loss:
    """Keras's ``BinaryCrossentropy`` loss object."""
    return get_loss("binary_crossentropy", from_logits=from_logits)


def CategoricalCrossentropy(from_logits: bool = False) -> Loss:
    """Keras's ``CategoricalCrossentropy`` loss object."""
    return get_loss("categorical_crossentropy", from_logits=from_logits)


def SparseCategoricalCrossentropy(from_logits: bool = False) -> Loss:
    """Keras's ``SparseCategoricalCrossentropy`` loss object."""
    return get_loss("sparse_categorical_crossentropy", from_logits=from_logits)


def Huber(delta: float = 1.0) -> Loss:
    """Keras's ``Huber`` loss object with threshold ``delta``."""
    return Loss("huber", lambda t, p: huber(t, p, delta))


def MeanSquaredError() -> Loss:
    """Keras's ``MeanSquaredError`` loss object."""
    return get_loss("mse")


def MeanAbsoluteError() -> Loss:
    """Keras's ``MeanAbsoluteError`` loss object."""
    return get_loss("mae")
