"""Keras 3 activations as torch functions (same definitions, including hard_sigmoid = relu6(x+3)/6)."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

Activation = Callable[[torch.Tensor], torch.Tensor]

ACTIVATION_FUNCTIONS: dict[str, Activation] = {
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    # Keras 3 changed hard_sigmoid from 0.2x+0.5 (Keras 2) to relu6(x + 3) / 6.
    "hard_sigmoid": lambda x: F.relu6(x + 3.0) / 6.0,
    "relu": torch.relu,
    "linear": lambda x: x,
    "elu": F.elu,
    "selu": F.selu,
    "softplus": F.softplus,
    "softsign": F.softsign,
    "swish": F.silu,
    "silu": F.silu,
    "gelu": F.gelu,
    "exponential": torch.exp,
    "relu6": F.relu6,
    "leaky_relu": lambda x: F.leaky_relu(x, negative_slope=0.2),
    "mish": F.mish,
    "hard_tanh": F.hardtanh,
    "softmax": lambda x: torch.softmax(x, dim=-1),
}


def activation(name: str) -> Activation:
    """The torch function for a Keras activation name (validated by the spec already)."""
    return ACTIVATION_FUNCTIONS[name]
