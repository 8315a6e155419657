"""LSTM gates read from oneDNN's own workspace: recording for the cost of one forward pass.

On CPU, torch runs ``nn.LSTM`` through oneDNN. Its *training* forward pass keeps, for the
backward pass, the activated gates of every step and the cell state after every step in a
workspace, which ``torch.mkldnn_rnn_layer`` returns. Reading them there costs no second
matrix product: a recording is one forward pass plus copies, where recomputing the gates
from the kernel's states (:mod:`rnnlens.engine.record`) costs a second forward pass.

The workspace layout is oneDNN's, not a documented interface. It is, for one layer and one
direction, in float32 elements with regions starting on 4,096-byte pages::

    gates    (T, B, ld(4U))              i, f, c̃, o side by side, activated
    ht       (T, B, ld(U))               (unused by a plain LSTM)
    states   (2, T + 1, B, ld(max(D, U)))
    c        (2, T + 1, B, U)            [1, t + 1] is c after step t; the last step's is
                                         left to the kernel's final state
    ld(n) = n rounded up to 16, plus 16 when that is a multiple of 256

Nothing trusts it blindly: every step's ``h`` is recomputed from the read gates and cell
states and held against the kernel's output (as the recomputing path does). Where it
disagrees, or the workspace is smaller than the layout says, :func:`lstm_from_workspace`
returns None and the caller recomputes instead; a layout that did not match is not assumed
again in this process. :func:`rnnlens.engine.record.record_fused` also recomputes the last
step's gates from the layer's weights, with the products the recomputing path uses.

The kernel runs over the sequence in chunks of steps (:func:`chunk_steps`), each chunk's
state carried into the next exactly as inside one call. One call over a long sequence would
take a workspace about four times the recorded gates, mapped and faulted in afresh on every
call (one 1,000-step, 256-unit layer: 63 MB); chunks of 6–16 MiB stay below glibc's largest
mmap threshold, so the allocator reuses one chunk's memory for the next, the chunk is still
in cache when its gates are copied out, and a trace holds what it records plus one chunk.
Chunks much smaller than that pay each kernel call's fixed cost (it reorders the weights)
too often. The sizes were measured on the ``rnnlens bench --trace`` workloads
(``docs/benchmarks.md``).

The op is called exactly as ``torch.nn.LSTM`` calls it (time-major input,
``batch_first=False``): its own batch-first branch writes past its buffers.
"""

from __future__ import annotations

import torch

#: Bytes of workspace one kernel call takes: twice the layer's output sequence (what a forward
#: pass allocates anyway), at least :data:`MIN_CHUNK_BYTES` and at most :data:`CHUNK_BYTES`,
#: half of glibc's largest mmap threshold (32 MiB) so that a freed workspace is reused.
CHUNK_BYTES = 16 << 20
MIN_CHUNK_BYTES = 6 << 20
_PAGE = 4096 // 4  # float32 elements per oneDNN page
_LSTM_MODE = 2  # oneDNN's LSTM in torch.mkldnn_rnn_layer's ``mode``

#: False once a workspace did not match the layout: torch's oneDNN keeps another one.
layout_matches = True


def _ld(n: int) -> int:
    """oneDNN's leading dimension for rows of ``n`` floats (avoids 4 KiB cache aliasing)."""
    ld = -(-n // 16) * 16
    return ld + 16 if ld % 256 == 0 else ld


def _page(n: int) -> int:
    return -(-n // _PAGE) * _PAGE


def cell_offset(steps: int, batch: int, features: int, units: int) -> int:
    """Where the cell-state region starts in a workspace of ``steps`` steps (float32 elements)."""
    gates = steps * batch * _ld(4 * units)
    states = _page(_page(gates) + steps * batch * _ld(units))
    return _page(states + 2 * (steps + 1) * batch * _ld(max(features, units)))


def chunk_steps(batch: int, steps: int, features: int, units: int) -> int:
    """Steps per kernel call, so that one call's workspace fits :data:`CHUNK_BYTES`'s rule."""
    budget = min(CHUNK_BYTES, max(MIN_CHUNK_BYTES, 2 * 4 * steps * batch * units))
    # Touched regions per step, doubled for the backward-pass regions the workspace reserves.
    per_step = 8 * batch * (_ld(4 * units) + _ld(units) + 2 * _ld(max(features, units)) + 2 * units)
    return max(1, budget // per_step)


def usable(x: torch.Tensor, weights: list[torch.Tensor]) -> bool:
    """Whether torch would run this layer on oneDNN and its workspace can be read."""
    return (
        layout_matches
        and hasattr(torch, "mkldnn_rnn_layer")
        and torch.backends.mkldnn.is_available()
        and bool(torch.backends.mkldnn.enabled)
        and x.device.type == "cpu"
        and x.dtype == torch.float32
        and all(w.device.type == "cpu" and w.dtype == torch.float32 for w in weights)
        and x.shape[0] > 0
        and x.shape[1] > 0
    )


def lstm_from_workspace(
    weights: list[torch.Tensor],
    x: torch.Tensor,
    h0: torch.Tensor,
    c0: torch.Tensor,
    tolerance: float,
) -> tuple[dict[str, torch.Tensor], list[torch.Tensor]] | None:
    """One LSTM direction over ``x`` (B, T, D) with every gate recorded from the kernel.

    ``weights`` are torch's ``[w_ih, w_hh(, b_ih, b_hh)]``; ``h0``, ``c0`` are (B, U).
    Returns the record (Keras's names ``i, f, c_hat, o, c, h``, each (B, T, U): views of
    contiguous time-major arrays, plus ``h_error`` (B, T): max over units of |h recomputed -
    h of the kernel|) and the final states ``[h, c]``; None where the workspace cannot be
    read or does not reproduce the kernel's ``h`` within ``tolerance`` (the caller then
    recomputes). Whether the kernel ran with the layer's own weights is the caller's check
    (:func:`rnnlens.engine.record.record_fused`).
    """
    global layout_matches
    batch, steps, features = x.shape
    units = h0.shape[-1]
    w_ih, w_hh, *biases = (w.detach().contiguous() for w in weights)
    b_ih, b_hh = biases if biases else (w_ih.new_zeros(4 * units), w_ih.new_zeros(4 * units))
    # Each array recorded time-major and contiguous, as the workspace holds the steps: a
    # chunk is one block copy per array. Handed on as (B, T, U) views.
    names = ("i", "f", "c_hat", "o", "c", "h")
    record = {name: x.new_empty(steps, batch, units) for name in names}
    error = x.new_empty(steps, batch)
    time_major = x.detach().transpose(0, 1)  # (T, B, D): the layout the kernel reads
    h, c = h0.detach().reshape(1, batch, units), c0.detach().reshape(1, batch, units)
    size, ld = chunk_steps(batch, steps, features, units), _ld(4 * units)
    for a in range(0, steps, size):
        b = min(a + size, steps)
        n = b - a
        # batch_first=False always: the op's own batch-first handling is not safe to call.
        try:
            with torch.enable_grad():  # the workspace is only returned with grad mode on
                out, h_next, c_next, ws = torch.mkldnn_rnn_layer(
                    time_major[a:b].contiguous(), w_ih, w_hh, b_ih, b_hh, h.contiguous(),
                    c.contiguous(), False, [], _LSTM_MODE, units, 1, True, False, False, True,
                )  # fmt: skip
        except (TypeError, RuntimeError, ValueError):  # a torch whose op takes other arguments
            layout_matches = False
            return None
        base = cell_offset(n, batch, features, units)
        flat = None if ws is None else ws.view(torch.float32)
        if flat is None or flat.numel() < base + 2 * (n + 1) * batch * units:
            layout_matches = False
            return None
        gates = flat[: n * batch * ld].view(n, batch, ld)[..., : 4 * units]  # (n, B, 4U)
        for name, gate in zip(names, gates.split(units, dim=-1)):
            record[name][a:b] = gate
        # c after each step but the last, which the kernel hands back as its final state
        cells = flat[base : base + 2 * (n + 1) * batch * units].view(2, n + 1, batch, units)
        record["c"][a : b - 1] = cells[1, 1:n]  # [1, t + 1]: c after step t
        record["c"][b - 1] = c_next[0]
        record["h"][a:b] = out
        del ws, flat, gates, cells, out  # the allocator hands this memory to the next chunk
        h, c = h_next, c_next
    # Checked after the layer, in a few large blocks: between kernel calls it would push the
    # kernel's own data out of cache (measured: W2 13 % and L1000 8 % faster checked here,
    # W3 and W4 within noise).
    size = max(1, -(-steps // CHECK_BLOCKS))
    for a in range(0, steps, size):
        b = min(a + size, steps)
        before = c0.detach() if a == 0 else record["c"][a - 1]
        _h_error(record, before, a, b, out=error[a:b])
    views = {name: value.transpose(0, 1) for name, value in record.items()}
    if float(error.max()) > tolerance:  # the gates read do not give the kernel's h
        layout_matches = False
        return None
    views["h_error"] = error.t()
    return views, [h[0], c[0]]


#: Time blocks the h check runs in: its temporary is then a quarter of one recorded array.
CHECK_BLOCKS = 4


def _h_error(
    record: dict[str, torch.Tensor], c_before: torch.Tensor, a: int, b: int, out: torch.Tensor
) -> None:
    """Max over units of |o ⊙ tanh(f ⊙ c(t-1) + i ⊙ c̃) - h(t)| for steps a..b-1, into
    ``out`` (b - a, B). ``record`` holds the time-major (T, B, U) arrays; ``c_before`` is
    c(a - 1), (B, U).

    tanh(x) is taken as 2·σ(2x) - 1 (float32 error 2·10⁻⁷, far inside the tolerance): torch's
    CPU tanh is several times slower than its sigmoid.
    """
    i, f, c_hat, o, c, h = (record[k][a:b] for k in ("i", "f", "c_hat", "o", "c", "h"))
    cell = torch.mul(i, c_hat)  # (n, B, U)
    cell[0].addcmul_(f[0], c_before)
    cell[1:].addcmul_(f[1:], c[:-1])
    # o ⊙ tanh(cell) - h = 2·o ⊙ σ(2·cell) - o - h
    cell.mul_(2).sigmoid_().mul_(o).mul_(2).sub_(o).sub_(h).abs_()
    torch.amax(cell, dim=-1, out=out)
