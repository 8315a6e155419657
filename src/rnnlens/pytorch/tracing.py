"""``rl.trace(module, x)`` for any ``nn.Module``: h, c and every gate of its recurrent modules.

Forward hooks keep what each ``nn.LSTM/GRU/RNN`` (and each recurrent cell) received and
returned during one ordinary call of the module (in ``eval()`` mode, no gradients). Each
layer and direction is then stepped again with torch's own equations and the module's
weights, in their dtype (a float32 ``nn.LSTM`` on CPU is instead run once more on oneDNN with
its gates read from the kernel's workspace, :mod:`rnnlens.engine.workspace`), and the result
is held to what the module itself returned (``out``,
every layer's ``h_n`` and ``c_n``) before it is handed out: a module whose ``forward`` is not
the stock computation is refused, not mis-traced.

Recorded names are PyTorch's: LSTM ``i, f, g, o, c, h``; GRU ``r, z, n, h``; RNN ``h``. The
result is the same :class:`~rnnlens.trace.Trace` as for rnnlens models: one
:class:`~rnnlens.trace.LayerTrace` per stacked layer (``"lstm.l0"``, ``"lstm.l1"``...), arrays
(batch, time, units) batch first whatever ``batch_first`` says, and for a backward direction
step ``t`` is the state after reading ``x[t]``. A ``PackedSequence`` input is traced padded,
in the caller's sample order, with ``mask`` (batch, time) True at each sample's real steps;
past a sample's length its state is carried over and its gates read 0.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch
from torch import nn

from ..errors import ConfigError
from ..trace import DirectionTrace, LayerTrace, Trace
from .stepping import TORCH_RECORD_ORDER, cell_step, direction_weights, mode_of, run_direction


def _final(h: torch.Tensor, direction: int, lengths: torch.Tensor | None) -> torch.Tensor:
    """The state a direction ends in: step 0 backward, the last (real) step forward."""
    if direction:
        return h[:, 0]
    if lengths is None:
        return h[:, -1]
    return h[torch.arange(h.shape[0]), lengths - 1]


def _close(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max()) if a.numel() else 0.0


def _tolerance(dtype: torch.dtype) -> float:
    return 1e-9 if dtype == torch.float64 else 1e-4


def trace_rnn(
    path: str, module: nn.RNNBase, args: tuple[Any, ...], output: Any, call: int
) -> list[LayerTrace]:
    """The layers of one call of an ``nn.LSTM/GRU/RNN``, checked against its ``output``."""
    mode = mode_of(module)
    x = args[0]
    out, state = output
    valid = lengths = None
    if isinstance(x, nn.utils.rnn.PackedSequence):
        # Padded back in the caller's sample order, as torch returns h_n.
        x, lengths = nn.utils.rnn.pad_packed_sequence(x, batch_first=module.batch_first)
        out, _ = nn.utils.rnn.pad_packed_sequence(
            out,
            batch_first=module.batch_first,
            total_length=x.shape[1 if module.batch_first else 0],
        )
        steps = x.shape[1 if module.batch_first else 0]
        lengths = lengths.to(x.device)
        valid = torch.arange(steps, device=x.device)[None, :] < lengths[:, None]  # (B, T)
    unbatched = x.dim() == 2
    x = x.unsqueeze(1 if not module.batch_first else 0) if unbatched else x
    xb = x if module.batch_first else x.transpose(0, 1)  # (B, T, D)
    batch, dirs, layers = xb.shape[0], 2 if module.bidirectional else 1, module.num_layers
    p = module.proj_size or module.hidden_size
    hx = args[1] if len(args) > 1 else None
    h0_all, c0_all = (
        (hx if isinstance(hx, tuple) else (hx, None)) if hx is not None else (None, None)
    )
    if unbatched and h0_all is not None:
        h0_all = h0_all.unsqueeze(1)
        c0_all = c0_all.unsqueeze(1) if c0_all is not None else None
    h_n, c_n = state if isinstance(state, tuple) else (state, None)
    if unbatched:
        out, h_n = out.unsqueeze(1 if not module.batch_first else 0), h_n.unsqueeze(1)
        c_n = c_n.unsqueeze(1) if c_n is not None else None
    out_b = out if module.batch_first else out.transpose(0, 1)
    tol, worst = _tolerance(xb.dtype), 0.0
    traces, inputs = [], xb
    for k in range(layers):
        directions, seqs = [], []
        for d in range(dirs):
            index = k * dirs + d
            zeros = xb.new_zeros(batch, p)
            h0 = h0_all[index] if h0_all is not None else zeros
            c0 = c0_all[index] if c0_all is not None else xb.new_zeros(batch, module.hidden_size)
            rec = run_direction(
                mode,
                inputs,
                h0,
                c0 if mode == "LSTM" else None,
                direction_weights(module, f"_l{k}" + ("_reverse" if d else "")),
                reverse=bool(d),
                relu=module.mode == "RNN_RELU",
                valid=valid,
            )
            final = _final(rec["h"], d, lengths)
            worst = max(worst, _close(final, h_n[index]))
            if c_n is not None:
                worst = max(worst, _close(_final(rec["c"], d, lengths), c_n[index]))
            seqs.append(rec["h"])
            directions.append(
                DirectionTrace(
                    "backward" if d else "forward", {n: v.cpu().numpy() for n, v in rec.items()}
                )
            )
        layer_out = torch.cat(seqs, dim=-1)  # (B, T, D·p)
        if valid is not None:
            layer_out = layer_out * valid[..., None].to(layer_out.dtype)  # torch pads with 0
        if k == layers - 1:
            worst = max(worst, _close(layer_out, out_b))
        suffix = "" if call == 1 else f"@{call}"
        traces.append(
            LayerTrace(
                name=f"{path}.l{k}{suffix}",
                kind=f"nn.{mode}",
                inputs=inputs.cpu().numpy(),
                input_axes=("batch", "time", "features"),
                output=layer_out.cpu().numpy(),
                output_axes=("batch", "time", "unit"),
                mask=None if valid is None else valid.cpu().numpy(),
                directions=tuple(directions),
            )
        )
        inputs = layer_out
    if worst > tol * max(1.0, float(out_b.abs().max()) if out_b.numel() else 1.0):
        raise ConfigError(
            f"trace: the recomputed states of '{path}' ({type(module).__name__}) differ from what the "
            f"module returned by {worst:.3g}: its forward is not the stock torch computation, so it "
            "is not traced"
        )
    return traces


def trace_cell(
    path: str, module: nn.Module, calls: list[tuple[tuple[Any, ...], Any]]
) -> LayerTrace:
    """Every call of a recurrent cell as one step of a sequence (B, calls, ·)."""
    mode = mode_of(module)
    w = direction_weights(module, "")
    steps: list[dict[str, torch.Tensor]] = []
    for args, output in calls:
        x = args[0] if args[0].dim() == 2 else args[0].unsqueeze(0)
        hidden = module.hidden_size
        hx = args[1] if len(args) > 1 and args[1] is not None else None
        h0, c0 = (hx if isinstance(hx, tuple) else (hx, None)) if hx is not None else (None, None)
        h0 = x.new_zeros(x.shape[0], hidden) if h0 is None else h0.reshape(x.shape[0], hidden)
        c0 = x.new_zeros(x.shape[0], hidden) if c0 is None else c0.reshape(x.shape[0], hidden)
        x_part = x @ w["weight_ih"].T + (w["bias_ih"] if w["bias_ih"] is not None else 0)
        rec = cell_step(
            mode,
            x_part,
            h0,
            c0 if mode == "LSTM" else None,
            w,
            getattr(module, "nonlinearity", "tanh") == "relu",
        )
        h_out = output[0] if isinstance(output, tuple) else output
        if _close(rec["h"], h_out.reshape(rec["h"].shape)) > _tolerance(x.dtype) * max(
            1.0, float(h_out.abs().max())
        ):
            raise ConfigError(
                f"trace: the recomputed step of '{path}' differs from what the cell returned"
            )
        steps.append(rec)
    names = TORCH_RECORD_ORDER[mode]
    arrays = {n: torch.stack([s[n] for s in steps], dim=1).cpu().numpy() for n in names}
    inputs = torch.stack(
        [(a[0] if a[0].dim() == 2 else a[0].unsqueeze(0)) for a, _ in calls], dim=1
    )
    return LayerTrace(
        name=path,
        kind=f"nn.{type(module).__name__}",
        inputs=inputs.cpu().numpy(),
        input_axes=("batch", "time", "features"),
        output=arrays["h"],
        output_axes=("batch", "time", "unit"),
        directions=(DirectionTrace("forward", arrays),),
    )


def trace_module(module: nn.Module, *args: Any) -> Trace:
    """Run ``module(*args)`` once and record every recurrent module inside it (see module doc).

    >>> import torch
    >>> net = torch.nn.LSTM(2, 4, num_layers=2, bidirectional=True, batch_first=True)
    >>> t = trace_module(net, torch.zeros(3, 5, 2))
    >>> [layer.name for layer in t.layers], t["lstm.l1"].backward["g"].shape
    (['lstm.l0', 'lstm.l1'], (3, 5, 4))

    Raises:
        ConfigError: no recurrent module ran, or one's forward is not torch's computation.
    """
    if not isinstance(module, nn.Module):
        raise ConfigError(f"trace expects a torch.nn.Module, received {type(module).__name__}")
    recurrent = (nn.RNNBase, nn.LSTMCell, nn.GRUCell, nn.RNNCell)
    named = [
        (name or type(module).__name__.lower(), sub)
        for name, sub in module.named_modules()
        if isinstance(sub, recurrent)
    ]
    if not named:
        raise ConfigError(
            f"trace: {type(module).__name__} holds no nn.LSTM/GRU/RNN or recurrent cell"
        )
    calls: dict[str, list[tuple[tuple[Any, ...], Any]]] = {name: [] for name, _ in named}
    handles = [
        sub.register_forward_hook(lambda m, a, o, name=name: calls[name].append((a, o)))
        for name, sub in named
    ]
    from .memory import as_torch

    args = tuple(as_torch(module, a) for a in args)
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's run-time notes about its kernels
            result = module(*args)
    finally:
        for handle in handles:
            handle.remove()
        module.train(was_training)
    layers: list[LayerTrace] = []
    with torch.no_grad():
        for name, sub in named:
            if isinstance(sub, nn.RNNBase):
                for n, (a, o) in enumerate(calls[name], start=1):
                    layers += trace_rnn(name, sub, a, o, n)
            elif calls[name]:
                layers.append(trace_cell(name, sub, calls[name]))
    if not layers:
        raise ConfigError(
            f"trace: forward of {type(module).__name__} called none of its recurrent modules"
        )
    first = args[0] if args else None
    inputs = first.detach().cpu().numpy() if isinstance(first, torch.Tensor) else np.asarray([])
    del result
    return Trace(inputs=inputs, layers=layers)
