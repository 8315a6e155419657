"""Adam, AdamW, RMSprop and SGD exactly as Keras 3 updates weights, as torch optimizers.

Each step does what Keras's ``BaseOptimizer.apply`` does, in Keras's order:

1. clip the gradients: ``clipnorm`` (each tensor to that L2 norm: ``g·c / max(|g|, c)``),
   ``global_clipnorm`` (all together: ``g·c·min(1/|G|, 1/c)``) or ``clipvalue`` (``clamp``);
   only one of the three may be set;
2. decoupled weight decay ``w ← w·(1 − wd·lr)`` when ``weight_decay`` is set (every
   optimizer has it; AdamW's default is 0.004), skipping excluded weights;
3. the update (``t`` is the step count after this step, ``lr`` the learning rate or the
   schedule's value at ``t − 1``):

   * Adam: ``m ← m + (g − m)(1 − β1)``, ``v ← v + (g² − v)(1 − β2)``,
     ``w ← w − m·α / (√v + ε)`` with ``α = lr·√(1 − β2^t) / (1 − β1^t)``: both bias
     corrections folded into the step size and ε added to ``√v`` (torch adds it to ``√v̂``);
   * RMSprop: ``s ← ρs + (1 − ρ)g²``, ``Δ = lr·g / √(s + ε)`` (centered: ``s − ḡ² + ε``),
     ``w ← w − Δ`` or, with momentum, ``μ ← βμ + Δ``, ``w ← w − μ``;
   * SGD: ``w ← w − lr·g``; with momentum ``m ← βm − lr·g``, ``w ← w + m`` (nesterov:
     ``w ← w + βm − lr·g``);
4. the step count grows by one.

Weights whose gradient is ``None`` (frozen, or unused) are left alone, as Keras filters
empty gradients. The step count lives in the parameter group, so ``state_dict()`` (and
rnnlens checkpoints) carry it.

>>> import torch
>>> w = torch.nn.Parameter(torch.tensor([1.0, 2.0, 3.0, 4.0]))
>>> opt = Adam(learning_rate=0.5)
>>> opt.apply_gradients([(torch.tensor([1.0, 6.0, 7.0, 2.0]), w)])
>>> [round(v, 4) for v in w.tolist()], opt.iterations
([0.5, 1.5, 2.5, 3.5], 1)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any, ClassVar

import torch

from ..errors import ConfigError
from .schedules import LearningRateSchedule, get_schedule


class KerasOptimizer(torch.optim.Optimizer):
    """Keras's optimizer arguments and ``apply`` order; subclasses write :meth:`update`.

    Built unbound (``Adam(learning_rate=0.01)``, as in Keras); ``compile`` binds it to the
    model's parameters with :meth:`build`, or the first :meth:`apply_gradients` does.
    """

    #: Keras's class name and per-optimizer hyper-parameter defaults.
    keras_name: ClassVar[str] = ""

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule | dict[str, Any] = 0.001,
        *,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str | None = None,
        **hyper: Any,
    ) -> None:
        clips = [c for c in (clipnorm, clipvalue, global_clipnorm) if c is not None]
        if len(clips) > 1:
            raise ConfigError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        for label, value in (
            ("clipnorm", clipnorm),
            ("clipvalue", clipvalue),
            ("global_clipnorm", global_clipnorm),
            ("weight_decay", weight_decay),
        ):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0
            ):
                raise ConfigError(f"{label} must be a non-negative number, received {value!r}")
        self.schedule: LearningRateSchedule | None = None
        base_lr = learning_rate
        if isinstance(learning_rate, (LearningRateSchedule, dict)):
            self.schedule = get_schedule(learning_rate)
            base_lr = 0.0
        elif isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)):
            raise ConfigError(
                f"learning_rate must be a number or a schedule, received {learning_rate!r}"
            )
        self.name = name or self.keras_name.lower()
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.hyper: dict[str, Any] = dict(hyper)
        self.base_learning_rate = float(base_lr)  # type: ignore[arg-type]
        self.excluded_names: re.Pattern[str] | None = None
        self.excluded_ids: set[int] = set()
        self.names: dict[int, str] = {}
        self.built = False

    # ------------------------------------------------------------- binding
    def build(
        self, parameters: Iterable[torch.Tensor], names: dict[int, str] | None = None
    ) -> None:
        """Bind to ``parameters`` (torch's optimizer set-up); ``names`` maps ``id(p)`` to a name."""
        params = list(parameters)
        super().__init__(params, {"lr": self.base_learning_rate, "iterations": 0})
        self.names = dict(names or {})
        self.built = True

    @property
    def iterations(self) -> int:
        """Steps taken so far (Keras's ``optimizer.iterations``)."""
        return int(self.param_groups[0]["iterations"]) if self.built else 0

    @property
    def learning_rate(self) -> float:
        """The learning rate the next step uses (the schedule's value at :attr:`iterations`)."""
        if self.schedule is not None:
            return float(self.schedule(self.iterations))
        return float(self.param_groups[0]["lr"]) if self.built else self.base_learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        if self.schedule is not None:
            raise ConfigError(
                f"optimizer '{self.name}' uses a learning-rate schedule, which cannot be set to "
                f"a number: compile with a plain learning_rate instead"
            )
        self.base_learning_rate = float(value)
        if self.built:
            for group in self.param_groups:
                group["lr"] = float(value)

    def exclude_from_weight_decay(
        self, var_list: Iterable[torch.Tensor] | None = None, var_names: Iterable[str] | None = None
    ) -> None:
        """Keep these weights (or weights whose name contains one of ``var_names``) undecayed."""
        self.excluded_ids = {id(v) for v in var_list or []}
        names = list(var_names or [])
        self.excluded_names = re.compile("|".join(set(names))) if names else None

    def _decays(self, parameter: torch.Tensor) -> bool:
        if id(parameter) in self.excluded_ids:
            return False
        name = self.names.get(id(parameter), getattr(parameter, "keras_name", "") or "")
        return not (self.excluded_names is not None and self.excluded_names.search(name))

    # ------------------------------------------------------------ stepping
    def clip_gradients(self, grads: list[torch.Tensor]) -> list[torch.Tensor]:
        """Gradients after ``clipnorm`` / ``global_clipnorm`` / ``clipvalue``, as Keras clips."""
        if self.clipnorm:
            c = self.clipnorm
            out = []
            for g in grads:
                square_sum = (g * g).sum()
                norm = torch.where(square_sum > 0, square_sum.clamp_min(0).sqrt(), square_sum)
                out.append(g * c / torch.clamp_min(norm, c))
            return out
        if self.global_clipnorm:
            c = self.global_clipnorm
            norm = torch.sqrt(sum((g * g).sum() for g in grads))  # type: ignore[arg-type]
            scale = c * torch.minimum(1.0 / norm, torch.tensor(1.0 / c, dtype=norm.dtype))
            scale = scale + (norm - norm)  # NaN for a non-finite norm, as Keras
            return [g * scale for g in grads]
        if self.clipvalue:
            return [g.clamp(-self.clipvalue, self.clipvalue) for g in grads]
        return list(grads)

    @torch.no_grad()
    def step(self, closure: Any = None) -> None:  # type: ignore[override]
        """One Keras update of every parameter that has a gradient."""
        group = self.param_groups[0]
        params = [p for g in self.param_groups for p in g["params"] if p.grad is not None]
        if params:
            grads = self.clip_gradients([p.grad for p in params if p.grad is not None])
            lr = self.learning_rate
            if self.weight_decay:
                decayed = [p for p in params if self._decays(p)]
                if decayed:
                    torch._foreach_mul_(decayed, 1 - self.weight_decay * lr)
            for p in params:
                state = self.state[p]
                for slot in self.slots():
                    if slot not in state:
                        state[slot] = torch.zeros_like(p, memory_format=torch.preserve_format)
            self.update(params, grads, lr, group["iterations"] + 1)
        for g in self.param_groups:
            g["iterations"] += 1

    def apply_gradients(self, pairs: Iterable[tuple[torch.Tensor, torch.Tensor]]) -> None:
        """Keras's ``apply_gradients(zip(grads, variables))`` on torch tensors."""
        grads, variables = zip(*pairs)
        if not self.built:
            self.build(variables)
        known = {id(p) for g in self.param_groups for p in g["params"]}
        for grad, variable in zip(grads, variables):
            if id(variable) not in known:
                raise ConfigError(
                    "apply_gradients received a weight this optimizer was not built with"
                )
            variable.grad = torch.as_tensor(grad, dtype=variable.dtype, device=variable.device)
        self.step()
        for variable in variables:
            variable.grad = None

    def slots(self) -> tuple[str, ...]:
        """Names of the per-weight state tensors this configuration needs."""
        return ()

    def update(
        self, params: list[torch.Tensor], grads: list[torch.Tensor], lr: float, t: int
    ) -> None:
        raise NotImplementedError

    def slot(self, name: str, params: list[torch.Tensor]) -> list[torch.Tensor]:
        return [self.state[p][name] for p in params]

    # -------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        """Keras's optimizer config (``learning_rate`` a schedule's serialized form if one)."""
        lr: Any = (
            self.learning_rate
            if self.schedule is None
            else {
                "class_name": type(self.schedule).__name__,
                "config": self.schedule.get_config(),
            }
        )
        return {
            "name": self.name,
            "learning_rate": lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            **self.hyper,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> KerasOptimizer:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{self.keras_name} {self.get_config()}>"


class Adam(KerasOptimizer):
    """Keras's Adam (``amsgrad`` keeps the running maximum of ``v``)."""

    keras_name = "Adam"

    def slots(self) -> tuple[str, ...]:
        return ("m", "v", "v_hat") if self.hyper["amsgrad"] else ("m", "v")

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad, **kwargs
        )

    def update(
        self, params: list[torch.Tensor], grads: list[torch.Tensor], lr: float, t: int
    ) -> None:
        b1, b2, eps = self.hyper["beta_1"], self.hyper["beta_2"], self.hyper["epsilon"]
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        m, v = self.slot("m", params), self.slot("v", params)
        torch._foreach_mul_(m, b1)
        torch._foreach_add_(m, grads, alpha=1 - b1)
        torch._foreach_mul_(v, b2)
        torch._foreach_add_(v, torch._foreach_mul(grads, grads), alpha=1 - b2)
        if self.hyper["amsgrad"]:
            v_hat = self.slot("v_hat", params)
            torch._foreach_maximum_(v_hat, v)
            v = v_hat
        step = torch._foreach_div(
            torch._foreach_mul(m, alpha), torch._foreach_add(torch._foreach_sqrt(v), eps)
        )
        torch._foreach_add_(params, step, alpha=-1)


class AdamW(Adam):
    """Adam with decoupled weight decay on by default (Keras's AdamW: ``weight_decay=0.004``)."""

    keras_name = "AdamW"

    def __init__(
        self, learning_rate: Any = 0.001, weight_decay: float = 0.004, **kwargs: Any
    ) -> None:
        if weight_decay is None:
            raise ConfigError(
                "Argument `weight_decay` must be a float. Received: weight_decay=None"
            )
        super().__init__(learning_rate, weight_decay=weight_decay, **kwargs)


class RMSprop(KerasOptimizer):
    """Keras's RMSprop (ε inside the square root; ``centered`` subtracts the mean gradient²)."""

    keras_name = "RMSprop"

    def slots(self) -> tuple[str, ...]:
        momentum = ("momentum",) if self.hyper["momentum"] > 0 else ()
        centered = ("average_gradient",) if self.hyper["centered"] else ()
        return ("velocity", *momentum, *centered)

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            learning_rate, rho=rho, momentum=momentum, epsilon=epsilon, centered=centered, **kwargs
        )

    def update(
        self, params: list[torch.Tensor], grads: list[torch.Tensor], lr: float, t: int
    ) -> None:
        rho, momentum, eps = self.hyper["rho"], self.hyper["momentum"], self.hyper["epsilon"]
        velocities = self.slot("velocity", params)
        torch._foreach_mul_(velocities, rho)
        torch._foreach_add_(velocities, torch._foreach_mul(grads, grads), alpha=1 - rho)
        denominators = torch._foreach_add(velocities, eps)
        if self.hyper["centered"]:
            averages = self.slot("average_gradient", params)
            torch._foreach_mul_(averages, rho)
            torch._foreach_add_(averages, grads, alpha=1 - rho)
            torch._foreach_add_(denominators, torch._foreach_mul(averages, averages), alpha=-1)
        torch._foreach_sqrt_(denominators)
        increments = torch._foreach_div(torch._foreach_mul(grads, lr), denominators)
        if momentum > 0:
            buffers = self.slot("momentum", params)
            torch._foreach_mul_(buffers, momentum)
            torch._foreach_add_(buffers, increments)
            torch._foreach_add_(params, buffers, alpha=-1)
        else:
            torch._foreach_add_(params, increments, alpha=-1)


class SGD(KerasOptimizer):
    """Keras's SGD with optional (Nesterov) momentum; ``momentum`` in [0, 1]."""

    keras_name = "SGD"

    def slots(self) -> tuple[str, ...]:
        return ("momentum",) if self.hyper["momentum"] else ()

    def __init__(
        self,
        learning_rate: Any = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        **kwargs: Any,
    ) -> None:
        if (
            isinstance(momentum, bool)
            or not isinstance(momentum, (int, float))
            or not 0 <= momentum <= 1
        ):
            raise ConfigError("`momentum` must be a float between [0, 1].")
        super().__init__(learning_rate, momentum=float(momentum), nesterov=bool(nesterov), **kwargs)

    def update(
        self, params: list[torch.Tensor], grads: list[torch.Tensor], lr: float, t: int
    ) -> None:
        momentum = self.hyper["momentum"]
        if momentum == 0:
            torch._foreach_add_(params, grads, alpha=-lr)
            return
        buffers = self.slot("momentum", params)
        torch._foreach_mul_(buffers, momentum)
        torch._foreach_add_(buffers, grads, alpha=-lr)
        if self.hyper["nesterov"]:
            torch._foreach_add_(params, grads, alpha=-lr)
            torch._foreach_add_(params, buffers, alpha=momentum)
        else:
            torch._foreach_add_(params, buffers)


OPTIMIZERS: dict[str, type[KerasOptimizer]] = {
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
    "sgd": SGD,
}
