"""Keras's default initializers, drawn with torch's generator (so ``rl.set_seed`` governs them)."""

from __future__ import annotations

import math

import torch

# Keras draws "normal" variance-scaling initializers from a normal truncated at 2σ; this constant
# is the standard deviation of that truncated unit normal, used to keep the intended variance.
_TRUNCATED_STD = 0.87962566103423978


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2]) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def initialize(tensor: torch.Tensor, name: str) -> None:
    """Fill ``tensor`` (Keras layout) in place as Keras's initializer ``name`` would.

    The values depend only on the shape and the seed, not on how ``tensor`` lies in memory:
    a strided tensor (a recurrent kernel stored in torch's layout) gets them through a
    contiguous draw, so ``rl.set_seed`` gives the same weights whatever the storage.
    """
    if not tensor.is_contiguous():
        fresh = torch.empty(tensor.shape, dtype=tensor.dtype, device=tensor.device)
        initialize(fresh, name)
        with torch.no_grad():
            tensor.copy_(fresh)
        return
    fan_in, fan_out = _fans(tuple(tensor.shape))
    with torch.no_grad():
        if name == "zeros":
            tensor.zero_()
        elif name == "ones":
            tensor.fill_(1.0)
        elif name == "orthogonal":
            torch.nn.init.orthogonal_(tensor)
        elif name == "random_uniform":
            tensor.uniform_(-0.05, 0.05)
        elif name == "random_normal":
            tensor.normal_(0.0, 0.05)
        elif name == "truncated_normal":
            torch.nn.init.trunc_normal_(tensor, 0.0, 0.05, -0.1, 0.1)
        else:
            scale_by = {"glorot": (fan_in + fan_out) / 2, "he": fan_in / 2, "lecun": fan_in}
            family, kind = name.split("_")
            variance = 1.0 / scale_by[family]
            if kind == "uniform":
                limit = math.sqrt(3.0 * variance)
                tensor.uniform_(-limit, limit)
            else:
                std = math.sqrt(variance) / _TRUNCATED_STD
                torch.nn.init.trunc_normal_(tensor, 0.0, std, -2 * std, 2 * std)
