"""``compile``: choose optimizer, loss and metrics; the choice lives on ``model.training_state``."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch

from ..engine.weights import layer_variables, option_of
from ..errors import ConfigError
from .constraints import has_constraints
from .keras_optimizers import KerasOptimizer
from .losses import Loss, get_loss
from .optimizers import make_optimizer
from .regularizers import activity_layers

if TYPE_CHECKING:
    from .trainer import Trainer

PRECISIONS = {None: None, "bf16": torch.bfloat16, "bfloat16": torch.bfloat16}


@dataclass
class TrainingState:
    """What ``fit``/``evaluate``/``train_on_batch`` need; created by :func:`compile_model`."""

    optimizer: torch.optim.Optimizer
    loss: Loss
    metrics: list[Any] = field(default_factory=list)
    clipnorm: float | None = None
    global_clipnorm: float | None = None
    mixed_precision: str | None = None
    #: Some weight has a regularizer, some layer an activity_regularizer, some weight a constraint.
    penalized: bool = False
    activity: bool = False
    constrained: bool = False
    #: The activity-regularization terms of the last training step (``model.losses``).
    activity_terms: list[torch.Tensor] = field(default_factory=list)

    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step (a schedule's current value)."""
        if isinstance(self.optimizer, KerasOptimizer):
            return self.optimizer.learning_rate
        return float(self.optimizer.param_groups[0]["lr"])

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        if isinstance(self.optimizer, KerasOptimizer):
            self.optimizer.learning_rate = value
            return
        for group in self.optimizer.param_groups:
            group["lr"] = float(value)

    def autocast(self, device: torch.device, precision: str | None = None) -> Any:
        """The autocast context for a forward pass (a no-op without mixed precision)."""
        dtype = PRECISIONS[precision or self.mixed_precision]
        if dtype is None:
            return contextlib.nullcontext()
        check_precision_device(precision or self.mixed_precision, device)
        return torch.autocast(device_type=device.type, dtype=dtype)


def compile_model(
    model: Trainer,
    optimizer: Any = "adam",
    loss: Any = "mse",
    metrics: Any = None,
    *,
    learning_rate: Any = None,
    clipnorm: float | None = None,
    global_clipnorm: float | None = None,
    clipvalue: float | None = None,
    from_logits: bool = False,
    mixed_precision: str | None = None,
    **optimizer_options: Any,
) -> None:
    """Attach a fresh optimizer, a loss and metrics to ``model``, as Keras's ``compile``.

    >>> import rnnlens as rl
    >>> from rnnlens.layers import LSTM, Dense
    >>> model = rl.Sequential([LSTM(4, input_shape=(3, 2)), Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mae", metrics=["mse"], learning_rate=0.1)
    >>> type(model.training_state.optimizer).__name__, model.training_state.learning_rate
    ('SGD', 0.1)
    >>> from rnnlens.train.keras_optimizers import Adam
    >>> from rnnlens.train.schedules import ExponentialDecay
    >>> model.compile(optimizer=Adam(ExponentialDecay(0.1, 10, 0.5), clipnorm=1.0), loss="mse")
    >>> model.training_state.learning_rate, model.training_state.optimizer.clipnorm
    (0.1, 1.0)

    Args:
        optimizer: a name (``"adam"``, ``"adamw"``, ``"sgd"``, ``"rmsprop"``), a Keras-exact
            optimizer object (``Adam(learning_rate=1e-2, clipnorm=1.0)``, from
            :mod:`rnnlens.train.keras_optimizers`), a ``torch.optim.Optimizer`` or a factory;
            see :mod:`rnnlens.train.optimizers`.
        loss: a name (``"mse"``, ``"mae"``, ``"huber"``, ``"binary_crossentropy"``,
            ``"categorical_crossentropy"``, ``"sparse_categorical_crossentropy"``) or a loss
            object/function; see :mod:`rnnlens.train.losses`.
        metrics: a list of names (``"mae"``, ``"mse"``, ``"accuracy"``) or functions.
        learning_rate: the optimizer's learning rate, a number or a schedule
            (:mod:`rnnlens.train.schedules`); Keras's default for the name otherwise.
        clipnorm: clip each gradient tensor to this norm (Keras's ``clipnorm``).
        global_clipnorm: clip all gradients together to this norm.
        clipvalue: clip every gradient element to ``[-clipvalue, clipvalue]``.
        from_logits: the loss receives logits (cross-entropies only).
        mixed_precision: ``"bf16"`` runs forward passes under bfloat16 autocast.
        optimizer_options: more hyper-parameters (``momentum``, ``weight_decay``, ``epsilon``...).

    Raises:
        ConfigError: unknown names or invalid values.
    """
    for name, value in (
        ("clipnorm", clipnorm),
        ("global_clipnorm", global_clipnorm),
        ("clipvalue", clipvalue),
    ):
        if value is not None and not (isinstance(value, (int, float)) and value > 0):
            raise ConfigError(f"{name} must be a positive number, received {value!r}")
    if isinstance(learning_rate, bool) or (
        isinstance(learning_rate, (int, float)) and learning_rate <= 0
    ):
        raise ConfigError(f"learning_rate must be a positive number, received {learning_rate!r}")
    check_precision(mixed_precision)
    if metrics is None:
        metrics = []
    elif isinstance(metrics, (str,)) or callable(metrics):
        metrics = [metrics]
    elif not isinstance(metrics, (list, tuple)):
        raise ConfigError(f"metrics must be a list such as ['mae'], received {metrics!r}")
    module = model.module
    clips = {"clipnorm": clipnorm, "global_clipnorm": global_clipnorm, "clipvalue": clipvalue}
    clips = {k: float(v) for k, v in clips.items() if v is not None}
    keras_exact = isinstance(optimizer, (str, dict, KerasOptimizer))
    if keras_exact and clips:
        if isinstance(optimizer, KerasOptimizer):
            for key, value in clips.items():
                setattr(optimizer, key, value)
        else:
            optimizer_options.update(clips)
    elif clips.get("clipvalue") is not None:
        raise ConfigError(
            "clipvalue works with rnnlens's Keras optimizers (a name such as 'adam' or Adam(...)), "
            "not with a torch optimizer"
        )
    made = make_optimizer(
        optimizer,
        module.parameters(),
        learning_rate=learning_rate,
        names=parameter_names(model),
        **optimizer_options,
    )
    layers = model.layers
    model.training_state = TrainingState(
        optimizer=made,
        loss=get_loss(loss, from_logits=from_logits),
        metrics=list(metrics),
        clipnorm=None if keras_exact or clipnorm is None else float(clipnorm),
        global_clipnorm=None if keras_exact or global_clipnorm is None else float(global_clipnorm),
        mixed_precision=mixed_precision,
        penalized=any(
            option_of(owner, name, "regularizer") is not None
            for layer in layers
            for owner, name, _, _ in layer_variables(layer)
        ),
        activity=any(True for _ in activity_layers(layers)),
        constrained=has_constraints(layers),
    )


def parameter_names(model: Trainer) -> dict[int, str]:
    """``id(parameter) -> "layer/weight"`` (Keras's variable paths), for weight-decay exclusion."""
    return {
        id(parameter): f"{owner.name}/{name}"
        for layer in model.layers
        for owner, name, parameter, _ in layer_variables(layer)
    }


def check_precision(value: object) -> None:
    if value not in PRECISIONS:
        raise ConfigError(f"mixed_precision must be None or 'bf16', received {value!r}")


def cpu_has_bf16() -> bool:
    """Whether oneDNN has bfloat16 kernels on this CPU (AVX512-BF16 or AMX)."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def check_precision_device(precision: str | None, device: torch.device) -> None:
    """Refuse bf16 autocast where torch's fused LSTM kernel has no bfloat16 path."""
    if precision is not None and device.type == "cpu" and not cpu_has_bf16():
        raise ConfigError(
            f"mixed_precision={precision!r} needs bfloat16 kernels, which oneDNN does not have "
            "on this CPU (it lacks AVX512-BF16/AMX): train in float32 here, or on a CUDA device "
            "(model.to('cuda'))"
        )


def training_state(model: Trainer, doing: str) -> TrainingState:
    """The compiled state, or an error telling the user to call ``compile`` first."""
    state = model.training_state
    if not isinstance(state, TrainingState):
        raise ConfigError(
            f"model '{model.name}' must be compiled before {doing}: call "
            "model.compile(optimizer='adam', loss='mse') first"
        )
    return state
