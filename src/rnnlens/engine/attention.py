"""Module for Attention and AdditiveAttention: scores, masked softmax, weighted values."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..layers.attention import AdditiveAttention, Attention
from .base import LayerModule
from .initializers import initialize

Masks = list[torch.Tensor | None] | None


class AttentionModule(LayerModule):
    """Keras 3's ``Attention._calculate_scores`` / ``_apply_scores`` on (B, Tq, D), (B, Tv, D)."""

    def __init__(self, spec: Attention) -> None:
        super().__init__()
        self.spec = spec
        self.additive = isinstance(spec, AdditiveAttention)
        shapes = {w.name: w.shape for w in spec.weight_specs()}
        self.scale = nn.Parameter(torch.empty(shapes["scale"])) if "scale" in shapes else None
        self.concat_score_weight = (
            nn.Parameter(torch.empty(())) if "concat_score_weight" in shapes else None
        )
        for parameter, spec_w in zip(self.keras_parameters(), spec.weight_specs()):
            if parameter.dim() == 0:  # the scalars start at 1 (Keras's "ones")
                with torch.no_grad():
                    parameter.fill_(1.0)
            else:
                initialize(parameter, spec_w.initializer)

    def keras_parameters(self) -> list[nn.Parameter]:
        return [p for p in (self.scale, self.concat_score_weight) if p is not None]

    def next_mask(self, x: list[torch.Tensor], mask: Masks) -> torch.Tensor | None:  # type: ignore[override]
        return mask[0] if mask else None  # the query's mask

    def scores(self, query: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
        """(B, Tq, Tv) before masking."""
        if self.additive or self.spec.score_mode == "concat":
            summed = query.unsqueeze(-2) + key.unsqueeze(-3)  # (B, Tq, Tv, D)
            if self.additive:
                scale = self.scale if self.scale is not None else 1.0
                return (scale * torch.tanh(summed)).sum(-1)
            if self.scale is not None:
                summed = self.scale * summed
            assert self.concat_score_weight is not None
            return self.concat_score_weight * torch.tanh(summed).sum(-1)
        out = query @ key.transpose(-2, -1)  # (B, Tq, Tv)
        return out * self.scale if self.scale is not None else out

    def forward(
        self,
        x: list[torch.Tensor],
        mask: Masks = None,
        return_attention_scores: bool = False,
        use_causal_mask: bool = False,
    ) -> torch.Tensor | list[torch.Tensor]:
        query, value = x[0], x[1]
        key = x[2] if len(x) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask and len(mask) > 1 else None
        scores = self.scores(query, key)
        keep = None if value_mask is None else value_mask.unsqueeze(-2)  # (B, 1, Tv)
        if use_causal_mask:
            tq, tv = scores.shape[-2:]
            causal = torch.ones(tq, tv, dtype=torch.bool, device=scores.device).tril()
            keep = causal.unsqueeze(0) if keep is None else keep & causal
        if keep is not None:
            scores = torch.where(keep, scores, scores - 1.0e9)
        weights = torch.softmax(scores, dim=-1)
        if self.training and self.spec.dropout > 0:
            weights = F.dropout(weights, self.spec.dropout, training=True)
        out = weights @ value  # (B, Tq, D)
        if query_mask is not None:
            out = torch.where(query_mask.unsqueeze(-1), out, torch.zeros_like(out))
        return [out, weights] if return_attention_scores else out
