"""The model's forward pass with one recurrent layer computed differently.

Interventions change one layer and let every later layer react: :func:`outputs_with` runs the
model layer by layer (passing the mask on as the model does), calls ``replace`` for the chosen
layer and the layer itself everywhere else. Dropout is off and carried states of stateful
layers are left as they were: an intervention is a question about the model, not a step of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError

if TYPE_CHECKING:
    import torch

    from ..graph import ModelSpec

#: ``replace(module, x, mask)`` -> the layer's output, as the layer itself would hand it on.
Replacement = Callable[[Any, "torch.Tensor", "torch.Tensor | None"], Any]


def recurrent_layer(model: ModelSpec, layer: str | int, caller: str) -> tuple[int, Any]:
    """The position of ``layer`` (name or index) on the model's path of layers, and its
    module; it must be recurrent.

    Raises:
        ConfigError: no such layer, it records no state, or the model is not a chain.
    """
    from ..engine.bidirectional import BidirectionalModule
    from ..engine.recurrent import RecurrentModule
    from ..trace import recorded_chain

    chain = recorded_chain(model, caller)
    names = [each.name for each, _ in chain]
    if isinstance(layer, int) and not isinstance(layer, bool) and -len(names) <= layer < len(names):
        index = layer % len(names)
    elif isinstance(layer, str) and layer in names:
        index = names.index(layer)
    else:
        raise ConfigError(f"{caller}: layer={layer!r} is not in the model; it has {names}")
    recurrent = [
        n for n, (_, m) in zip(names, chain) if isinstance(m, RecurrentModule | BidirectionalModule)
    ]
    if names[index] not in recurrent:
        raise ConfigError(
            f"{caller}: layer '{names[index]}' ({type(chain[index][0]).__name__}) carries no "
            f"state; choose a recurrent layer: {recurrent}"
        )
    return index, chain[index][1]


def direction_module(module: Any, direction: str, caller: str) -> Any:
    """The :class:`RecurrentModule` of ``direction`` ("forward" or "backward") in a layer."""
    from ..engine.bidirectional import BidirectionalModule

    if direction not in ("forward", "backward"):
        raise ConfigError(
            f"{caller}: direction must be 'forward' or 'backward', received {direction!r}"
        )
    if isinstance(module, BidirectionalModule):
        return module.forward_layer if direction == "forward" else module.backward_layer
    if direction == "backward":
        raise ConfigError(
            f"{caller}: layer '{module.spec.name}' is not Bidirectional: it has no backward "
            "direction (use direction='forward', the default)"
        )
    return module


@contextmanager
def questioning(model: ModelSpec) -> Iterator[Any]:
    """The model's module in eval mode, stateful layers' carried states kept and restored."""
    from ..engine.recurrent import RecurrentModule

    module = model.module
    recurrent = [m for m in module.modules() if isinstance(m, RecurrentModule)]
    stored = [m.stored_states for m in recurrent]
    was_training = module.training
    module.eval()
    try:
        yield module
    finally:
        module.train(was_training)
        for m, states in zip(recurrent, stored):
            m.stored_states = states


def numpy_output(value: Any) -> Any:
    """A model output (tensor or list of tensors) as numpy, as ``predict`` returns it."""
    if isinstance(value, list):
        return [numpy_output(v) for v in value]
    return value.detach().cpu().numpy()


def outputs_with(model: ModelSpec, x: Any, index: int, replace: Replacement) -> Any:
    """The model's output on ``x`` with layer ``index`` computed by ``replace``, as numpy."""
    import torch

    from ..engine.predict import as_input_array, require_one_input, to_tensor
    from ..trace import recorded_chain

    require_one_input(model, "interventions")
    array = as_input_array(model, x)
    with questioning(model) as module, torch.inference_mode():
        device, dtype = module.placement()
        out: Any = to_tensor(array, dtype, device)
        mask: torch.Tensor | None = None
        for position, (_, layer_module) in enumerate(recorded_chain(model, "interventions")):
            next_mask = layer_module.next_mask(out, mask)
            out = replace(layer_module, out, mask) if position == index else layer_module(out, mask)
            mask = next_mask
        return numpy_output(out)


def as_state(value: Any, like: torch.Tensor, caller: str) -> torch.Tensor:
    """``value`` (a number, an array broadcastable to (batch, units), or a function of the
    state) as a tensor shaped and typed like the state ``like`` (B, U)."""
    import torch

    if callable(value):
        value = value(like.clone())
    try:
        tensor = torch.as_tensor(
            np.asarray(value) if not isinstance(value, torch.Tensor) else value
        )
        return torch.broadcast_to(tensor.to(like.dtype).to(like.device), like.shape).clone()
    except (RuntimeError, TypeError, ValueError) as error:
        raise ConfigError(
            f"{caller}: value must be a number, an array broadcastable to the state's shape "
            f"(batch, units) = {tuple(like.shape)}, or a function returning one; received "
            f"{type(value).__name__} ({error})"
        ) from error
