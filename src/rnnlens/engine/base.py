"""What every layer module offers the model around it."""

from __future__ import annotations

import torch
from torch import nn


class LayerModule(nn.Module):
    """A torch module computing one layer; it also says what happens to the time-step mask."""

    def keras_parameters(self) -> list[nn.Parameter]:
        """The parameters in Keras's ``get_weights()`` order and layout."""
        return []

    def propagates_mask(self) -> bool:
        """Whether the mask reaching this layer applies to its output too."""
        return True

    def next_mask(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor | None:
        """The (B, T) mask for the next layer, given this layer's input and mask."""
        return mask if self.propagates_mask() else None

    def reset_states(self) -> None:
        """Forget carried states (only stateful recurrent layers keep any)."""
