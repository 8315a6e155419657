"""A functional model as plain data, in Keras 3's format, and back.

Each layer entry carries ``inbound_nodes``: one ``{"args": [...], "kwargs": {...}}`` per call,
where a tensor is ``{"class_name": "__keras_tensor__", "config": {"shape", "dtype",
"keras_history": [layer name, node index, tensor index]}}``. ``input_layers`` and
``output_layers`` name the model's ends the same way. Reading replays the calls in order;
nothing is imported or executed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..layers import InputLayer, layer_from_config
from ..nodes import SymbolicTensor, map_tensors

if TYPE_CHECKING:
    from ..layers import Layer
    from .functional import Functional

_TENSOR = "__keras_tensor__"


def functional_config(model: Functional) -> dict[str, Any]:
    """``{"name", "trainable", "layers", "input_layers", "output_layers"}`` as Keras writes."""
    in_model = {id(node) for node in model.nodes}
    # A layer used by other models too has nodes outside this one: renumber the kept ones.
    renumber: dict[int, int] = {}
    for layer in model.layers:
        kept = [node for node in layer.inbound_nodes if id(node) in in_model]
        renumber.update({id(node): index for index, node in enumerate(kept)})

    def history(tensor: SymbolicTensor) -> list[Any]:
        return [tensor.layer.name, renumber[id(tensor.node)], tensor.tensor_index]

    def tensor_entry(tensor: SymbolicTensor) -> dict[str, Any]:
        config = {"shape": list(tensor.shape), "dtype": tensor.dtype}
        return {"class_name": _TENSOR, "config": {**config, "keras_history": history(tensor)}}

    layers = []
    for layer in model.layers:
        nodes = [node for node in layer.inbound_nodes if id(node) in in_model]
        inbound = [
            {
                "args": map_tensors(node.args, tensor_entry),
                "kwargs": map_tensors(node.kwargs, tensor_entry),
            }
            for node in nodes
            if not node.is_input
        ]
        layers.append(
            {
                "class_name": type(layer).__name__,
                "config": layer.get_config(),
                "name": layer.name,
                "inbound_nodes": inbound,
            }
        )
    ends = {}
    for key, tensors, single in (
        ("input_layers", model.inputs, model._single_input),
        ("output_layers", model.outputs, model._single_output),
    ):
        ends[key] = history(tensors[0]) if single else [history(t) for t in tensors]
    return {"name": model.name, "trainable": True, "layers": layers, **ends}


def functional_from_config(config: dict[str, Any]) -> tuple[Any, Any, str | None]:
    """``(inputs, outputs, name)`` rebuilt from :func:`functional_config`'s output.

    Raises:
        ConfigError: a malformed entry, an unknown layer type, or a call whose inputs no
            earlier call produces.
    """
    entries = config.get("layers")
    if not isinstance(entries, list):
        raise ConfigError("a functional model config needs a list under 'layers'")
    made: dict[tuple[str, int, int], SymbolicTensor] = {}
    pending: list[tuple[Layer, dict[str, Any]]] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ConfigError(f"a layer entry must be a mapping, received {entry!r:.60}")
        layer = layer_from_config(entry)
        if isinstance(layer, InputLayer):
            made[(layer.name, 0, 0)] = layer.output
        for node in entry.get("inbound_nodes") or []:
            pending.append((layer, _node_call(node, entry)))
    calls: dict[str, int] = {}
    while pending:
        waiting = []
        for layer, call in pending:
            needed = _histories(call)
            if not all(key in made for key in needed):
                waiting.append((layer, call))
                continue
            args = _replace(call["args"], made)
            kwargs = {
                key: value
                for key, value in _replace(call["kwargs"], made).items()
                if key != "training" and value is not None
            }
            result = layer(*args, **kwargs)
            index = calls.get(layer.name, 0)
            calls[layer.name] = index + 1
            for i, tensor in enumerate(result if isinstance(result, list) else [result]):
                made[(layer.name, index, i)] = tensor
        if len(waiting) == len(pending):
            missing = sorted({k for _, call in waiting for k in _histories(call)} - set(made))
            raise ConfigError(
                f"the model config calls layers on tensors no layer produces: {missing[:3]}"
            )
        pending = waiting
    ends = []
    for key in ("input_layers", "output_layers"):
        value = config.get(key)
        if not isinstance(value, list) or not value:
            raise ConfigError(f"a functional model config needs '{key}'")
        single = not isinstance(value[0], list)
        keys = [tuple(value)] if single else [tuple(item) for item in value]
        try:
            tensors = [made[k] for k in keys]
        except KeyError as error:
            raise ConfigError(f"'{key}' names a tensor no layer produces: {error}") from None
        ends.append(tensors[0] if single else tensors)
    name = config.get("name")
    return ends[0], ends[1], name if isinstance(name, str) else None


def _node_call(node: Any, entry: dict[str, Any]) -> dict[str, Any]:
    """A node entry as ``{"args", "kwargs"}`` with tensors as history tuples."""
    if isinstance(node, list):  # Keras 2's [[name, node, tensor, kwargs], ...]
        tensors = [{_TENSOR: (item[0], item[1], item[2])} for item in node]
        return {"args": [tensors[0] if len(tensors) == 1 else tensors], "kwargs": {}}
    if not isinstance(node, dict) or not isinstance(node.get("args", []), list):
        raise ConfigError(f"layer '{entry.get('name')}': an inbound node must be a mapping")

    def convert(value: Any) -> Any:
        if isinstance(value, dict) and value.get("class_name") == _TENSOR:
            name, index, tensor = value["config"]["keras_history"]
            return {_TENSOR: (name, int(index), int(tensor))}
        if isinstance(value, list):
            return [convert(item) for item in value]
        if isinstance(value, dict):
            return {key: convert(item) for key, item in value.items()}
        return value

    return {"args": convert(node.get("args", [])), "kwargs": convert(node.get("kwargs", {}))}


def _replace(value: Any, made: dict[tuple[str, int, int], SymbolicTensor]) -> Any:
    if isinstance(value, dict):
        if _TENSOR in value:
            return made[value[_TENSOR]]
        return {key: _replace(item, made) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace(item, made) for item in value]
    return value


def _histories(value: Any) -> list[tuple[str, int, int]]:
    if isinstance(value, dict):
        if _TENSOR in value:
            return [value[_TENSOR]]
        return [h for item in value.values() for h in _histories(item)]
    if isinstance(value, list):
        return [h for item in value for h in _histories(item)]
    return []
