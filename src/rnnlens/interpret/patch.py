"""``rl.patch`` and ``rl.ablate_units``: the outputs once one recurrent state is changed.

Both run at the fused kernel's speed. ``patch`` splits the sequence after the chosen step,
runs the layer up to it, replaces the state and continues from the replaced state
(``initial_state``), so each part is one kernel call. ``ablate_units`` silences units at every
step: a unit whose h is zero at every step contributes nothing to the next step's gates, which
is the same as zero rows in ``recurrent_kernel``, so the layer runs once with those rows zeroed
(restored afterwards) and those units' outputs zeroed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from .running import as_state, direction_module, outputs_with, recurrent_layer

if TYPE_CHECKING:
    import torch

    from ..engine.reference import RunResult
    from ..graph import ModelSpec


def _step_in_range(step: Any, steps: int, caller: str) -> int:
    if isinstance(step, bool) or not isinstance(step, int) or not -steps <= step < steps:
        raise ConfigError(
            f"{caller}: step must be an integer from 0 to {steps - 1} (the input's time steps), "
            f"received {step!r}"
        )
    return step % steps


def _patched_run(
    module: Any,
    x: torch.Tensor,
    mask: torch.Tensor | None,
    step: int,
    which: int,
    value: Any,
    zero_output_for_mask: bool,
) -> RunResult:
    """One direction's pass (processing order) with state ``which`` replaced after input
    step ``step``: two kernel calls, the second starting from the replaced state."""
    import torch

    from ..engine.reference import RunResult

    if module.spec.go_backwards:  # reads x[T-1] first: step t ends the slice x[t:]
        head, tail = slice(step, None), slice(None, step)
    else:
        head, tail = slice(None, step + 1), slice(step + 1, None)
    first = module.run(
        x[:, head],
        None if mask is None else mask[:, head],
        zero_output_for_mask=zero_output_for_mask,
    )
    states = list(first.states)
    states[which] = as_state(value, states[which], "patch")
    sequence = first.sequence.clone()  # (B, T1, U)
    if which == 0:  # h is also what the layer hands on at that step (where it is real)
        real = (
            torch.ones_like(states[0][:, :1], dtype=torch.bool)
            if mask is None
            else mask[:, step, None]
        )
        sequence[:, -1] = torch.where(real, states[0], sequence[:, -1])
    x_rest = x[:, tail]
    if x_rest.shape[1] == 0:
        return RunResult(sequence, sequence[:, -1], states)
    mask_rest = None if mask is None else mask[:, tail]
    second = module.run(x_rest, mask_rest, states, zero_output_for_mask=zero_output_for_mask)
    rest = second.sequence
    if mask_rest is not None and not zero_output_for_mask:
        # A masked step repeats the previous output: before the second part's first real
        # step that is the last output of the first part, which the second run cannot know.
        processing = mask_rest.flip(1) if module.spec.go_backwards else mask_rest
        before_any = processing.cumsum(dim=1).unsqueeze(-1) == 0  # (B, T2, 1)
        rest = torch.where(before_any, sequence[:, -1:].expand_as(rest), rest)
    whole = torch.cat([sequence, rest], dim=1)  # (B, T, U), processing order
    return RunResult(whole, whole[:, -1], second.states)


def _layer_pass(
    module: Any, x: torch.Tensor, mask: torch.Tensor | None, chosen: Any, run: Any
) -> Any:
    """The layer's output with direction ``chosen`` computed by ``run(direction, zero)``."""
    from ..engine.bidirectional import BidirectionalModule
    from ..trace import layer_output

    if not isinstance(module, BidirectionalModule):
        return layer_output(module, run(module, False))
    zero = module.spec.return_sequences  # Keras zeroes masked outputs inside Bidirectional
    results = []
    for each in (module.forward_layer, module.backward_layer):
        own = each is chosen
        results.append(run(each, zero) if own else each.run(x, mask, zero_output_for_mask=zero))
    forward, backward = results
    backward = type(backward)(backward.sequence.flip(1), backward.last, backward.states)
    return layer_output(module, forward, backward)


def patch(
    model: ModelSpec,
    x: Any,
    *,
    layer: str | int,
    step: int,
    state: str = "h",
    value: Any = 0.0,
    direction: str = "forward",
) -> Any:
    """The model's outputs on ``x`` with one recurrent state replaced after one time step.

    The state ``state`` of ``layer`` after reading input step ``step`` becomes ``value``; the
    layer continues from it and every later layer sees the result. Replacing ``h`` also
    replaces what the layer hands on at that step (when the step is not masked); ``c``
    (LSTM) only changes the steps after it. For a backward direction (``go_backwards``, or
    ``direction="backward"`` of a ``Bidirectional``), "after" means the steps before ``step``,
    which it reads next.

    >>> import numpy as np, rnnlens as rl
    >>> from rnnlens.layers import LSTM, Dense
    >>> model = rl.Sequential([LSTM(4, input_shape=(6, 2)), Dense(1)])
    >>> x = np.ones((3, 6, 2))
    >>> same = rl.patch(model, x, layer=0, step=2, value=lambda h: h)
    >>> bool(np.allclose(same, model.predict(x), atol=1e-6))
    True
    >>> rl.patch(model, x, layer=0, step=5, state="c", value=0.0).shape
    (3, 1)

    Args:
        model: the model.
        x: inputs (batch, time, features).
        layer: the recurrent layer, by name or index.
        step: the input time step (0-based; negative counts from the end).
        state: ``"h"`` or, for LSTM, ``"c"``.
        value: a number, an array broadcastable to (batch, units), or a function from the
            state (a tensor (batch, units)) to the new state.
        direction: ``"forward"``, or ``"backward"`` inside a ``Bidirectional``.

    Returns:
        What ``model.predict(x)`` would return with the state replaced.

    Raises:
        ConfigError: unknown layer, step, state or direction, or a value of the wrong shape.
    """
    index, module = recurrent_layer(model, layer, "patch")
    chosen = direction_module(module, direction, "patch")
    names = chosen.spec.state_names
    if state not in ("h", "c") or (state == "c" and chosen.kind != "LSTM"):
        raise ConfigError(
            f"patch: state must be 'h' or, for LSTM, 'c'; {chosen.spec.describe()} carries "
            f"{len(names)} state(s), received state={state!r}"
        )
    which = 0 if state == "h" else 1

    def replace(m: Any, inputs: torch.Tensor, mask: torch.Tensor | None) -> Any:
        position = _step_in_range(step, inputs.shape[1], "patch")

        def run(direction_module_: Any, zero: bool) -> RunResult:
            return _patched_run(direction_module_, inputs, mask, position, which, value, zero)

        return _layer_pass(m, inputs, mask, chosen, run)

    return outputs_with(model, x, index, replace)


def ablate_units(
    model: ModelSpec,
    x: Any,
    *,
    layer: str | int,
    units: Sequence[int],
    direction: str = "forward",
) -> Any:
    """The model's outputs on ``x`` with some units of a recurrent layer silenced at every step.

    Silenced units hand on zero at every step and feed nothing into the next step's gates
    (their h and, for LSTM, c are zero throughout); the other units and later layers react.

    >>> import numpy as np, rnnlens as rl
    >>> from rnnlens.layers import GRU
    >>> model = rl.Sequential([GRU(3, return_sequences=True, input_shape=(4, 2))])
    >>> out = rl.ablate_units(model, np.ones((2, 4, 2)), layer=0, units=[1])
    >>> out.shape, bool((out[..., 1] == 0).all())
    ((2, 4, 3), True)

    Args:
        model: the model.
        x: inputs (batch, time, features).
        layer: the recurrent layer, by name or index.
        units: indices of the units to silence (of ``direction`` inside a ``Bidirectional``).
        direction: ``"forward"``, or ``"backward"`` inside a ``Bidirectional``.

    Returns:
        What ``model.predict(x)`` would return with those units silenced.

    Raises:
        ConfigError: unknown layer or direction, or a unit index out of range.
    """
    import torch

    index, module = recurrent_layer(model, layer, "ablate_units")
    chosen = direction_module(module, direction, "ablate_units")
    count = chosen.spec.units
    chosen_units = list(units)
    if not chosen_units or any(
        isinstance(u, bool) or not isinstance(u, int) or not 0 <= u < count for u in chosen_units
    ):
        raise ConfigError(
            f"ablate_units: units must be a non-empty list of indices from 0 to {count - 1} "
            f"({chosen.spec.describe()} has {count} units), received {units!r}"
        )

    def silenced(
        each: Any, inputs: torch.Tensor, mask: torch.Tensor | None, zero: bool
    ) -> RunResult:
        from ..engine.reference import RunResult

        kernel = each.recurrent_kernel
        with torch.inference_mode(False), torch.no_grad():
            original = kernel.detach().clone()
            kernel[chosen_units] = 0.0  # (U, G·U): row k is what h[k] feeds the gates
        try:
            result = each.run(inputs, mask, zero_output_for_mask=zero)
        finally:
            with torch.inference_mode(False), torch.no_grad():
                kernel.copy_(original)
        sequence = result.sequence.clone()
        sequence[..., chosen_units] = 0.0
        states = [s.clone() for s in result.states]
        for s in states:
            s[..., chosen_units] = 0.0
        return RunResult(sequence, sequence[:, -1], states)

    def replace(m: Any, inputs: torch.Tensor, mask: torch.Tensor | None) -> Any:
        return _layer_pass(
            m, inputs, mask, chosen, lambda each, zero: silenced(each, inputs, mask, zero)
        )

    return outputs_with(model, x, index, replace)
