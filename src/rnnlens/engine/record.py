"""Recording at fused speed: every gate of every step, from the fused kernel's own outputs.

The fused kernel returns the hidden state of every step, so ``h(t-1)`` is known for all steps
at once and the gate pre-activations are batched matrix products, one per gate::

    Z = x W + h(t-1) U + b                        # (B, T, G·U), all steps together
    LSTM:  i, f, c̃, o = σ, σ, tanh, σ of Z        c(t) = f ⊙ c(t-1) + i ⊙ c̃   (a cheap loop)
    GRU:   z, r = σ(...)   h̃ = tanh(x W_h + b_h + r ⊙ (h(t-1) U_h + b'_h))   (no loop)
    then   h(t) recomputed from the gates, compared with the kernel's h(t)

Only the elementwise cell recurrence of LSTM loops over time. The recomputed ``h`` is held
against the kernel's on every call: a recording that disagrees with what the model computed
(``h_check`` above tolerance) raises :class:`RecordingMismatchError` instead of being returned.
Weights are Keras's layout (``kernel (D, G·U)``, ``recurrent_kernel (U, G·U)``, gates i, f, c, o
or z, r, h); :func:`rnnlens.engine.layout.torch_to_keras` converts ``torch.nn`` weights.
"""

from __future__ import annotations

from typing import Any, Protocol

import torch

from ..errors import RnnlensError
from . import workspace
from .fused import run_fused
from .layout import worth_caching
from .packed import run_fused_masked
from .reference import RunResult


class Recordable(Protocol):
    """What recording reads of a recurrent layer's module (:class:`.recurrent.RecurrentModule`,
    which calls this module: a protocol, not an import, keeps the two files out of a circle)."""

    @property
    def spec(self) -> Any: ...
    @property
    def path(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def training(self) -> bool: ...
    @property
    def kernel(self) -> torch.Tensor: ...
    @property
    def recurrent_kernel(self) -> torch.Tensor: ...
    @property
    def bias(self) -> torch.Tensor | None: ...

    def torch_weights(self, cache: bool = True) -> list[torch.Tensor]: ...


#: Key of the per-step check in :attr:`RunResult.record`: max over units of |h recomputed - h|.
H_ERROR = "h_error"


class RecordingMismatchError(RnnlensError):
    """The gates recomputed from a fused kernel's states do not reproduce its ``h``."""


def tolerance(h: torch.Tensor, initial_states: list[torch.Tensor]) -> float:
    """The largest |h recomputed - h| that is float rounding: 2·10³ ulps of the states' scale.

    The states of tanh cells stay within max(1, |initial state|), so that is the scale.
    Rounding differs between the kernel and the batched product; through the cell state it
    accumulates with the forget gates, which stay below 1, so it stays bounded over time.
    """
    scale = max([1.0, *(float(s.abs().max()) for s in initial_states if s.numel())])
    return 2e3 * torch.finfo(h.dtype).eps * scale


#: Time blocks the h check is split into: its temporaries are then an eighth of a recorded
#: array, so a trace holds little more than what it returns.
BLOCKS = 8


def _blocks(steps: int) -> list[tuple[int, int]]:
    size = max(1, -(-steps // BLOCKS))
    return [(a, min(a + size, steps)) for a in range(0, steps, size)]


def _previous(
    h_steps: torch.Tensor, h0: torch.Tensor, a: int = 0, b: int | None = None
) -> torch.Tensor:
    """h(t-1) for steps a..b-1: h0 before step 0, else the state of the step before. # (B, b-a, U)"""
    b = h_steps.shape[1] if b is None else b
    if a > 0:
        return h_steps[:, a - 1 : b - 1]
    return torch.cat([h0.unsqueeze(1), h_steps[:, : b - 1]], dim=1)


def _gates(
    x: torch.Tensor,
    h_prev: torch.Tensor,
    kernel: torch.Tensor,
    recurrent_kernel: torch.Tensor,
    bias: torch.Tensor | None,
    gates: int,
    recurrent: int,
) -> torch.Tensor:
    """Pre-activations ``x W_g + b_g (+ h(t-1) U_g)`` gate by gate, each gate contiguous.

    ``recurrent`` says for how many of the first gates the recurrent product is added here
    (GRU's candidate gets it through the reset gate instead). # (G, B, T, U)
    """
    batch, steps, _ = x.shape
    u = kernel.shape[1] // gates
    out = x.new_empty(gates, batch, steps, u)
    flat_x, flat_h = x.reshape(-1, x.shape[-1]), h_prev.reshape(-1, u)  # (B·T, D), (B·T, U)
    for g in range(gates):
        into = out[g].view(-1, u)  # (B·T, U)
        columns = slice(g * u, (g + 1) * u)
        if bias is None:
            torch.mm(flat_x, kernel[:, columns], out=into)
        else:
            torch.addmm(bias[columns], flat_x, kernel[:, columns], out=into)
        if g < recurrent:
            into.addmm_(flat_h, recurrent_kernel[:, columns])
    return out


def recompute(
    kind: str,
    kernel: torch.Tensor,
    recurrent_kernel: torch.Tensor,
    bias: torch.Tensor | None,
    x: torch.Tensor,
    h_steps: torch.Tensor,
    initial_states: list[torch.Tensor],
    mask: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """The gates and states of every step, given the state h after every step.

    ``x`` (B, T, D) and ``h_steps`` (B, T, U) are in processing order; ``mask`` (B, T) marks
    real steps (states carried over elsewhere). Default activations only (tanh, sigmoid): the
    ones a fused kernel computes. Returns Keras's names (``i, f, c_hat, o, c, h`` ...), each
    (B, T, U) and contiguous, plus :data:`H_ERROR` (B, T).

    >>> import torch
    >>> k, r, b = torch.randn(2, 4), torch.randn(1, 4), torch.zeros(4)
    >>> x, h = torch.randn(1, 3, 2), torch.zeros(1, 3, 1)
    >>> sorted(recompute("LSTM", k, r, b, x, h, [torch.zeros(1, 1)] * 2))
    ['c', 'c_hat', 'f', 'h', 'h_error', 'i', 'o']
    """
    h0 = initial_states[0]
    steps = h_steps.shape[1]
    error = h_steps.new_empty(h_steps.shape[:2])  # (B, T)
    record: dict[str, torch.Tensor] = {"h": h_steps, H_ERROR: error}

    def check(a: int, b: int, h_new: torch.Tensor, h_prev: torch.Tensor) -> None:
        """Max over units of |h recomputed - h| for steps a..b-1 (masked steps carry h over)."""
        if mask is not None:
            h_new = torch.where(mask[:, a:b, None], h_new, h_prev)
        error[:, a:b] = h_new.sub_(h_steps[:, a:b]).abs_().amax(dim=-1)

    h_prev = _previous(h_steps, h0)  # (B, T, U), contiguous: one product per gate
    if kind == "SimpleRNN":  # records h only: the pre-activations are a temporary
        z = _gates(x, h_prev, kernel, recurrent_kernel, bias, 1, 1)[0]
        check(0, steps, z.tanh_(), h_prev)
        return record
    if kind == "GRU":
        # Keras reset_after=True: bias (2, 3U) = input bias, recurrent bias.
        z = _gates(x, h_prev, kernel, recurrent_kernel, None if bias is None else bias[0], 3, 2)
        u = z.shape[-1]
        if bias is not None:  # the recurrent bias of z and r joins their pre-activations
            z[:2] += bias[1, : 2 * u].view(2, 1, 1, u)
        update, reset = z[:2].sigmoid_()
        inner = h_prev @ recurrent_kernel[:, 2 * u :]  # (B, T, U): h(t-1) U_h
        if bias is not None:
            inner += bias[1, 2 * u :]
        candidate = z[2].addcmul_(reset, inner).tanh_()
        del inner
        for a, b in _blocks(steps):  # h = z ⊙ h(t-1) + (1 - z) ⊙ h̃ = h̃ + z ⊙ (h(t-1) - h̃)
            hp, zb, cb = h_prev[:, a:b], update[:, a:b], candidate[:, a:b]
            check(a, b, torch.sub(hp, cb).mul_(zb).add_(cb), hp)
        record.update(z=update, r=reset, h_hat=candidate)
        return record
    z = _gates(x, h_prev, kernel, recurrent_kernel, bias, 4, 4)  # (4, B, T, U): i, f, c, o
    z[:2].sigmoid_()
    z[2].tanh_()
    z[3].sigmoid_()
    i, f, c_hat, o = z
    keep = None if mask is None else mask.unsqueeze(-1)  # (B, T, 1)
    c = _cell_states(i, f, c_hat, initial_states[1], keep)
    for a, b in _blocks(steps):
        check(a, b, torch.tanh(c[:, a:b]).mul_(o[:, a:b]), h_prev[:, a:b])
    record.update(i=i, f=f, c_hat=c_hat, o=o, c=c)
    return record


def _cell_states(
    i: torch.Tensor,
    f: torch.Tensor,
    c_hat: torch.Tensor,
    c0: torch.Tensor,
    keep: torch.Tensor | None,
) -> torch.Tensor:
    """``c(t) = f ⊙ c(t-1) + i ⊙ c̃``, carried over at masked steps: the one loop. # (B, T, U)"""
    c = torch.mul(i, c_hat)  # (B, T, U): i ⊙ c̃ for every step, then the loop adds f ⊙ c(t-1)
    previous = c0
    for t in range(c.shape[1]):
        step = c[:, t].addcmul_(f[:, t], previous)
        if keep is not None:
            step.copy_(torch.where(keep[:, t], step, previous))
        previous = step
    return c


def record_fused(
    module: Recordable,
    x: torch.Tensor,
    states: list[torch.Tensor],
    mask: torch.Tensor | None,
    zero_output_for_mask: bool,
) -> RunResult | None:
    """One direction's pass with every gate recorded, computed by the fused kernel.

    ``x`` (B, T, D) and ``mask`` (B, T) are in processing order (as
    :meth:`RecurrentModule.run` hands them on). Returns None where the fused kernel cannot
    compute the layer exactly (then the reference loop records): another activation,
    ``path="reference"``, dropout while training, or a sample with no real step.

    Raises:
        RecordingMismatchError: the recomputed ``h`` differs from the kernel's.
    """
    spec = module.spec
    if module.path == "reference" or not spec.fusable or (module.training and spec.dropout > 0):
        return None
    if module.kind == "GRU" and not getattr(spec, "reset_after", True):
        return None
    weights = module.torch_weights(cache=worth_caching(x))
    if module.kind == "LSTM" and mask is None and workspace.usable(x, weights):
        allowed, (h0, c0) = tolerance(x, states), states
        read = workspace.lstm_from_workspace(weights, x, h0, c0, allowed)
        # The kernel uses one set of weights for every step: the last step's gates, from the
        # layer's own weights, say whether they were the layer's (else the recomputing path
        # below raises).
        if read is not None and _last_step_matches(module, x, h0, read[0], allowed):
            record, final_states = read
            return RunResult(record["h"], record["h"][:, -1], final_states, record, "workspace")
    initial = [s.unsqueeze(0) for s in states]
    if mask is None:
        h_steps, finals = run_fused(module.kind, weights, x, initial, activation=spec.activation)
        final_states = [f[0] for f in finals]
    else:
        masked = run_fused_masked(module.kind, weights, x, mask, states)
        if masked is None:
            return None
        h_steps, final_states = masked
    record = recompute(
        module.kind, module.kernel, module.recurrent_kernel, module.bias, x, h_steps, states, mask
    )
    worst, allowed = float(record[H_ERROR].max()), tolerance(h_steps, states)
    if worst > allowed:
        raise RecordingMismatchError(
            f"{spec.describe()}: the gates recomputed from the fused kernel's states give h "
            f"up to {worst:.3g} away from the kernel's (tolerance {allowed:.3g}); the weights "
            "the kernel ran with are not the layer's. Trace with path='reference' to record "
            "the step loop instead"
        )
    if mask is None:
        sequence = h_steps
    elif zero_output_for_mask:
        sequence = torch.where(mask.unsqueeze(-1), h_steps, torch.zeros_like(h_steps))
    else:  # Keras repeats the previous output at a masked step, zeros before the first real one
        sequence = torch.where(mask.unsqueeze(-1), h_steps, _previous_output(h_steps, mask))
    return RunResult(sequence, sequence[:, -1], final_states, record, "recomputed")


def _last_step_matches(
    module: Recordable,
    x: torch.Tensor,
    h0: torch.Tensor,
    record: dict[str, torch.Tensor],
    allowed: float,
) -> bool:
    """The LSTM gates of the last step, recomputed from the layer's weights, are the recorded
    ones. From the second step on, h(t-1) is not the initial state, so the recurrent kernel
    is tested too."""
    t = x.shape[1] - 1
    h_prev = h0 if t == 0 else record["h"][:, t - 1]  # (B, U)
    z = _gates(x[:, t : t + 1], h_prev.unsqueeze(1), module.kernel, module.recurrent_kernel,
               module.bias, 4, 4)  # fmt: skip
    z[:2].sigmoid_()
    z[2].tanh_()
    z[3].sigmoid_()
    return all(
        float((record[name][:, t] - z[g, :, 0]).abs().max()) <= allowed
        for g, name in enumerate(("i", "f", "c_hat", "o"))
    )


def _previous_output(h_steps: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """At each step, h of the last real step up to it; zeros before the first. # (B, T, U)"""
    seen = mask.cumsum(dim=1).unsqueeze(-1) > 0  # (B, T, 1)
    return torch.where(seen, h_steps, torch.zeros_like(h_steps))
