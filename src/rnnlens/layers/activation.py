"""``Activation``: one Keras activation applied elementwise (softmax over the last axis)."""

from __future__ import annotations

from typing import Any

from .base import Layer
from .options import activation_name


class Activation(Layer):
    """``y = activation(x)``, elementwise; shape and time-step mask pass through unchanged.

    >>> layer = Activation("relu")
    >>> layer.build((None, 10, 4))
    >>> layer.output_shape, layer.count_params()
    ((None, 10, 4), 0)

    Args:
        activation: a Keras activation name (``"relu"``, ``"softmax"``, ...; None is linear).

    Raises:
        ConfigError: an unknown activation name (with the closest known one).
    """

    def __init__(self, activation: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activation_name("Activation", "activation", activation)
