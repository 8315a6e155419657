"""Activations, initializers, regularizers and constraints a layer option may name (no torch)."""

from __future__ import annotations

import difflib

from ..errors import ConfigError
from .objects import Constraint, Initializer, Regularizer, resolve

# Keras 3 activation names. The math lives in rnnlens.engine.activations.
ACTIVATIONS = (
    "tanh",
    "sigmoid",
    "hard_sigmoid",
    "relu",
    "linear",
    "elu",
    "selu",
    "softplus",
    "softsign",
    "swish",
    "silu",
    "gelu",
    "exponential",
    "relu6",
    "leaky_relu",
    "mish",
    "hard_tanh",
    "softmax",
)
# softmax normalises over the features: meaningless inside a recurrent cell's gates.
_CELL_EXCLUDED = ("softmax",)

INITIALIZERS = (
    "glorot_uniform",
    "glorot_normal",
    "orthogonal",
    "zeros",
    "ones",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "random_uniform",
    "random_normal",
    "truncated_normal",
    "identity",
    "variance_scaling",
    "constant",
)


def activation_name(layer_type: str, argument: str, value: object, *, in_cell: bool = False) -> str:
    """Normalise an activation argument (``None`` means ``linear``, as in Keras)."""
    if value is None:
        return "linear"
    allowed = [a for a in ACTIVATIONS if not (in_cell and a in _CELL_EXCLUDED)]
    if isinstance(value, str) and value in allowed:
        return value
    close = difflib.get_close_matches(str(value), allowed, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"choose one of: {', '.join(allowed)}"
    raise ConfigError(f"{layer_type}: unknown {argument} {value!r}; {hint}")


def initializer_name(layer_type: str, argument: str, value: object) -> str | Initializer:
    """Validate an initializer: a Keras name (kept as the snake_case name) or an object.

    Objects (``Constant(0.5)``, ``GlorotUniform(seed=1)``, Keras's own, or their config
    dicts) become :mod:`rnnlens.layers.objects` initializers.
    """
    if isinstance(value, str) and value in INITIALIZERS:
        return value
    resolved = resolve("initializer", layer_type, argument, value)
    if resolved is None:
        raise ConfigError(f"{layer_type}: {argument} must be an initializer, received None")
    return resolved


def regularizer_option(layer_type: str, argument: str, value: object) -> Regularizer | None:
    """``None``, ``"l1"``/``"l2"``/``"l1_l2"``, a regularizer object or its config."""
    return resolve("regularizer", layer_type, argument, value)


def constraint_option(layer_type: str, argument: str, value: object) -> Constraint | None:
    """``None``, ``"max_norm"``/``"non_neg"``/``"unit_norm"``/``"min_max_norm"``, or an object."""
    return resolve("constraint", layer_type, argument, value)


def seed_option(layer_type: str, value: object) -> int | None:
    """A random seed: ``None`` or a non-negative integer, as Keras's ``seed=``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        from ..errors import ConfigTypeError

        raise ConfigTypeError(
            f"{layer_type}: seed must be None or an integer >= 0, received {value!r}"
        )
    return value
