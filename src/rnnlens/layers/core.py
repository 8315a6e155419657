"""The layers around the recurrent ones: Dense, Dropout, RepeatVector, Masking, Flatten."""

from __future__ import annotations

import math
from typing import Any

from ..errors import ConfigError, ConfigTypeError, ShapeError
from ..shapes import Shape, ShapeOrList, format_shape
from .base import Layer, WeightSpec, positive_int, require_rank
from .options import (
    activation_name,
    constraint_option,
    initializer_name,
    regularizer_option,
    seed_option,
)


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
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.units = positive_int("Dense", "units", units)
        self.kernel_regularizer = regularizer_option(
            "Dense", "kernel_regularizer", kernel_regularizer
        )
        self.bias_regularizer = regularizer_option("Dense", "bias_regularizer", bias_regularizer)
        self.kernel_constraint = constraint_option("Dense", "kernel_constraint", kernel_constraint)
        self.bias_constraint = constraint_option("Dense", "bias_constraint", bias_constraint)
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

    @property
    def kernel(self) -> Any:
        """The ``(features, units)`` weight, a torch parameter (Keras's ``layer.kernel``)."""
        return self.module.kernel

    @property
    def bias(self) -> Any:
        """The ``(units,)`` weight, or None with ``use_bias=False``."""
        return self.module.bias

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

    built_at_init = True

    def __init__(
        self,
        rate: float,
        noise_shape: tuple[int | None, ...] | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ConfigError(
                f"{self.describe()}: Invalid value received for argument `rate`. Expected a "
                f"float value between 0 and 1. Received: rate={rate!r}"
            )
        self.rate = float(rate)
        self.noise_shape = noise_shape_option(self, noise_shape)
        self.seed = seed_option("Dropout", seed)


def noise_shape_option(layer: Layer, value: object) -> tuple[int | None, ...] | None:
    """Keras's checks on ``Dropout(noise_shape=...)``: integers > 0 or None, batch first."""
    if value is None:
        return None
    prefix = f"{layer.describe()}: Invalid value received for argument `noise_shape`."
    if isinstance(value, str):
        raise ConfigError(
            f"{prefix} Expected a tuple or list of integers. Received: noise_shape={value}"
        )
    try:
        shape: tuple[Any, ...] = tuple(value)  # type: ignore[arg-type]
    except TypeError:
        raise ConfigError(
            f"{prefix} Expected an iterable of integers (e.g., a tuple or list). "
            f"Received: noise_shape={value}"
        ) from None
    for i, dim in enumerate(shape):
        if dim is None:
            continue
        if isinstance(dim, bool) or not isinstance(dim, int):
            raise ConfigError(
                f"{prefix} Expected all elements to be integers or None. Received element at "
                f"index {i}: {dim} (type: {type(dim).__name__})"
            )
        if dim <= 0:
            raise ConfigError(
                f"{prefix} Expected all dimensions to be positive integers or None. Received "
                f"negative or zero value at index {i}: {dim}"
            )
    return shape


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
        if isinstance(n, bool) or not isinstance(n, int):
            raise ConfigTypeError(
                f"{self.describe()}: Expected an integer value for `n`, got {type(n)}. "
                "Give the number of repeats as an int, e.g. RepeatVector(3)"
            )
        if n <= 0:
            raise ConfigError(
                f"{self.describe()}: Argument `n` should be a positive integer. Received: n={n}"
            )
        self.n = n

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        require_rank(self, input_shape, 2, "(batch, features)")
        return (input_shape[0], self.n, input_shape[1])


class Masking(Layer):
    """Marks time steps whose features all equal ``mask_value`` as padding.

    Recurrent layers after it skip those steps: the state is carried over unchanged, and the
    output at a skipped step is zero (``return_sequences=True``) or the last real step's.
    """

    built_at_init = True

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
