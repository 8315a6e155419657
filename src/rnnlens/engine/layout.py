"""The one place where Keras's weight layout becomes torch's fused-kernel layout.

Keras stores ``kernel (d, G·u)``, ``recurrent_kernel (u, G·u)``, ``bias (G·u,)`` (GRU with
``reset_after``: ``(2, 3u)``), gates side by side in columns. torch's fused kernels want
``weight_ih (G·u, d)``, ``weight_hh (G·u, u)`` and two biases, gates stacked in rows, and
GRU gates in the order r, z, n instead of Keras's z, r, h. These functions are differentiable,
so gradients reach the Keras-layout parameters; they run once per forward call.
"""

from __future__ import annotations

import torch

Weights = list[torch.Tensor]


def _gru_reorder(rows: torch.Tensor) -> torch.Tensor:
    """Keras z, r, h -> torch r, z, n along the first axis. # (3U, ...)"""
    z, r, h = rows.chunk(3, dim=0)
    return torch.cat([r, z, h], dim=0)


def keras_to_torch(
    kind: str, kernel: torch.Tensor, recurrent_kernel: torch.Tensor, bias: torch.Tensor | None
) -> Weights:
    """``[weight_ih, weight_hh, bias_ih, bias_hh]`` (biases omitted when ``bias`` is None)."""
    w_ih, w_hh = kernel.t(), recurrent_kernel.t()  # (G·U, D), (G·U, U)
    if kind == "GRU":
        w_ih, w_hh = _gru_reorder(w_ih), _gru_reorder(w_hh)
    if bias is None:
        return [w_ih, w_hh]
    if bias.dim() == 2:  # GRU reset_after: row 0 input bias, row 1 recurrent bias
        return [w_ih, w_hh, _gru_reorder(bias[0]), _gru_reorder(bias[1])]
    b_ih = _gru_reorder(bias) if kind == "GRU" else bias
    # Keras has one bias per gate; torch adds two. The second is zero and stays zero.
    return [w_ih, w_hh, b_ih, torch.zeros_like(b_ih)]


def torch_to_keras(kind: str, weights: Weights, reset_after: bool = True) -> Weights:
    """Inverse of :func:`keras_to_torch` for ``torch.nn.LSTM/GRU/RNN`` parameters of one direction.

    torch's two LSTM/RNN biases are summed into Keras's one (exact in the forward pass).
    """

    def to_keras_rows(rows: torch.Tensor) -> torch.Tensor:
        if kind != "GRU":
            return rows
        r, z, n = rows.chunk(3, dim=0)
        return torch.cat([z, r, n], dim=0)

    w_ih, w_hh, *biases = weights
    out = [to_keras_rows(w_ih).t().contiguous(), to_keras_rows(w_hh).t().contiguous()]
    if biases:
        b_ih, b_hh = biases
        if kind == "GRU":
            if not reset_after:
                raise ValueError("torch.nn.GRU is the reset_after=True variant")
            out.append(torch.stack([to_keras_rows(b_ih), to_keras_rows(b_hh)]))
        else:
            out.append(b_ih + b_hh)
    return out
