"""Pooling along time: MaxPooling1D, AveragePooling1D and their global versions."""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError, ShapeError
from ..shapes import Shape, ShapeOrList, format_shape
from .base import Layer, require_rank
from .convolution import channels_last, conv_length, padding_name, single_int


class Pooling1D(Layer):
    """Shared options of the windowed poolings: ``(batch, time, d)`` -> ``(batch, time', d)``.

    ``time' = floor((time - pool_size) / strides) + 1`` with ``padding="valid"``,
    ``ceil(time / strides)`` with ``"same"``; ``strides`` defaults to ``pool_size``.
    The time-step mask stops here, as in Keras 3.
    """

    supports_masking = False

    def __init__(
        self,
        pool_size: int | tuple[int] = 2,
        strides: int | tuple[int] | None = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        kind = type(self).__name__
        super().__init__(**kwargs)
        self.pool_size = single_int(kind, "pool_size", pool_size)
        self.strides = self.pool_size if strides is None else single_int(kind, "strides", strides)
        self.padding = padding_name(kind, padding, ("valid", "same"))
        channels_last(kind, data_format)
        self.data_format = data_format

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        require_rank(self, input_shape, 3, "(batch, time, features)")
        batch, time, features = input_shape
        steps = conv_length(time, self.pool_size, self.strides, 1, self.padding)
        if steps is not None and steps <= 0:
            raise ShapeError(
                f"{self.describe()}: a window of {self.pool_size} does not fit in {time} steps "
                "with padding='valid'; use padding='same' or a smaller pool_size"
            )
        return (batch, steps, features)


class MaxPooling1D(Pooling1D):
    """The largest value of each feature in every window of ``pool_size`` steps.

    >>> layer = MaxPooling1D(2)
    >>> layer.build((None, 98, 32))
    >>> layer.output_shape
    (None, 49, 32)
    """


class AveragePooling1D(Pooling1D):
    """The mean of each feature in every window (padding excluded from the mean, as Keras).

    >>> layer = AveragePooling1D(3, strides=1, padding="same")
    >>> layer.build((None, 10, 4))
    >>> layer.output_shape
    (None, 10, 4)
    """


class GlobalPooling1D(Layer):
    """Shared options: ``(batch, time, d)`` -> ``(batch, d)`` (``(batch, 1, d)`` with keepdims)."""

    def __init__(
        self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any
    ) -> None:
        kind = type(self).__name__
        super().__init__(**kwargs)
        channels_last(kind, data_format)
        if not isinstance(keepdims, bool):
            raise ConfigError(f"{kind}: keepdims must be True or False, received {keepdims!r}")
        self.data_format = data_format
        self.keepdims = keepdims

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        if len(input_shape) != 3:
            raise ShapeError(
                f"{self.describe()} expects input (batch, time, features), received shape "
                f"{format_shape(input_shape)}"
            )
        batch, _, features = input_shape
        return (batch, 1, features) if self.keepdims else (batch, features)


class GlobalMaxPooling1D(GlobalPooling1D):
    """The largest value of each feature over all steps; Keras 3 ignores the mask here.

    >>> layer = GlobalMaxPooling1D()
    >>> layer.build((None, 49, 32))
    >>> layer.output_shape
    (None, 32)
    """

    supports_masking = False


class GlobalAveragePooling1D(GlobalPooling1D):
    """The mean of each feature over the steps; with a mask, over the real steps only.

    Math: ``y = Σ_t m_t x_t / Σ_t m_t`` (``m_t = 1`` everywhere without a mask). The mask
    is consumed here: nothing after it receives one.

    >>> layer = GlobalAveragePooling1D(keepdims=True)
    >>> layer.build((None, 20, 16))
    >>> layer.output_shape
    (None, 1, 16)
    """


# Keras's short aliases name the same classes.
MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalAvgPool1D = GlobalAveragePooling1D
