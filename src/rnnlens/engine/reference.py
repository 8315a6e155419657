"""The reference path: Keras's cell equations, one time step at a time.

Slower than the fused kernel but general: any activation, ``recurrent_dropout``, GRU
``reset_after=False``, masks, and it can record every gate for :func:`rnnlens.trace`.
The input projection ``x · kernel`` is done for all steps at once; only the recurrent
product stays inside the loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from .activations import Activation


@dataclass
class CellMath:
    """What the step loop needs to know about a layer."""

    kind: str  # "LSTM", "GRU" or "SimpleRNN"
    units: int
    activation: Activation
    recurrent_activation: Activation
    reset_after: bool = True


@dataclass
class RunResult:
    """Outputs of one recurrent pass, in processing order (reversed when go_backwards)."""

    sequence: torch.Tensor  # (B, T, U): the output at every step
    last: torch.Tensor  # (B, U): the output handed on when return_sequences=False
    states: list[torch.Tensor]  # final h (and c): (B, U) each
    # Per-step records, each (B, T, U): h, c (LSTM) and the gates.
    record: dict[str, torch.Tensor] = field(default_factory=dict)
    # Where a fused recording's gates came from: "workspace" (the kernel's own) or
    # "recomputed" (batched products over its states); None for the step loop.
    gates_from: str | None = None


def _split_bias(bias: torch.Tensor | None) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    if bias is None:
        return None, None
    if bias.dim() == 2:  # GRU reset_after: (2, 3U) = input bias, recurrent bias
        return bias[0], bias[1]
    return bias, None


def _project(
    x: torch.Tensor, kernel: torch.Tensor, masks: torch.Tensor | None, gates: int
) -> torch.Tensor:
    """``x · kernel`` with an optional dropout mask per gate. # (B, T, G·U) or (B, G·U)"""
    if masks is None:
        return x @ kernel
    columns = kernel.chunk(gates, dim=1)
    if x.dim() == 3:
        return torch.cat([(x * masks[g].unsqueeze(1)) @ columns[g] for g in range(gates)], dim=-1)
    return torch.cat([(x * masks[g]) @ columns[g] for g in range(gates)], dim=-1)


def run_reference(
    cell: CellMath,
    kernel: torch.Tensor,
    recurrent_kernel: torch.Tensor,
    bias: torch.Tensor | None,
    x: torch.Tensor,
    initial_states: list[torch.Tensor],
    mask: torch.Tensor | None = None,
    input_masks: torch.Tensor | None = None,
    recurrent_masks: torch.Tensor | None = None,
    record: bool = False,
    zero_output_for_mask: bool = False,
) -> RunResult:
    """Run the cell over ``x`` (B, T, D), already in processing order.

    ``mask`` (B, T) marks real steps; at a masked step the states are carried over and the
    output repeats the previous one (zeros before the first real step), as Keras does.
    With ``zero_output_for_mask`` (Keras sets it inside ``Bidirectional`` with
    ``return_sequences``) the output at a masked step is zero instead.
    ``input_masks`` (G, B, D) and ``recurrent_masks`` (G, B, U) are dropout masks, one per gate.
    """
    gates = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}[cell.kind]
    u = cell.units
    input_bias, recurrent_bias = _split_bias(bias)
    if input_masks is not None and input_masks.shape[0] == 1:
        x, input_masks = x * input_masks[0].unsqueeze(1), None
    xp = _project(x, kernel, input_masks, gates)  # (B, T, G·U)
    if input_bias is not None:
        xp = xp + input_bias
    states = list(initial_states)
    previous_output = torch.zeros_like(states[0])
    outputs: list[torch.Tensor] = []
    records: dict[str, list[torch.Tensor]] = {}
    act, rec_act = cell.activation, cell.recurrent_activation

    def recurrent(h: torch.Tensor, first: int, count: int) -> torch.Tensor:
        """``h · recurrent_kernel`` for gates [first, first+count). # (B, count·U)"""
        columns = recurrent_kernel[:, first * u : (first + count) * u]
        if recurrent_masks is None:
            return h @ columns
        return torch.cat(
            [
                (h * recurrent_masks[first + g]) @ columns[:, g * u : (g + 1) * u]
                for g in range(count)
            ],
            dim=-1,
        )

    for t in range(x.shape[1]):
        xt = xp[:, t]  # (B, G·U)
        h = states[0]
        step: dict[str, torch.Tensor] = {}
        if cell.kind == "LSTM":
            zi, zf, zc, zo = (xt + recurrent(h, 0, 4)).chunk(4, dim=-1)
            i, f, c_hat, o = rec_act(zi), rec_act(zf), act(zc), rec_act(zo)
            c = f * states[1] + i * c_hat
            h_new = o * act(c)
            new_states = [h_new, c]
            step = {"i": i, "f": f, "c_hat": c_hat, "o": o}
        elif cell.kind == "GRU":
            xz, xr, xh = xt.chunk(3, dim=-1)
            if cell.reset_after:
                inner = recurrent(h, 0, 3)
                if recurrent_bias is not None:
                    inner = inner + recurrent_bias
                rz, rr, rh = inner.chunk(3, dim=-1)
                z, r = rec_act(xz + rz), rec_act(xr + rr)
                h_hat = act(xh + r * rh)
            else:
                rz, rr = recurrent(h, 0, 2).chunk(2, dim=-1)
                z, r = rec_act(xz + rz), rec_act(xr + rr)
                h_for_candidate = h if recurrent_masks is None else h * recurrent_masks[2]
                h_hat = act(xh + (r * h_for_candidate) @ recurrent_kernel[:, 2 * u :])
            h_new = z * h + (1 - z) * h_hat
            new_states = [h_new]
            step = {"z": z, "r": r, "h_hat": h_hat}
        else:
            h_new = act(xt + recurrent(h, 0, 1))
            new_states = [h_new]
        output = h_new
        if mask is not None:
            keep = mask[:, t].unsqueeze(-1)  # (B, 1)
            new_states = [torch.where(keep, new, old) for new, old in zip(new_states, states)]
            fill = torch.zeros_like(output) if zero_output_for_mask else previous_output
            output = torch.where(keep, output, fill)
        states, previous_output = new_states, output
        outputs.append(output)
        if record:
            step["h"] = states[0]
            if cell.kind == "LSTM":
                step["c"] = states[1]
            for name, value in step.items():
                records.setdefault(name, []).append(value)
    sequence = torch.stack(outputs, dim=1)  # (B, T, U)
    stacked = {name: torch.stack(values, dim=1) for name, values in records.items()}
    return RunResult(sequence, previous_output, states, stacked)
