"""The fused path: torch's native LSTM/GRU/RNN kernels (oneDNN on CPU, cuDNN on CUDA).

These are the functions ``torch.nn.LSTM`` itself calls. Weights arrive already converted by
:mod:`rnnlens.engine.layout`; nothing here loops over time in Python.
"""

from __future__ import annotations

import torch

_KERNELS = {"GRU": torch._VF.gru, "tanh": torch._VF.rnn_tanh, "relu": torch._VF.rnn_relu}


def packed(weights: list[torch.Tensor]) -> list[torch.Tensor]:
    """The same weights as contiguous views into one flat buffer, in order.

    cuDNN wants all weights of a call in one chunk of memory; given separate tensors it
    copies them itself and warns at every call. Packing them here (one differentiable copy)
    gives it exactly that chunk, so CUDA runs quietly; on CPU the tensors are used as they are.
    """
    flat = torch.cat([w.reshape(-1) for w in weights])  # (sum of sizes,)
    views, start = [], 0
    for w in weights:
        views.append(flat[start : start + w.numel()].view(w.shape))
        start += w.numel()
    return views


def is_packed(weights: list[torch.Tensor]) -> bool:
    """Whether ``weights`` already lie back to back, in order, in one chunk (see :func:`packed`)."""
    end = None
    for w in weights:
        if not w.is_contiguous() or (end is not None and w.data_ptr() != end):
            return False
        end = w.data_ptr() + w.numel() * w.element_size()
    return True


def run_fused(
    kind: str,
    weights: list[torch.Tensor],
    x: torch.Tensor,
    initial_states: list[torch.Tensor],
    *,
    bidirectional: bool = False,
    activation: str = "tanh",
    training: bool = False,
) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """Run one layer (one or both directions) over ``x`` (B, T, D), batch first.

    ``weights`` holds 2 or 4 tensors per direction; ``initial_states`` holds tensors of shape
    (directions, B, U). Returns the output sequence (B, T, directions·U) and the final states,
    each (directions, B, U).
    """
    has_bias = len(weights) // (2 if bidirectional else 1) == 4
    # The kernels' "train" flag only decides whether the forward keeps what the backward
    # needs (cuDNN refuses a backward through an inference-mode call). Inter-layer dropout is
    # 0 here, so it never changes the numbers: set it whenever a gradient may be asked for,
    # e.g. saliency on a model in eval mode.
    inputs = [x, *weights, *initial_states]
    training = training or (torch.is_grad_enabled() and any(t.requires_grad for t in inputs))
    if x.is_cuda and not is_packed(weights):  # cached weights come packed already
        weights = packed(weights)
    if kind == "LSTM":
        output, h, c = torch._VF.lstm(
            x, tuple(initial_states), weights, has_bias, 1, 0.0, training, bidirectional, True
        )
        return output, [h, c]
    kernel = _KERNELS["GRU" if kind == "GRU" else activation]
    output, h = kernel(
        x, initial_states[0], weights, has_bias, 1, 0.0, training, bidirectional, True
    )
    return output, [h]
