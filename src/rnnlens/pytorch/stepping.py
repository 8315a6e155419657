"""torch's recurrent equations, one step at a time, keeping every gate (PyTorch's names).

LSTM rows i, f, g, o; GRU rows r, z, n with ``n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))``;
RNN ``tanh`` or ``relu``; ``weight_hr`` projects an LSTM's h when ``proj_size`` is set. The
input part of every step is one matmul; only the recurrent product is in the loop.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

TORCH_RECORD_ORDER = {
    "LSTM": ("i", "f", "g", "o", "c", "h"),
    "GRU": ("r", "z", "n", "h"),
    "RNN": ("h",),
}


def mode_of(module: nn.Module) -> str:
    if isinstance(module, (nn.LSTM, nn.LSTMCell)):
        return "LSTM"
    if isinstance(module, (nn.GRU, nn.GRUCell)):
        return "GRU"
    return "RNN"


def cell_step(
    mode: str,
    x_part: torch.Tensor,
    h: torch.Tensor,
    c: torch.Tensor | None,
    w: dict[str, Any],
    relu: bool,
) -> dict[str, torch.Tensor]:
    """One step from the precomputed input part ``x·W_ihᵀ + b_ih`` (B, G·H)."""
    hh = h @ w["weight_hh"].T
    if w.get("bias_hh") is not None:
        hh = hh + w["bias_hh"]
    if mode == "LSTM":
        i, f, g, o = (x_part + hh).chunk(4, dim=-1)  # (B, H) each
        i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
        assert c is not None
        c_new = f * c + i * g
        h_new = o * c_new.tanh()
        if w.get("weight_hr") is not None:
            h_new = h_new @ w["weight_hr"].T  # (B, proj_size)
        return {"i": i, "f": f, "g": g, "o": o, "c": c_new, "h": h_new}
    if mode == "GRU":
        xr, xz, xn = x_part.chunk(3, dim=-1)
        hr, hz, hn = hh.chunk(3, dim=-1)
        r, z = (xr + hr).sigmoid(), (xz + hz).sigmoid()
        n = (xn + r * hn).tanh()
        return {"r": r, "z": z, "n": n, "h": (1 - z) * n + z * h}
    pre = x_part + hh
    return {"h": pre.relu() if relu else pre.tanh()}


def _lstm_from_workspace(
    x: torch.Tensor, h0: torch.Tensor, c0: torch.Tensor, w: dict[str, Any], reverse: bool
) -> dict[str, torch.Tensor] | None:
    """One ``nn.LSTM`` direction read from oneDNN's workspace, PyTorch's names; None where
    the workspace cannot be read (the caller steps instead)."""
    from ..engine import workspace
    from ..engine.record import tolerance

    weights = [w["weight_ih"], w["weight_hh"]]
    if w.get("bias_ih") is not None:
        weights += [w["bias_ih"], w["bias_hh"]]
    weights = [t.detach() for t in weights]
    if not workspace.usable(x, weights):
        return None
    x = x.detach().flip(1) if reverse else x.detach()  # processing order
    # The module's own weights go to the kernel; its outputs are checked by the caller.
    read = workspace.lstm_from_workspace(weights, x, h0, c0, tolerance(x, [h0, c0]))
    if read is None:
        return None
    record, _ = read
    names = {"i": "i", "f": "f", "g": "c_hat", "o": "o", "c": "c", "h": "h"}
    return {
        torch_name: record[ours].flip(1) if reverse else record[ours]
        for torch_name, ours in names.items()
    }


def direction_weights(module: nn.Module, suffix: str) -> dict[str, Any]:
    return {
        name: getattr(module, f"{name}{suffix}", None)
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
    }


def run_direction(
    mode: str,
    x: torch.Tensor,
    h0: torch.Tensor,
    c0: torch.Tensor | None,
    w: dict[str, Any],
    *,
    reverse: bool,
    relu: bool = False,
    valid: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """Step one direction over ``x`` (B, T, D); arrays (B, T, ·) on input time.

    ``valid`` (B, T) marks the real steps of padded sequences (a packed input): at the other
    steps the state is carried over and the gates read 0, as the packed kernel skips them.
    A plain float32 LSTM on CPU is read from oneDNN's own workspace instead of stepped
    (:mod:`rnnlens.engine.workspace`), at the cost of one fused forward pass.
    """
    if mode == "LSTM" and valid is None and w.get("weight_hr") is None and c0 is not None:
        read = _lstm_from_workspace(x, h0, c0, w, reverse)
        if read is not None:
            return read
    x_part = x @ w["weight_ih"].T  # (B, T, G·H)
    if w.get("bias_ih") is not None:
        x_part = x_part + w["bias_ih"]
    steps = range(x.shape[1] - 1, -1, -1) if reverse else range(x.shape[1])
    h, c = h0, c0
    records: dict[int, dict[str, torch.Tensor]] = {}
    for t in steps:
        rec = cell_step(mode, x_part[:, t], h, c, w, relu)
        if valid is not None:
            keep = valid[:, t : t + 1].to(x.dtype)  # (B, 1)
            for name in rec:
                old = {"h": h, "c": c}.get(name)
                rec[name] = keep * rec[name] + (1 - keep) * (old if old is not None else 0)
        records[t] = rec
        h, c = rec["h"], rec.get("c")
    names = TORCH_RECORD_ORDER[mode]
    return {k: torch.stack([records[t][k] for t in range(x.shape[1])], dim=1) for k in names}
