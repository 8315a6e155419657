"""BatchNormalization and LayerNormalization over the last axis (Keras 3 defaults)."""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError, ShapeError
from ..shapes import Shape, ShapeOrList, format_shape
from .base import Layer, WeightSpec
from .objects import Initializer
from .options import initializer_name


def _axis(layer: Layer, axis: object, input_shape: Shape) -> int:
    """The normalised axis as a non-negative index; only the feature axis is supported."""
    rank = len(input_shape)
    if isinstance(axis, (list, tuple)) and len(axis) == 1:
        axis = axis[0]
    if isinstance(axis, bool) or not isinstance(axis, int) or not -rank <= axis < rank:
        raise ShapeError(
            f"{layer.describe()}: axis {axis!r} is out of bounds for input shape "
            f"{format_shape(input_shape)}"
        )
    index = axis % rank
    if index != rank - 1:
        raise ConfigError(
            f"{layer.describe()}: rnnlens normalises the last axis (features) only, received "
            f"axis={axis} for input {format_shape(input_shape)}; use axis=-1"
        )
    if input_shape[index] is None:
        raise ShapeError(
            f"{layer.describe()} needs a known feature size, received {format_shape(input_shape)}"
        )
    return index


def _number(layer_type: str, argument: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConfigError(
            f"{layer_type}: {argument} must be a number in [{low}, {high}], received {value!r}"
        )
    return float(value)


class _Normalization(Layer):
    """What both normalisations share: the last axis, and ``gamma`` / ``beta`` over it."""

    axis: Any
    scale: bool
    center: bool
    gamma_initializer: str | Initializer
    beta_initializer: str | Initializer

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        _axis(self, self.axis, input_shape)
        return input_shape

    def _features(self) -> Any:
        self._require_input_shape("its weight shapes")
        assert isinstance(self.input_shape, tuple)
        n = self.input_shape[-1]
        assert n is not None  # an int, or a size from data (rnnlens.symbolic)
        return n

    def _affine_specs(self) -> list[WeightSpec]:
        """``gamma`` (if ``scale``) then ``beta`` (if ``center``), each ``(features,)``."""
        n = self._features()
        specs = []
        if self.scale:
            specs.append(WeightSpec("gamma", (n,), self.gamma_initializer))
        if self.center:
            specs.append(WeightSpec("beta", (n,), self.beta_initializer))
        return specs


class BatchNormalization(_Normalization):
    """Normalises each feature with batch statistics while training, moving ones otherwise.

    Math (per feature, over batch and time)::

        training:   μ, σ² = mean and (biased) variance of the batch
                    moving_mean ← momentum·moving_mean + (1 − momentum)·μ   (same for σ²)
        inference:  μ, σ² = moving_mean, moving_variance
        y = γ · (x − μ) / sqrt(σ² + epsilon) + β

    Weights in Keras's order: ``gamma`` (if ``scale``), ``beta`` (if ``center``), then the
    non-trainable ``moving_mean`` and ``moving_variance``; every one is ``(features,)``.
    With a time-step mask the statistics cover the real steps only; the mask passes on.

    >>> layer = BatchNormalization()
    >>> layer.build((None, 10, 8))
    >>> layer.count_params(), [s.name for s in layer.weight_specs()]
    (32, ['gamma', 'beta', 'moving_mean', 'moving_variance'])
    """

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: str = "zeros",
        gamma_initializer: str = "ones",
        moving_mean_initializer: str = "zeros",
        moving_variance_initializer: str = "ones",
        **kwargs: Any,
    ) -> None:
        for option in ("renorm", "synchronized"):
            if kwargs.pop(option, False):
                raise ConfigError(f"BatchNormalization: {option}=True is not supported by rnnlens")
        kwargs.pop("renorm_clipping", None)
        kwargs.pop("renorm_momentum", None)
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]  # Keras 2 files write [-1]
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ConfigError(f"BatchNormalization: axis must be an integer, received {axis!r}")
        self.axis = axis
        self.momentum = _number("BatchNormalization", "momentum", momentum, 0.0, 1.0)
        self.epsilon = _number("BatchNormalization", "epsilon", epsilon, 0.0, float("inf"))
        self.center = bool(center)
        self.scale = bool(scale)
        name = "BatchNormalization"
        self.beta_initializer = initializer_name(name, "beta_initializer", beta_initializer)
        self.gamma_initializer = initializer_name(name, "gamma_initializer", gamma_initializer)
        self.moving_mean_initializer = initializer_name(
            name, "moving_mean_initializer", moving_mean_initializer
        )
        self.moving_variance_initializer = initializer_name(
            name, "moving_variance_initializer", moving_variance_initializer
        )

    def weight_specs(self) -> list[WeightSpec]:
        specs, n = self._affine_specs(), self._features()
        # Counted in the total, never changed by the optimizer (non-trainable, as Keras).
        specs.append(WeightSpec("moving_mean", (n,), self.moving_mean_initializer, False))
        specs.append(WeightSpec("moving_variance", (n,), self.moving_variance_initializer, False))
        return specs


class LayerNormalization(_Normalization):
    """Normalises each sample's features: ``y = γ · (x − mean) / sqrt(var + epsilon) + β``.

    Mean and (biased) variance are taken over the last axis of each sample and step, so
    training and inference compute the same thing. Weights ``gamma`` (if ``scale``) and
    ``beta`` (if ``center``), each ``(features,)``; the time-step mask passes on.
    Keras 3's deprecated ``rms_scaling=True`` is refused (use RMS normalization instead).

    >>> layer = LayerNormalization()
    >>> layer.build((None, 10, 8))
    >>> layer.count_params()
    16
    """

    def __init__(
        self,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: str = "zeros",
        gamma_initializer: str = "ones",
        **kwargs: Any,
    ) -> None:
        if kwargs.pop("rms_scaling", False):
            raise ConfigError(
                "LayerNormalization: rms_scaling=True (deprecated in Keras 3) is not supported"
            )
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ConfigError(f"LayerNormalization: axis must be an integer, received {axis!r}")
        self.axis = axis
        self.epsilon = _number("LayerNormalization", "epsilon", epsilon, 0.0, float("inf"))
        self.center = bool(center)
        self.scale = bool(scale)
        name = "LayerNormalization"
        self.beta_initializer = initializer_name(name, "beta_initializer", beta_initializer)
        self.gamma_initializer = initializer_name(name, "gamma_initializer", gamma_initializer)

    def weight_specs(self) -> list[WeightSpec]:
        return self._affine_specs()
