"""Names of activations and initializers rnnlens understands (validated without torch)."""

from __future__ import annotations

import difflib

from ..errors import ConfigError
from ..show import preview

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
)


def activation_name(layer_type: str, argument: str, value: object, *, in_cell: bool = False) -> str:
    """Normalise an activation argument (``None`` means ``linear``, as in Keras)."""
    if value is None:
        return "linear"
    allowed = [a for a in ACTIVATIONS if not (in_cell and a in _CELL_EXCLUDED)]
    if isinstance(value, str) and value in allowed:
        return value
    # Only a short string gets a suggestion: str() of a huge nested value is the blow-up.
    word = value if isinstance(value, str) and len(value) <= 64 else ""
    close = difflib.get_close_matches(word, allowed, n=1) if word else []
    hint = f"did you mean '{close[0]}'?" if close else f"choose one of: {', '.join(allowed)}"
    raise ConfigError(f"{layer_type}: unknown {argument} {preview(value)}; {hint}")


def initializer_name(layer_type: str, argument: str, value: object) -> str:
    """Validate an initializer given by its Keras name."""
    if isinstance(value, str) and value in INITIALIZERS:
        return value
    raise ConfigError(
        f"{layer_type}: unknown {argument} {preview(value)}; rnnlens takes initializers by name: "
        + ", ".join(INITIALIZERS)
    )
