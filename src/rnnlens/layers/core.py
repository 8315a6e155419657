"""The layers around the recurrent ones: Dense, Dropout, RepeatVector, Masking, Flatten."""

from __future__ import annotations

import math
from typing import Any

from ..errors import ConfigError, ShapeError
from ..shapes import Shape, ShapeOrList, format_shape
from .base import Layer, WeightSpec, fraction, positive_int, require_rank
from .options import activation_name, initializer_name


class Dense(Layer):
    """``y = activation(x · kernel + bias)`` on the last axis; ``kernel`` is ``(d, units)``.

    On a sequence ``(batch, time, d)`` it maps every step with the same weights, exactly as
    ``TimeDistributed(Dense(...))``. Parameters: ``units·(d + 1)``.

    >>> head = Dense(1)
    >>> head.build((None, 32))
    >>> head.output_shape, head.count_params()
    ((None, 1), 33)
    """

    def __init__(
        self,
        units: int,
        activation: str | None = None,
        use_bias: bool = True,
        kernel_initializer: str = "glorot_uniform",
        bias_initializer: str = "zeros",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.units = positive_int("Dense", "units", units)
        self.activation = activation_name("Dense", "activation", activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializer_name(
            "Dense", "kernel_initializer", kernel_initializer
        )
        self.bias_initializer = initializer_name("Dense", "bias_initializer", bias_initializer)

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ShapeError(
                f"{self.describe()} expects input (batch, ..., features) with a known feature size, "
                f"received shape {format_shape(input_shape)}"
            )
        return (*input_shape[:-1], self.units)

    def weight_specs(self) -> list[WeightSpec]:
        self._require_input_shape("its weight shapes")
        assert isinstance(self.input_shape, tuple)
        d = self.input_shape[-1]
        assert isinstance(d, int)
        specs = [WeightSpec("kernel", (d, self.units), self.kernel_initializer)]
        if self.use_bias:
            specs.append(WeightSpec("bias", (self.units,), self.bias_initializer))
        return specs


class Dropout(Layer):
    """Zeroes a fraction ``rate`` of the inputs while training and scales the rest by 1/(1-rate)."""

    def __init__(
        self,
        rate: float,
        noise_shape: tuple[int | None, ...] | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.rate = fraction("Dropout", "rate", rate)
        self.noise_shape = noise_shape
        self.seed = seed


class RepeatVector(Layer):
    """``(batch, features)`` -> ``(batch, n, features)``: the encoder–decoder bridge.

    >>> layer = RepeatVector(5)
    >>> layer.build((None, 32))
    >>> layer.output_shape
    (None, 5, 32)
    """

    supports_masking = False

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n = positive_int("RepeatVector", "n", n)

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        require_rank(self, input_shape, 2, "(batch, features)")
        return (input_shape[0], self.n, input_shape[1])


class Masking(Layer):
    """Marks time steps whose features all equal ``mask_value`` as padding.

    Recurrent layers after it skip those steps: the state is carried over unchanged, and the
    output at a skipped step is zero (``return_sequences=True``) or the last real step's.
    """

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(mask_value, (int, float)):
            raise ConfigError(f"Masking: mask_value must be a number, received {mask_value!r}")
        self.mask_value = float(mask_value)

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        require_rank(self, input_shape, 3, "(batch, time, features)")
        return input_shape


class Flatten(Layer):
    """``(batch, a, b, ...)`` -> ``(batch, a·b·...)``."""

    supports_masking = False

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        rest = input_shape[1:]
        if any(d is None for d in rest):
            raise ShapeError(
                f"{self.describe()} needs every axis but the batch known, received {format_shape(input_shape)}"
            )
        return (input_shape[0], math.prod(d for d in rest if d is not None))
