"""``Conv1D``: a filter bank slid along time, channels last, as Keras 3 computes it."""

from __future__ import annotations

import math
from typing import Any

from ..errors import ConfigError, ShapeError
from ..shapes import Shape, ShapeOrList, format_shape
from .base import Layer, WeightSpec, positive_int, require_rank
from .options import activation_name, initializer_name

PADDINGS = ("valid", "same", "causal")


def single_int(layer_type: str, argument: str, value: object) -> int:
    """Keras's ``standardize_tuple`` for one spatial axis: ``3`` or ``(3,)`` -> 3."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    return positive_int(layer_type, argument, value)


def padding_name(layer_type: str, value: object, allowed: tuple[str, ...]) -> str:
    """Keras lower-cases the padding name and accepts only the modes of the layer."""
    name = value.lower() if isinstance(value, str) else value
    if name not in allowed:
        raise ConfigError(
            f"{layer_type}: padding must be one of {', '.join(allowed)}, received {value!r}"
        )
    assert isinstance(name, str)
    return name


def channels_last(layer_type: str, data_format: object) -> None:
    """rnnlens computes channels-last sequences ``(batch, time, channels)`` only."""
    if data_format not in (None, "channels_last"):
        raise ConfigError(
            f"{layer_type}: data_format={data_format!r} is not supported; rnnlens reads "
            "sequences as (batch, time, channels): use data_format='channels_last'"
        )


def conv_length(
    length: int | None, size: int, stride: int, dilation: int, padding: str
) -> int | None:
    """Output steps of a 1-D window of ``size`` (dilated) moved by ``stride`` over ``length``.

    >>> conv_length(10, 3, 1, 1, "valid"), conv_length(10, 3, 2, 1, "same")
    (8, 5)
    """
    if length is None:
        return None
    if padding == "valid":
        return (length - dilation * (size - 1) - 1) // stride + 1
    return math.ceil(length / stride)  # "same" and "causal" keep ceil(T / stride) steps


class Conv1D(Layer):
    """``y[t] = activation(Σ_j x[t·s + j·r] · kernel[j] + bias)`` over ``(batch, time, d)``.

    ``kernel`` is ``(kernel_size, d / groups, filters)`` as Keras lays it out, ``bias``
    ``(filters,)``. ``padding``: ``valid`` (no padding), ``same`` (zeros on both sides, the
    larger half after), ``causal`` (zeros before only, so step t never sees t + 1).
    Parameters: ``k · d / groups · f + f``.

    >>> layer = Conv1D(32, 3, activation="relu")
    >>> layer.build((None, 100, 8))
    >>> layer.output_shape, layer.count_params()
    ((None, 98, 32), 800)

    Raises:
        ConfigError: non-positive sizes, strides > 1 with dilation > 1, filters or input
            channels not divisible by ``groups``, channels-first data.
        ShapeError: an input that is not ``(batch, time, channels)``, or too short.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int],
        strides: int | tuple[int] = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: int | tuple[int] = 1,
        groups: int = 1,
        activation: str | None = None,
        use_bias: bool = True,
        kernel_initializer: str = "glorot_uniform",
        bias_initializer: str = "zeros",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.filters = positive_int("Conv1D", "filters", filters)
        self.kernel_size = single_int("Conv1D", "kernel_size", kernel_size)
        self.strides = single_int("Conv1D", "strides", strides)
        self.padding = padding_name("Conv1D", padding, PADDINGS)
        channels_last("Conv1D", data_format)
        self.data_format = data_format
        self.dilation_rate = single_int("Conv1D", "dilation_rate", dilation_rate)
        self.groups = positive_int("Conv1D", "groups", groups)
        if self.filters % self.groups:
            raise ConfigError(
                f"Conv1D: filters must be divisible by groups, received filters={filters}, "
                f"groups={groups}"
            )
        if self.strides > 1 and self.dilation_rate > 1:
            raise ConfigError(
                f"Conv1D: strides > 1 cannot be combined with dilation_rate > 1 (Keras refuses "
                f"it), received strides={self.strides}, dilation_rate={self.dilation_rate}"
            )
        self.activation = activation_name("Conv1D", "activation", activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializer_name(
            "Conv1D", "kernel_initializer", kernel_initializer
        )
        self.bias_initializer = initializer_name("Conv1D", "bias_initializer", bias_initializer)

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        require_rank(self, input_shape, 3, "(batch, time, channels)")
        batch, time, channels = input_shape
        if channels is None:
            raise ShapeError(
                f"{self.describe()} needs a known channel size, received {format_shape(input_shape)}"
            )
        if channels % self.groups:
            raise ConfigError(
                f"{self.describe()}: its {channels} input channels are not divisible by "
                f"groups={self.groups}"
            )
        steps = conv_length(time, self.kernel_size, self.strides, self.dilation_rate, self.padding)
        if steps is not None and steps <= 0:
            raise ShapeError(
                f"{self.describe()}: a window of {self.kernel_size} (dilation {self.dilation_rate}) "
                f"does not fit in {time} steps with padding='valid'; use padding='same' or a "
                "smaller kernel_size"
            )
        return (batch, steps, self.filters)

    def weight_specs(self) -> list[WeightSpec]:
        self._require_input_shape("its weight shapes")
        assert isinstance(self.input_shape, tuple)
        channels = self.input_shape[-1]
        assert isinstance(channels, int)
        shape = (self.kernel_size, channels // self.groups, self.filters)
        specs = [WeightSpec("kernel", shape, self.kernel_initializer)]
        if self.use_bias:
            specs.append(WeightSpec("bias", (self.filters,), self.bias_initializer))
        return specs
