"""Attention (Luong, dot product) and AdditiveAttention (Bahdanau), as Keras 3 defines them.

Called on ``[query, value]`` or ``[query, value, key]`` (key defaults to value), query
``(batch, Tq, dim)``, value and key ``(batch, Tv, dim)``::

    scores  = query · keyᵀ                         (Attention, score_mode="dot"; × scale)
    scores  = c · Σ tanh(scale · (q + k))           (Attention, score_mode="concat")
    scores  = Σ scale ⊙ tanh(q + k)                  (AdditiveAttention)
    weights = softmax(scores over Tv)   (masked value steps, and future ones with
                                         use_causal_mask=True, get -1e9 first)
    output  = weights · value            (batch, Tq, dim); zero where the query is masked

Weights: ``scale`` () and, with ``score_mode="concat"``, ``concat_score_weight`` () for
Attention (both start at 1); ``scale`` (dim,) for AdditiveAttention (glorot uniform).

>>> from rnnlens.layers import Input
>>> q, v = Input(shape=(4, 8)), Input(shape=(6, 8))
>>> layer = AdditiveAttention()
>>> out, scores = layer([q, v], return_attention_scores=True)
>>> out.shape, scores.shape, layer.count_params()
((None, 4, 8), (None, 4, 6), 8)
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError, ShapeError
from ..shapes import Shape, ShapeOrList, format_shape
from .base import Layer, WeightSpec, fraction


class Attention(Layer):
    """Dot-product attention (Luong-style); ``use_scale`` learns a scalar temperature."""

    takes_several_inputs = True
    call_arguments = ("mask", "training", "return_attention_scores", "use_causal_mask")

    def __init__(
        self,
        use_scale: bool = False,
        score_mode: str = "dot",
        dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ConfigError(
                f"{type(self).__name__}: score_mode must be 'dot' or 'concat', received {score_mode!r}"
            )
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = fraction(type(self).__name__, "dropout", dropout)
        self.seed = seed

    def _shapes(self, input_shape: ShapeOrList) -> list[Shape]:
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        if not 2 <= len(shapes) <= 3:
            raise ShapeError(
                f"{self.describe()} is called on [query, value] or [query, value, key], "
                f"received {len(shapes)} tensor(s) {format_shape(shapes)}"
            )
        query, value = shapes[0], shapes[1]
        key = shapes[2] if len(shapes) > 2 else value
        if len(query) != 3 or len(value) != 3 or len(key) != 3:
            raise ShapeError(
                f"{self.describe()} expects query (batch, Tq, dim) and value (batch, Tv, dim), "
                f"received {format_shape(shapes)}: give the recurrent layers return_sequences=True"
            )
        if query[-1] != key[-1] or (value[1] != key[1] and None not in (value[1], key[1])):
            raise ShapeError(
                f"{self.describe()}: query and key need the same dim and value and key the same "
                f"number of steps, received {format_shape(shapes)}: give the encoder and decoder "
                "the same units"
            )
        return shapes

    def compute_output_shape(self, input_shape: ShapeOrList) -> ShapeOrList:
        shapes = self._shapes(input_shape)
        return (*shapes[0][:-1], shapes[1][-1])

    def call_output_shape(self, input_shape: ShapeOrList, kwargs: dict[str, Any]) -> ShapeOrList:
        out = self.compute_output_shape(input_shape)
        if not kwargs.get("return_attention_scores"):
            return out
        shapes = self._shapes(input_shape)
        key = shapes[2] if len(shapes) > 2 else shapes[1]
        assert isinstance(out, tuple)
        return [out, (*shapes[0][:-1], key[1])]

    def weight_specs(self) -> list[WeightSpec]:
        self._require_input_shape("its weight shapes")
        specs = []
        if self.use_scale:
            specs.append(WeightSpec("scale", (), "ones"))
        if self.score_mode == "concat":
            specs.append(WeightSpec("concat_score_weight", (), "ones"))
        return specs


class AdditiveAttention(Attention):
    """Additive attention (Bahdanau-style): ``Σ scale ⊙ tanh(query + key)``."""

    def __init__(
        self, use_scale: bool = True, dropout: float = 0.0, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)

    def weight_specs(self) -> list[WeightSpec]:
        self._require_input_shape("its weight shapes")
        assert isinstance(self.input_shape, list)
        dim = self.input_shape[0][-1]
        assert isinstance(dim, int)
        return [WeightSpec("scale", (dim,), "glorot_uniform")] if self.use_scale else []

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("score_mode", None)
        return config
