"""``RNNModule``: ``RNN(cell)`` as a chain of recurrent modules, one per cell."""

from __future__ import annotations

import torch
from torch import nn

from ..errors import ShapeError
from ..layers.rnn import RNN
from .base import LayerModule
from .recurrent import RecurrentModule
from .reference import RunResult


class RNNModule(LayerModule):
    """Runs each cell's :class:`RecurrentModule` over the whole sequence in turn.

    Cell k of a stack reads every step of cell k-1, so running the cells layer by layer
    gives exactly the numbers of Keras's step-by-step loop, and each one may use the fused
    kernel. ``go_backwards`` flips the input (and mask) once, before the first cell.
    """

    def __init__(self, spec: RNN) -> None:
        super().__init__()
        self.spec = spec
        modules = [layer.module for layer in spec.chain]
        assert all(isinstance(m, RecurrentModule) for m in modules)
        self.cells = nn.ModuleList(modules)

    def keras_parameters(self) -> list[nn.Parameter]:
        return [p for cell in self.cells for p in cell.keras_parameters()]  # type: ignore[operator]

    def propagates_mask(self) -> bool:
        return self.spec.return_sequences

    def reset_states(self) -> None:
        for cell in self.cells:
            assert isinstance(cell, RecurrentModule)
            cell.reset_states()

    def run(
        self,
        x: torch.Tensor,
        mask: torch.Tensor | None = None,
        initial_state: list[torch.Tensor] | None = None,
    ) -> list[RunResult]:
        """Every cell's result, in processing order (reversed when ``go_backwards``)."""
        spec = self.spec
        if spec.go_backwards:
            x = x.flip(1)
            mask = None if mask is None else mask.flip(1)
        counts = [len(layer.state_names) for layer in spec.chain]
        if initial_state is not None and len(initial_state) != sum(counts):
            raise ShapeError(
                f"{spec.describe()} carries {sum(counts)} state tensor(s), received "
                f"initial_state with {len(initial_state)}"
            )
        results, start = [], 0
        for cell, n in zip(self.cells, counts):
            assert isinstance(cell, RecurrentModule)
            given = None if initial_state is None else initial_state[start : start + n]
            start += n
            result = cell.run(x, mask, given, zero_output_for_mask=spec.zero_output_for_mask)
            results.append(result)
            x = result.sequence
        return results

    def forward(
        self,
        x: torch.Tensor,
        mask: torch.Tensor | None = None,
        initial_state: list[torch.Tensor] | None = None,
    ) -> torch.Tensor | list[torch.Tensor]:
        results = self.run(x, mask, initial_state)
        last = results[-1]
        output = last.sequence if self.spec.return_sequences else last.last
        if not self.spec.return_state:
            return output
        return [output, *[s for result in results for s in result.states]]
