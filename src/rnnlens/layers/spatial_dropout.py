"""``SpatialDropout1D``: drops whole feature channels of a sequence, the same at every step."""

from __future__ import annotations

from typing import Any

from ..shapes import Shape, ShapeOrList
from .base import Layer, fraction, require_rank


class SpatialDropout1D(Layer):
    """While training, zeroes each of the ``d`` channels with probability ``rate`` for the
    whole sequence (noise shape ``(batch, 1, d)``) and scales the rest by 1/(1 − rate).

    At inference the input passes unchanged; the time-step mask passes on.

    >>> layer = SpatialDropout1D(0.2)
    >>> layer.build((None, 30, 16))
    >>> layer.output_shape
    (None, 30, 16)
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = fraction("SpatialDropout1D", "rate", rate)
        self.seed = seed

    def get_config(self) -> dict[str, Any]:
        # Keras's SpatialDropout1D takes no `trainable` (its config has rate, seed, name).
        return {"name": self.name, "rate": self.rate, "seed": self.seed}

    def compute_output_shape(self, input_shape: Shape) -> ShapeOrList:
        require_rank(self, input_shape, 3, "(batch, time, features)")
        return input_shape
