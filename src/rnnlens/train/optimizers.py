"""Optimizers by Keras name, with Keras's default hyper-parameters, on torch's implementations.

| name      | torch class           | Keras defaults used                                     |
|-----------|-----------------------|---------------------------------------------------------|
| adam      | ``torch.optim.Adam``  | lr 1e-3, betas (0.9, 0.999), eps 1e-7                   |
| adamw     | ``torch.optim.AdamW`` | lr 1e-3, betas (0.9, 0.999), eps 1e-7, weight_decay 4e-3 |
| sgd       | ``torch.optim.SGD``   | lr 1e-2, momentum 0                                     |
| rmsprop   | ``torch.optim.RMSprop`` | lr 1e-3, rho (torch's alpha) 0.9, eps 1e-7            |

One documented difference: Keras's Adam adds epsilon to ``sqrt(v)`` before the bias
correction of ``v``, torch after it. With eps 1e-7 the two differ only while ``sqrt(v)`` is
within a few orders of magnitude of eps (the first steps on tiny gradients).

``clipnorm`` is Keras's: each parameter's gradient is scaled down to norm ``clipnorm`` on its
own. ``global_clipnorm`` scales all gradients together (``torch.nn.utils.clip_grad_norm_``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch

from ..errors import ConfigError

_DEFAULTS: dict[str, tuple[type[torch.optim.Optimizer], dict[str, Any]]] = {
    "adam": (torch.optim.Adam, {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-7}),
    "adamw": (
        torch.optim.AdamW,
        {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-7, "weight_decay": 0.004},
    ),
    "sgd": (torch.optim.SGD, {"lr": 1e-2, "momentum": 0.0}),
    "rmsprop": (torch.optim.RMSprop, {"lr": 1e-3, "alpha": 0.9, "eps": 1e-7}),
}


def make_optimizer(
    identifier: Any,
    parameters: Iterable[torch.nn.Parameter],
    *,
    learning_rate: float | None = None,
    **hyper: Any,
) -> torch.optim.Optimizer:
    """A torch optimizer over ``parameters`` from a Keras name, an optimizer or a factory.

    >>> p = [torch.nn.Parameter(torch.zeros(2))]
    >>> opt = make_optimizer("adam", p)
    >>> opt.defaults["eps"], opt.defaults["lr"]
    (1e-07, 0.001)

    Args:
        identifier: ``"adam"``, ``"adamw"``, ``"sgd"``, ``"rmsprop"``; a ready
            ``torch.optim.Optimizer`` (built over ``model.module.parameters()``); or a factory
            called with the parameters, e.g. ``functools.partial(torch.optim.SGD, lr=0.1)``.
        learning_rate: overrides the default learning rate (names and factories only).
        hyper: more keyword arguments for the torch class (``momentum``, ``weight_decay``, ...).

    Raises:
        ConfigError: an unknown name, or options that the torch class refuses.
    """
    if isinstance(identifier, torch.optim.Optimizer):
        if learning_rate is not None:
            for group in identifier.param_groups:
                group["lr"] = learning_rate
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in _DEFAULTS:
            raise ConfigError(
                f"unknown optimizer {identifier!r}; rnnlens knows {sorted(_DEFAULTS)}, or pass a "
                "torch.optim.Optimizer or a factory such as functools.partial(torch.optim.SGD, lr=0.1)"
            )
        cls, defaults = _DEFAULTS[key]
        options = {**defaults, **_keras_names(hyper)}
        if learning_rate is not None:
            options["lr"] = learning_rate
        try:
            return cls(parameters, **options)
        except (TypeError, ValueError) as error:
            raise ConfigError(f"optimizer {identifier!r}: {error}") from None
    if callable(identifier):
        factory: Callable[..., torch.optim.Optimizer] = identifier
        options = _keras_names(hyper)
        if learning_rate is not None:
            options["lr"] = learning_rate
        optimizer = factory(parameters, **options)
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise ConfigError(
                f"the optimizer factory returned {type(optimizer).__name__}, not a torch.optim.Optimizer"
            )
        return optimizer
    raise ConfigError(f"optimizer must be a name such as 'adam', received {identifier!r}")


def _keras_names(hyper: dict[str, Any]) -> dict[str, Any]:
    """Accept Keras's spellings (``epsilon``, ``rho``, ``beta_1``) next to torch's."""
    options = dict(hyper)
    if "epsilon" in options:
        options["eps"] = options.pop("epsilon")
    if "rho" in options:
        options["alpha"] = options.pop("rho")
    if "beta_1" in options or "beta_2" in options:
        options["betas"] = (options.pop("beta_1", 0.9), options.pop("beta_2", 0.999))
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
