"""``Embedding``: integer ids -> learned vectors, the first layer of most text models."""

from __future__ import annotations

import warnings
from typing import Any

from ..errors import ConfigError, ConfigTypeError, ShapeError
from ..shapes import Shape, ShapeOrList, format_shape
from .base import Layer, WeightSpec, positive_int
from .options import constraint_option, initializer_name, regularizer_option

# Keras accepts these short aliases for its random initializers.
_ALIASES = {"uniform": "random_uniform", "normal": "random_normal"}


class LegacyArgumentWarning(UserWarning):
    """A Keras 1/2 argument that Keras 3 ignores (rnnlens still reads it, and says so)."""


class Embedding(Layer):
    """Looks up row ``x`` of ``embeddings`` ``(input_dim, output_dim)`` for every id ``x``.

    Math: ``y[b, t] = embeddings[x[b, t]]``. Input ``(batch, time)`` of integer ids in
    ``[0, input_dim)``; output ``(batch, time, output_dim)``. Parameters:
    ``input_dim · output_dim``.

    ``mask_zero=True`` marks id 0 as padding: the layer hands on a ``(batch, time)`` mask that
    the recurrent layers after it use to skip those steps (``input_dim`` must then count id 0).
    Keras 2's ``input_length`` is read as the input shape ``(input_length,)`` when no other
    shape is given, with a :class:`LegacyArgumentWarning`: Keras 3 ignores it and leaves such
    a model unbuilt until it sees data.

    >>> layer = Embedding(1000, 64, mask_zero=True)
    >>> layer.build((None, 20))
    >>> layer.output_shape, layer.count_params()
    ((None, 20, 64), 64000)

    Args:
        input_dim: size of the vocabulary (largest id + 1).
        output_dim: length of each vector.
        embeddings_initializer: Keras initializer name (``"uniform"`` as Keras).
        mask_zero: treat id 0 as padding and start a time-step mask.
        weights: optional ``[matrix]`` of shape ``(input_dim, output_dim)`` to start from
            (pretrained vectors such as GloVe), as Keras accepts it.

    Raises:
        ConfigError: a size that is not a positive integer, an unknown initializer.
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: str = "uniform",
        mask_zero: bool = False,
        embeddings_regularizer: Any = None,
        embeddings_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        input_length = kwargs.pop("input_length", None)
        weights = kwargs.pop("weights", None)
        super().__init__(**kwargs)
        self.input_dim = _size("input_dim", input_dim)
        self.output_dim = _size("output_dim", output_dim)
        self.embeddings_regularizer = regularizer_option(
            "Embedding", "embeddings_regularizer", embeddings_regularizer
        )
        self.embeddings_constraint = constraint_option(
            "Embedding", "embeddings_constraint", embeddings_constraint
        )
        initializer = _ALIASES.get(embeddings_initializer, embeddings_initializer)
        self.embeddings_initializer = initializer_name(
            "Embedding", "embeddings_initializer", initializer
        )
        if not isinstance(mask_zero, bool):
            raise ConfigError(f"Embedding: mask_zero must be True or False, received {mask_zero!r}")
        self.mask_zero = mask_zero
        # As Keras: an Embedding hands a mask on only when it makes one.
        self.supports_masking = mask_zero  # type: ignore[misc]
        #: Starting embeddings given as ``weights=[matrix]`` (Keras's pretrained vectors); not
        #: part of the config: a saved model carries its weights anyway.
        self.initial_weights: Any = weights[0] if isinstance(weights, (list, tuple)) else weights
        self.input_length: int | None = None
        if input_length is not None:
            self.input_length = positive_int("Embedding", "input_length", input_length)
            if self.declared_input_shape is None:
                self.declared_input_shape = (self.input_length,)
            warnings.warn(
                f"{self.describe()}: input_length={input_length} is a Keras 2 argument that "
                "Keras 3 ignores (its model stays unbuilt until it sees data); rnnlens reads it "
                f"as the input shape ({input_length},). For Keras 3 write "
                f"keras.Input(shape=({input_length},)) as the first layer instead",
                LegacyArgumentWarning,
                stacklevel=2,
            )

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        if len(input_shape) < 1:  # as Keras: ids of any rank, (batch,) included
            raise ShapeError(
                f"{self.describe()} expects integer ids (batch, time), received shape "
                f"{format_shape(input_shape)}"
            )
        return (*input_shape, self.output_dim)

    def weight_specs(self) -> list[WeightSpec]:
        self._require_input_shape("its weight shapes")
        return [
            WeightSpec("embeddings", (self.input_dim, self.output_dim), self.embeddings_initializer)
        ]


def _size(argument: str, value: object) -> int:
    """``input_dim``/``output_dim``: Keras's message, with rnnlens's ConfigError."""
    try:
        return positive_int("Embedding", argument, value)  # symbolic sizes pass here too
    except ConfigError:  # Keras raises ValueError here, TypeError from from_config: both
        raise ConfigTypeError(
            f"Embedding: `{argument}` must be a positive integer, received {argument}={value!r}"
        ) from None
