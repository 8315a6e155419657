"""Keras's default initializers, drawn with torch's generator (so ``rl.set_seed`` governs them)."""

from __future__ import annotations

import math
from typing import Any

import torch

from ..errors import ShapeError
from ..layers.objects import (
    Constant,
    Identity,
    Initializer,
    Ones,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    Zeros,
    _SeededScaling,
)

# Keras draws "normal" variance-scaling initializers from a normal truncated at 2σ; this constant
# is the standard deviation of that truncated unit normal, used to keep the intended variance.
_TRUNCATED_STD = 0.87962566103423978


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2]) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def initialize(tensor: torch.Tensor, name: str | Initializer) -> None:
    """Fill ``tensor`` (Keras layout) in place as Keras's initializer ``name`` would.

    ``name`` is a Keras name or an initializer object (:mod:`rnnlens.layers.objects`); an
    object with a ``seed`` draws from its own generator, so it gives the same values at
    every call, as a seeded Keras initializer does.

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
    if isinstance(name, Initializer):
        with torch.no_grad():
            _from_object(tensor, name)
        return
    if name in ("identity", "variance_scaling", "constant"):
        initialize(
            tensor,
            {"identity": Identity, "variance_scaling": VarianceScaling, "constant": Constant}[
                name
            ](),
        )
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


def _from_object(tensor: torch.Tensor, init: Initializer) -> None:
    """Keras's initializer math for one object (``keras/src/initializers``)."""
    seed = init.config.get("seed")
    generator: Any = None
    if seed is not None:
        generator = torch.Generator(device=tensor.device).manual_seed(int(seed))
    if isinstance(init, _SeededScaling):
        init = init.as_variance_scaling()
    c = init.config
    if isinstance(init, Zeros):
        tensor.zero_()
    elif isinstance(init, Ones):
        tensor.fill_(1.0)
    elif isinstance(init, Constant):
        tensor.fill_(float(c["value"]))
    elif isinstance(init, RandomNormal):
        tensor.normal_(c["mean"], c["stddev"], generator=generator)
    elif isinstance(init, RandomUniform):
        tensor.uniform_(c["minval"], c["maxval"], generator=generator)
    elif isinstance(init, TruncatedNormal):
        _truncated(tensor, c["mean"], c["stddev"], generator)
    elif isinstance(init, VarianceScaling):
        fan_in, fan_out = _fans(tuple(tensor.shape))
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[c["mode"]]
        scale = c["scale"] / max(1.0, fan)
        if c["distribution"] == "truncated_normal":
            _truncated(tensor, 0.0, math.sqrt(scale) / _TRUNCATED_STD, generator)
        elif c["distribution"] == "untruncated_normal":
            tensor.normal_(0.0, math.sqrt(scale), generator=generator)
        else:
            limit = math.sqrt(3.0 * scale)
            tensor.uniform_(-limit, limit, generator=generator)
    elif isinstance(init, Orthogonal):
        rows, cols = math.prod(tensor.shape[:-1]), tensor.shape[-1]
        # QR of a normal draw, signs fixed by R's diagonal, as Keras's Orthogonal
        draw = torch.randn(
            max(rows, cols), min(rows, cols), generator=generator, dtype=torch.float64
        )
        q, r = torch.linalg.qr(draw)
        q = q * torch.sign(torch.diagonal(r))
        if rows < cols:
            q = q.t()
        tensor.copy_((c["gain"] * q).reshape(tensor.shape).to(tensor.dtype))
    elif isinstance(init, Identity):
        if tensor.dim() != 2:
            raise ShapeError(
                f"Identity initializer needs a 2D weight, received shape {tuple(tensor.shape)}"
            )
        tensor.copy_(c["gain"] * torch.eye(*tensor.shape, dtype=tensor.dtype))
    else:  # pragma: no cover - every Initializer subclass is handled above
        raise TypeError(f"no initializer math for {type(init).__name__}")


def _truncated(tensor: torch.Tensor, mean: float, std: float, generator: Any) -> None:
    """A normal draw truncated at two standard deviations (Keras's truncated_normal)."""
    torch.nn.init.trunc_normal_(
        tensor, mean, std, mean - 2 * std, mean + 2 * std, generator=generator
    )
