"""``EmbeddingModule``: row lookup in ``embeddings`` (V, E); id 0 starts the mask if asked."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..errors import InputDataError, ShapeError
from ..layers.embedding import Embedding
from .base import LayerModule
from .initializers import initialize


class EmbeddingModule(LayerModule):
    """(B, T) ids -> (B, T, E). Ids arrive as floats from ``predict``; they are cast as Keras
    casts them (to integers), after a range check that names the layer."""

    def __init__(self, spec: Embedding) -> None:
        super().__init__()
        self.spec = spec
        self.embeddings = nn.Parameter(torch.empty(spec.input_dim, spec.output_dim))
        initialize(self.embeddings, spec.embeddings_initializer)
        if spec.initial_weights is not None:
            start = np.asarray(spec.initial_weights, dtype=np.float32)
            if start.shape != tuple(self.embeddings.shape):
                raise ShapeError(
                    f"{spec.describe()}: weights= must be one matrix of shape "
                    f"{tuple(self.embeddings.shape)} (input_dim, output_dim), received {start.shape}"
                )
            with torch.no_grad():
                self.embeddings.copy_(torch.from_numpy(start))

    def keras_parameters(self) -> list[nn.Parameter]:
        return [self.embeddings]

    def next_mask(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor | None:
        return (x != 0) if self.spec.mask_zero else None  # (B, T): True at real tokens

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        ids = x.long()
        if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= self.spec.input_dim):
            raise InputDataError(
                f"{self.spec.describe()} has input_dim={self.spec.input_dim}, so ids must lie in "
                f"[0, {self.spec.input_dim - 1}], received ids from {int(ids.min())} to "
                f"{int(ids.max())}: raise input_dim to the vocabulary size + 1"
            )
        return F.embedding(ids, self.embeddings)  # (B, T, E)
