"""The fused kernel on masked sequences: real steps packed together, masked steps skipped.

Keras carries the state over a masked step unchanged, so a masked layer computes exactly what
the cell computes on each sample's real steps alone, in order. :func:`run_fused_masked` moves
those steps to the front (``pack_padded_sequence``), runs torch's packed kernel once, and
spreads the states back over the full time axis: the state at a masked step is the state of
the last real step before it (the initial state before the first). Any mask pattern works,
not only trailing padding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from .fused import is_packed, packed

_PACKED_KERNELS: dict[str, Callable[..., Any]] = {
    "LSTM": torch._VF.lstm,
    "GRU": torch._VF.gru,
    "SimpleRNN": torch._VF.rnn_tanh,
}


def compact(x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each sample's real steps moved to the front, in order, and their counts.

    >>> x = torch.arange(6.0).view(1, 3, 2)
    >>> front, lengths = compact(x, torch.tensor([[False, True, True]]))
    >>> front[0, :2].tolist(), lengths.tolist()
    ([[2.0, 3.0], [4.0, 5.0]], [2])
    """
    lengths = mask.sum(dim=1)  # (B,)
    # A stable sort of "is masked" puts real steps first without reordering them.
    order = torch.argsort((~mask).to(torch.int8), dim=1, stable=True)  # (B, T)
    front = x.gather(1, order.unsqueeze(-1).expand(-1, -1, x.shape[-1]))  # (B, T, D)
    return front[:, : int(lengths.max())], lengths


def spread(compacted: torch.Tensor, mask: torch.Tensor, before_first: torch.Tensor) -> torch.Tensor:
    """Per-step values (B, T, U) from per-real-step ones (B, T_real, U): a masked step repeats
    the last real step before it, ``before_first`` (B, U) stands before the first one."""
    extended = torch.cat([before_first.unsqueeze(1), compacted], dim=1)  # (B, 1 + T_real, U)
    index = mask.cumsum(dim=1)  # (B, T): real steps seen so far, 0 -> before_first
    return extended.gather(1, index.unsqueeze(-1).expand(-1, -1, compacted.shape[-1]))


def run_fused_masked(
    kind: str,
    weights: list[torch.Tensor],
    x: torch.Tensor,
    mask: torch.Tensor,
    initial_states: list[torch.Tensor],
    *,
    training: bool = False,
) -> tuple[torch.Tensor, list[torch.Tensor]] | None:
    """One direction over ``x`` (B, T, D) in processing order, skipping masked steps.

    Returns the state h after every step (B, T, U) — carried over at masked steps — and the
    final states, each (B, U); None when a sample has no real step (the packed kernel needs
    at least one per sample; the reference loop handles that case).
    """
    if not bool(mask.any(dim=1).all()):
        return None
    if x.is_cuda and not is_packed(weights):  # cuDNN wants one chunk (see fused.packed)
        weights = packed(weights)
    front, lengths = compact(x, mask)
    steps = pack_padded_sequence(front, lengths.cpu(), batch_first=True, enforce_sorted=False)
    assert steps.sorted_indices is not None and steps.unsorted_indices is not None
    hx = [s.unsqueeze(0).index_select(1, steps.sorted_indices) for s in initial_states]
    kernel = _PACKED_KERNELS[kind]
    has_bias = len(weights) == 4
    state: torch.Tensor | tuple[torch.Tensor, ...] = tuple(hx) if kind == "LSTM" else hx[0]
    data, *finals = kernel(
        steps.data, steps.batch_sizes, state, weights, has_bias, 1, 0.0, training, False
    )
    output = PackedSequence(data, steps.batch_sizes, steps.sorted_indices, steps.unsorted_indices)
    h_real, _ = pad_packed_sequence(output, batch_first=True)  # (B, T_real, U)
    h_steps = spread(h_real, mask, initial_states[0])
    return h_steps, [f.index_select(1, steps.unsorted_indices)[0] for f in finals]
