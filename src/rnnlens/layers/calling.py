"""What happens when a layer is called on symbolic tensors: checks, shapes, a new node.

A first call fixes the layer's input shape (and so its weight shapes). A later call — a
shared layer — must need the same weights; it gets a node of its own and the same weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, ShapeError
from ..nodes import Node, SymbolicTensor, flatten_tensors
from ..shapes import ShapeOrList, format_shape

if TYPE_CHECKING:
    from .base import Layer


def call_layer(layer: Layer, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Record ``layer(*args, **kwargs)`` as a node; return its output tensor(s).

    Raises:
        ConfigError: no input, an input that is not a symbolic tensor, an unknown keyword.
        ShapeError: shapes the layer cannot take, or a shared layer called on a shape that
            would need other weights.
    """
    main = _main_input(layer, args)
    unknown = sorted(set(kwargs) - set(layer.call_arguments))
    if unknown:
        raise ConfigError(
            f"{layer.describe()} was called with an unknown argument '{unknown[0]}'; "
            f"a call accepts: {', '.join(layer.call_arguments)}"
        )
    kwargs = {key: value for key, value in kwargs.items() if value is not None}
    input_shape: ShapeOrList = [t.shape for t in main] if isinstance(main, list) else main.shape
    layer.check_call(input_shape, kwargs)
    if layer.input_shape is None:
        layer.attach(input_shape)
    else:
        _check_shared(layer, input_shape)
    output_shape = layer.call_output_shape(input_shape, kwargs)
    node = Node(layer, [main], kwargs)
    layer.inbound_nodes.append(node)
    index = len(layer.inbound_nodes) - 1
    dtype = next(flatten_tensors(main)).dtype
    shapes = output_shape if isinstance(output_shape, list) else [output_shape]
    node.outputs = [SymbolicTensor(s, dtype, layer, index, i) for i, s in enumerate(shapes)]
    return node.outputs if isinstance(output_shape, list) else node.outputs[0]


def _main_input(layer: Layer, args: list[Any]) -> SymbolicTensor | list[SymbolicTensor]:
    if not args:
        raise ConfigError(f"{layer.describe()} was called without an input: write layer(x)")
    if len(args) > 1:
        raise ConfigError(
            f"{layer.describe()} was called with {len(args)} positional arguments; pass one "
            "input (a list for several) and the rest by keyword, e.g. initial_state=[h, c]"
        )
    main = args[0]
    if isinstance(main, tuple):
        main = list(main)
    items = main if isinstance(main, list) else [main]
    for item in items:
        if not isinstance(item, SymbolicTensor):
            raise ConfigError(
                f"{layer.describe()} was called on {type(item).__name__}, not on a symbolic "
                "tensor: call layers on rl.Input(shape=...) or on another layer's output "
                "(y = LSTM(32)(x)); to compute numbers, build a model and use model.predict(x)"
            )
    if isinstance(main, list) and not layer.takes_several_inputs:
        if len(main) == 1:
            return main[0]
        raise ShapeError(
            f"{layer.describe()} takes one tensor, received a list of {len(main)} "
            f"({', '.join(t.name for t in main)}): merge them first, e.g. "
            "concatenate([a, b]), or call the layer on one of them"
        )
    if not isinstance(main, list) and layer.takes_several_inputs:
        raise ShapeError(
            f"{layer.describe()} merges several tensors and received one ({main.name}): "
            "call it on a list, e.g. layer([a, b])"
        )
    return main


def _check_shared(layer: Layer, input_shape: ShapeOrList) -> None:
    """A layer called again keeps its weights: the new input must need the same ones."""
    built_for = layer.input_shape
    if built_for is None or built_for == input_shape:
        return
    before = [(s.name, s.shape) for s in layer.weight_specs()]
    saved = (layer.input_shape, layer.output_shape)
    try:
        layer.input_shape = input_shape
        layer.compute_output_shape(input_shape)  # type: ignore[arg-type]
        after = [(s.name, s.shape) for s in layer.weight_specs()]
    finally:
        layer.input_shape, layer.output_shape = saved
    if before != after:
        raise ShapeError(
            f"{layer.describe()} is shared: it was built for input {format_shape(built_for)} "
            f"and is now called on {format_shape(input_shape)}, which would need other weights "
            f"({after} instead of {before}); a shared layer keeps one set of weights, so call it "
            "on tensors of the same feature size, or use a new layer"
        )
