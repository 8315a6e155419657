"""``rl.attribute``: how much each input step and feature contributed to one output.

Gradients flow through the fused kernels (oneDNN / cuDNN) with dropout off: the model is in
inference mode for its numbers while the kernel keeps what its backward pass needs (the
engine sets the kernel's "train" flag whenever a gradient is asked for, which is what breaks
attribution on cuDNN models left in eval mode elsewhere).

* ``gradient_x_input``: ``x ⊙ ∂F/∂x``.
* ``integrated_gradients`` (Sundararajan et al., 2017): ``(x - x') ⊙ ∫₀¹ ∂F/∂x(x' + α(x - x')) dα``
  with baseline ``x'`` (zeros by default), the integral by ``steps``-point Gauss-Legendre
  quadrature. Attributions then add up to ``F(x) - F(x')`` (completeness); the gap is returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError

if TYPE_CHECKING:
    import torch

    from ..graph import ModelSpec

METHODS = ("gradient_x_input", "integrated_gradients")


@dataclass(frozen=True)
class Attribution:
    """Attributions of one output per sample. ``values`` has axes (batch, time, features)."""

    values: np.ndarray
    method: str
    target: np.ndarray  # (batch,) the output unit attributed for each sample
    outputs: np.ndarray  # (batch,) F(x)
    baseline_outputs: np.ndarray | None  # (batch,) F(x'); None for gradient_x_input
    steps: int | None  # quadrature points; None for gradient_x_input

    @property
    def per_step(self) -> np.ndarray:
        """Summed over features: (batch, time)."""
        return self.values.sum(axis=-1)

    @property
    def per_feature(self) -> np.ndarray:
        """Summed over time: (batch, features)."""
        return self.values.sum(axis=1)

    @property
    def completeness_gap(self) -> np.ndarray | None:
        """``sum(values) - (F(x) - F(x'))`` per sample, relative to ``|F(x) - F(x')|``."""
        if self.baseline_outputs is None:
            return None
        difference = self.outputs - self.baseline_outputs
        return (self.values.sum(axis=(1, 2)) - difference) / np.maximum(np.abs(difference), 1e-12)


def _selector(
    target: Any, output: torch.Tensor
) -> tuple[Callable[[torch.Tensor], torch.Tensor], np.ndarray]:
    """A function from the model's output to one number per sample, and the output unit it
    picks for each sample (-1 for a function given as ``target``)."""
    import torch

    if callable(target):
        return target, np.full(len(output), -1)
    last = output[:, -1] if output.dim() == 3 else output  # sequence outputs: the last step
    if target is None:
        units = (
            last.argmax(dim=-1) if last.shape[-1] > 1 else torch.zeros(len(last), dtype=torch.long)
        )
    elif (
        isinstance(target, int)
        and not isinstance(target, bool)
        and -last.shape[-1] <= target < last.shape[-1]
    ):
        units = torch.full((len(last),), target % last.shape[-1], dtype=torch.long)
    else:
        raise ConfigError(
            f"attribute: target must be an output index from 0 to {last.shape[-1] - 1}, a "
            f"function of the output tensor returning one value per sample, or None; "
            f"received {target!r}"
        )
    units = units.to(output.device)

    def pick(out: torch.Tensor) -> torch.Tensor:
        out = out[:, -1] if out.dim() == 3 else out
        return out.gather(1, units.repeat(len(out) // len(units)).unsqueeze(1))[:, 0]

    return pick, units.cpu().numpy()


def attribute(
    model: ModelSpec,
    x: Any,
    *,
    target: Any = None,
    method: str = "integrated_gradients",
    steps: int = 50,
    baseline: Any = None,
) -> Attribution:
    """Per-step, per-feature attributions of one output of ``model`` on ``x``.

    >>> import numpy as np, rnnlens as rl
    >>> from rnnlens.layers import LSTM, Dense
    >>> model = rl.Sequential([LSTM(4, input_shape=(5, 2)), Dense(1)])
    >>> a = rl.attribute(model, np.random.default_rng(0).normal(size=(3, 5, 2)), steps=20)
    >>> a.values.shape, a.per_step.shape, bool(np.abs(a.completeness_gap).max() < 0.01)
    ((3, 5, 2), (3, 5), True)

    Args:
        model: the model.
        x: inputs (batch, time, features).
        target: the output unit (int; for sequence outputs, at the last step), a function
            of the output tensor returning one value per sample, or None: the only output,
            or each sample's largest one.
        method: ``"integrated_gradients"`` or ``"gradient_x_input"``.
        steps: quadrature points for integrated gradients.
        baseline: the reference input ``x'``, broadcastable to ``x`` (default zeros).

    Returns:
        An :class:`Attribution`.

    Raises:
        ConfigError: unknown method, target or steps, or a baseline of the wrong shape.
        InputDataError: ``x`` does not fit the model.
    """
    import torch

    from ..engine.predict import as_input_array, require_one_input, to_tensor
    from .running import questioning

    if method not in METHODS:
        raise ConfigError(f"attribute: method must be one of {METHODS}, received {method!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ConfigError(f"attribute: steps must be a positive integer, received {steps!r}")
    require_one_input(model, "attribute")
    array = as_input_array(model, x)
    with questioning(model) as module, torch.enable_grad():
        device, dtype = module.placement()
        inputs = to_tensor(array, dtype, device).detach().clone()

        def forward(batch: torch.Tensor) -> torch.Tensor:
            out = module(batch)
            return out[0] if isinstance(out, list) else out

        with torch.no_grad():
            pick, units = _selector(target, forward(inputs))
        if method == "gradient_x_input":
            gradient, value = _gradient(forward, pick, inputs)
            return Attribution(
                (inputs * gradient).detach().cpu().numpy(),
                method,
                units,
                value,
                None,
                None,
            )
        try:
            reference = torch.broadcast_to(
                torch.as_tensor(0.0 if baseline is None else np.asarray(baseline))
                .to(dtype)
                .to(device),
                inputs.shape,
            )
        except RuntimeError as error:
            raise ConfigError(
                f"attribute: baseline must broadcast to x's shape {tuple(inputs.shape)} ({error})"
            ) from error
        nodes, weights = np.polynomial.legendre.leggauss(steps)  # on [-1, 1]
        total = torch.zeros_like(inputs)
        for alpha, weight in zip((nodes + 1) / 2, weights / 2):  # mapped onto [0, 1]
            point = reference + float(alpha) * (inputs - reference)
            gradient, _ = _gradient(forward, pick, point)
            total += float(weight) * gradient
        _, value = _gradient(forward, pick, inputs)
        _, start = _gradient(forward, pick, reference.clone())
        values = ((inputs - reference) * total).detach().cpu().numpy()
        return Attribution(values, method, units, value, start, steps)


def _gradient(
    forward: Callable[[torch.Tensor], torch.Tensor],
    pick: Callable[[torch.Tensor], torch.Tensor],
    point: torch.Tensor,
) -> tuple[torch.Tensor, np.ndarray]:
    """∂F/∂x at ``point`` (B, T, D) and F(point) (B,); samples are independent, so the sum's
    gradient is each sample's own."""
    import torch

    point = point.detach().requires_grad_(True)
    value = pick(forward(point))  # (B,)
    (gradient,) = torch.autograd.grad(value.sum(), point)
    return gradient, value.detach().cpu().numpy()
