"""``BidirectionalModule``: both directions, in one fused call whenever that is exact."""

from __future__ import annotations

import torch

from ..layers.wrappers import Bidirectional
from .base import LayerModule
from .fused import run_fused
from .layout import LayoutCache, fused_weights, worth_caching
from .recurrent import RecurrentModule
from .reference import RunResult


def merge(mode: str | None, a: torch.Tensor, b: torch.Tensor) -> list[torch.Tensor]:
    """Combine forward and backward outputs as Keras's ``merge_mode`` does."""
    if mode == "concat":
        return [torch.cat([a, b], dim=-1)]  # (..., U_fw + U_bw)
    if mode == "sum":
        return [a + b]
    if mode == "mul":
        return [a * b]
    if mode == "ave":
        return [(a + b) / 2]
    return [a, b]


class BidirectionalModule(LayerModule):
    """Computes a :class:`~rnnlens.layers.Bidirectional` layer: two recurrent modules, merged.

    Both directions read the same input (B, T, D). The backward module's outputs are flipped
    back onto time before merging; its parameters follow the forward's in ``get_weights()``.
    """

    def __init__(self, spec: Bidirectional) -> None:
        super().__init__()
        self.spec = spec
        forward, backward = spec.forward.module, spec.backward.module
        assert isinstance(forward, RecurrentModule) and isinstance(backward, RecurrentModule)
        self.forward_layer, self.backward_layer = forward, backward
        self.layout_cache = LayoutCache()

    def keras_parameters(self) -> list[torch.nn.Parameter]:
        return [*self.forward_layer.keras_parameters(), *self.backward_layer.keras_parameters()]

    def propagates_mask(self) -> bool:
        return self.spec.return_sequences

    def reset_states(self) -> None:
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def forward(
        self,
        x: torch.Tensor,
        mask: torch.Tensor | None = None,
        initial_state: list[torch.Tensor] | None = None,
    ) -> torch.Tensor | list[torch.Tensor]:
        spec = self.spec
        if (
            spec.merge_mode == "concat"
            and spec.return_sequences
            and not spec.return_state
            and initial_state is None
            and self._one_fused_call(mask, record=False)
        ):
            # The bidirectional kernel already writes [forward, backward] side by side,
            # time-aligned: exactly Keras's concat. Splitting and concatenating again would
            # only copy the (B, T, 2U) output.
            sequence, _ = self._run_fused_pair(x)
            return sequence
        fw, bw = self.run(x, mask, initial_state)
        if spec.return_sequences:
            merged = merge(spec.merge_mode, fw.sequence, bw.sequence)
        else:
            merged = merge(spec.merge_mode, fw.last, bw.last)
        if not spec.return_state:
            return merged[0] if len(merged) == 1 else merged
        return [*merged, *fw.states, *bw.states]

    def run(
        self,
        x: torch.Tensor,
        mask: torch.Tensor | None = None,
        initial_state: list[torch.Tensor] | None = None,
        record: bool = False,
    ) -> tuple[RunResult, RunResult]:
        """Forward and backward results, their sequences aligned with the input's time order.

        The records stay in each direction's processing order (the backward one reversed):
        flipping them here would copy every recorded array; :mod:`rnnlens.trace` flips views.
        """
        # Recording runs each direction on its own (engine/record.py records one at a time).
        if initial_state is None and not record and self._one_fused_call(mask, record):
            return self._fused_results(x)
        n = len(self.spec.forward.state_names)
        fw_init = None if initial_state is None else initial_state[:n]
        bw_init = None if initial_state is None else initial_state[n:]
        # Keras zeroes the outputs at masked steps inside Bidirectional (when it returns
        # sequences), where a plain layer repeats its previous output.
        zero = self.spec.return_sequences or self.spec.forward.zero_output_for_mask
        fw = self.forward_layer.run(x, mask, fw_init, record=record, zero_output_for_mask=zero)
        bw = self.backward_layer.run(x, mask, bw_init, record=record, zero_output_for_mask=zero)
        # The backward layer's outputs come in processing order: flip them back onto time.
        # Keras flips the backward output (never the forward one) whatever go_backwards says.
        return fw, _aligned(bw, True)

    def _one_fused_call(self, mask: torch.Tensor | None, record: bool) -> bool:
        fw, bw = self.forward_layer, self.backward_layer
        return (
            fw.uses_fused(mask, record)
            and bw.uses_fused(mask, record)
            and not fw.spec.go_backwards
            and not fw.spec.stateful
            and bw.spec.go_backwards
            and fw.kind == bw.kind
            and fw.spec.units == bw.spec.units
            and fw.spec.activation == bw.spec.activation
            and (fw.bias is None) == (bw.bias is None)
            and not (self.training and (fw.spec.dropout > 0 or bw.spec.dropout > 0))
        )

    def torch_weights(self, cache: bool = True) -> list[torch.Tensor]:
        """Both directions' weights in the fused kernel's layout, forward first.

        Cached between calls that need no gradient (``cache=True``), as
        :meth:`RecurrentModule.torch_weights`.
        """
        fw, bw = self.forward_layer, self.backward_layer
        # The directions' own caches stay empty: this one holds both, in the kernel's order.
        return fused_weights(
            self.keras_parameters(),
            lambda: [*fw.converted_views(), *bw.converted_views()],
            self.layout_cache if cache else None,
        )

    def _run_fused_pair(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """One bidirectional kernel call: the output (B, T, 2U), time-aligned, forward half
        first, and the final states, each (directions, B, U)."""
        fw = self.forward_layer
        zeros = x.new_zeros(2, x.shape[0], fw.spec.units)  # (directions, B, U)
        return run_fused(
            fw.kind,
            self.torch_weights(cache=worth_caching(x)),
            x,  # as is: the kernel makes it time-major itself; a batch-first copy here is a wasted (B, T, D) copy
            [zeros] * len(fw.spec.state_names),
            bidirectional=True,
            activation=fw.spec.activation,
            training=self.training,
        )

    def _fused_results(self, x: torch.Tensor) -> tuple[RunResult, RunResult]:
        sequence, finals = self._run_fused_pair(x)
        u = self.forward_layer.spec.units
        fw_seq, bw_seq = sequence[..., :u], sequence[..., u:]  # (B, T, U) each, time-aligned
        return (
            RunResult(fw_seq, finals[0][0], [f[0] for f in finals]),
            RunResult(bw_seq, finals[0][1], [f[1] for f in finals]),
        )


def _aligned(result: RunResult, flip: bool) -> RunResult:
    if not flip:
        return result
    return RunResult(
        result.sequence.flip(1), result.last, result.states, result.record, result.gates_from
    )
