"""Optimizers by Keras name or object, updating exactly as Keras 3 does.

| name      | class (``rnnlens.train.keras_optimizers``) | Keras defaults                          |
|-----------|---------------------------------------------|-----------------------------------------|
| adam      | ``Adam``    | lr 1e-3, beta_1 0.9, beta_2 0.999, epsilon 1e-7                          |
| adamw     | ``AdamW``   | as Adam, weight_decay 0.004                                               |
| sgd       | ``SGD``     | lr 1e-2, momentum 0, nesterov False                                       |
| rmsprop   | ``RMSprop`` | lr 1e-3, rho 0.9, momentum 0, epsilon 1e-7, centered False                |

They are torch optimizers whose ``step`` is Keras's update (epsilon added to ``sqrt(v)``,
bias corrections folded into the step size, decoupled weight decay, clipping inside the
step); see :mod:`rnnlens.train.keras_optimizers`. A ready ``torch.optim.Optimizer`` or a
factory is used as given; ``clipnorm``/``global_clipnorm`` from ``compile`` then clip with
:func:`clip_gradients` before its step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch

from ..errors import ConfigError
from .keras_optimizers import OPTIMIZERS, KerasOptimizer

# torch's spellings, accepted next to Keras's for the names above
_TORCH_SPELLINGS = {"lr": "learning_rate", "eps": "epsilon", "alpha": "rho"}


def make_optimizer(
    identifier: Any,
    parameters: Iterable[torch.nn.Parameter],
    *,
    learning_rate: Any = None,
    names: dict[int, str] | None = None,
    **hyper: Any,
) -> torch.optim.Optimizer:
    """An optimizer over ``parameters`` from a Keras name, a Keras-style object or a torch one.

    >>> p = [torch.nn.Parameter(torch.zeros(2))]
    >>> opt = make_optimizer("adam", p)
    >>> type(opt).__name__, opt.hyper["epsilon"], opt.learning_rate
    ('Adam', 1e-07, 0.001)

    Args:
        identifier: ``"adam"``, ``"adamw"``, ``"sgd"``, ``"rmsprop"``; an unbound
            :class:`~rnnlens.train.keras_optimizers.KerasOptimizer` such as
            ``Adam(learning_rate=0.01)``; a ready ``torch.optim.Optimizer`` (built over
            ``model.module.parameters()``); or a factory called with the parameters.
        learning_rate: a number or a schedule; overrides the optimizer's.
        names: ``id(parameter) -> "layer/weight"``, for ``exclude_from_weight_decay``.
        hyper: more Keras arguments (``momentum``, ``weight_decay``, ``clipnorm``...).

    Raises:
        ConfigError: an unknown name, or options the optimizer refuses.
    """
    if isinstance(identifier, KerasOptimizer):
        if hyper:
            raise ConfigError(
                f"compile() received {sorted(hyper)} next to an optimizer object: give them to "
                f"{identifier.keras_name}(...) instead"
            )
        if learning_rate is not None:
            _set_learning_rate(identifier, learning_rate)
        identifier.build(parameters, names)
        return identifier
    if isinstance(identifier, torch.optim.Optimizer):
        if learning_rate is not None:
            for group in identifier.param_groups:
                group["lr"] = learning_rate
        return identifier
    if isinstance(identifier, dict) and isinstance(identifier.get("class_name"), str):
        identifier, hyper = identifier["class_name"], {**identifier.get("config", {}), **hyper}
    if isinstance(identifier, str):
        cls = OPTIMIZERS.get(identifier.lower())
        if cls is None:
            raise ConfigError(
                f"unknown optimizer {identifier!r}; rnnlens knows {sorted(OPTIMIZERS)}, or pass a "
                "torch.optim.Optimizer or a factory such as functools.partial(torch.optim.SGD, lr=0.1)"
            )
        options = _keras_names(hyper)
        if learning_rate is not None:
            options["learning_rate"] = learning_rate
        try:
            optimizer = cls(**options)
        except TypeError as error:
            raise ConfigError(f"optimizer {identifier!r}: {error}") from None
        optimizer.build(parameters, names)
        return optimizer
    if callable(identifier):
        factory: Callable[..., torch.optim.Optimizer] = identifier
        options = dict(hyper)
        if learning_rate is not None:
            options["lr"] = learning_rate
        made = factory(parameters, **options)
        if not isinstance(made, torch.optim.Optimizer):
            raise ConfigError(
                f"the optimizer factory returned {type(made).__name__}, not a torch.optim.Optimizer"
            )
        return made
    raise ConfigError(f"optimizer must be a name such as 'adam', received {identifier!r}")


def _set_learning_rate(optimizer: KerasOptimizer, value: Any) -> None:
    from .schedules import LearningRateSchedule, get_schedule

    if isinstance(value, (LearningRateSchedule, dict)):
        optimizer.schedule = get_schedule(value)
    else:
        optimizer.schedule = None
        optimizer.learning_rate = float(value)


def _keras_names(hyper: dict[str, Any]) -> dict[str, Any]:
    """Keras's argument names; torch's spellings (``lr``, ``eps``, ``betas``) translated."""
    options = {_TORCH_SPELLINGS.get(k, k): v for k, v in hyper.items() if k != "betas"}
    if "betas" in hyper:
        options["beta_1"], options["beta_2"] = hyper["betas"]
    return options


def clip_gradients(
    parameters: list[torch.nn.Parameter], clipnorm: float | None, global_clipnorm: float | None
) -> None:
    """Scale gradients as Keras's ``clipnorm`` (per tensor) and ``global_clipnorm`` do."""
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return
    if clipnorm is not None:
        norms = torch._foreach_norm(grads)
        # g · clipnorm / max(|g|, clipnorm): unchanged when already short enough
        scales = [clipnorm / n.clamp_min(clipnorm) for n in norms]
        torch._foreach_mul_(grads, scales)
    if global_clipnorm is not None:
        torch.nn.utils.clip_grad_norm_(parameters, global_clipnorm, foreach=True)
