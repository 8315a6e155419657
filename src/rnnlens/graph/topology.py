"""Order a graph's nodes and layers as Keras 3 does (``keras.src.ops.function.map_graph``).

Keras walks back from the outputs depth first, gives every node a depth (its distance from
the outputs), and lists the layers from the deepest (the inputs) to depth 0, breaking ties by
the order the walk first met them. rnnlens keeps that order so ``model.layers``, the
summary's rows and ``get_weights()`` line up with Keras's.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..layers import Layer
    from ..nodes import Node, SymbolicTensor


def map_graph(
    inputs: list[SymbolicTensor], outputs: list[SymbolicTensor]
) -> tuple[list[Node], list[Layer]]:
    """The nodes in an order where every node follows those it reads, and the layers.

    Raises:
        ConfigError: an output needs an ``Input`` that is not among ``inputs`` (the graph is
            disconnected), the graph has a cycle, or two layers share a name.
    """
    input_ids = {id(t) for t in inputs}
    ordered: list[Node] = []  # from the inputs to the outputs
    finished: set[int] = set()
    in_progress: set[int] = set()
    first_seen: dict[int, int] = {}
    for output in outputs:
        _walk(output, input_ids, ordered, finished, in_progress, first_seen, output)

    depths: dict[int, int] = {}
    layer_depths: dict[int, int] = {}
    layers_by_id: dict[int, Layer] = {}
    in_graph = {id(n) for n in ordered}
    for node in reversed(ordered):
        depth = max(depths.setdefault(id(node), 0), layer_depths.get(id(node.layer), 0))
        layer_depths[id(node.layer)] = depth
        layers_by_id[id(node.layer)] = node.layer
        depths[id(node)] = depth
        for parent in node.parents:
            if id(parent) in in_graph:
                depths[id(parent)] = max(depth + 1, depths.get(id(parent), 0))
    for tensor in inputs:  # an input no output uses is still the model's
        if id(tensor.layer) not in layer_depths:
            layer_depths[id(tensor.layer)] = 0
            layers_by_id[id(tensor.layer)] = tensor.layer
            first_seen[id(tensor.layer)] = -1
            ordered.insert(0, tensor.node)
            depths[id(tensor.node)] = 0

    layers = sorted(
        layers_by_id.values(),
        key=lambda layer: (-layer_depths[id(layer)], first_seen[id(layer)]),
    )
    names: dict[str, Layer] = {}
    for layer in layers:
        if names.setdefault(layer.name, layer) is not layer:
            raise ConfigError(
                f"two layers in the model are named '{layer.name}'; layer names must be "
                "unique: give one of them another name=..."
            )
    by_depth: dict[int, list[Node]] = defaultdict(list)
    for node in ordered:
        by_depth[depths[id(node)]].append(node)
    nodes = [node for depth in sorted(by_depth, reverse=True) for node in by_depth[depth]]
    return nodes, layers


def _walk(
    tensor: SymbolicTensor,
    input_ids: set[int],
    ordered: list[Node],
    finished: set[int],
    in_progress: set[int],
    first_seen: dict[int, int],
    output: SymbolicTensor,
) -> None:
    node = tensor.node
    if id(node) in finished:
        return
    if id(node) in in_progress:
        raise ConfigError(f"the graph has a cycle through layer '{tensor.layer.name}'")
    if node.is_input and id(tensor) not in input_ids:
        raise ConfigError(
            f"the graph is disconnected: output {output.name} is computed from input "
            f"'{tensor.layer.name}' {tensor.shape}, which is not in Model(inputs=...): "
            f"add it to the inputs, e.g. Model(inputs=[..., {tensor.layer.name}], outputs=...)"
        )
    first_seen.setdefault(id(node.layer), len(first_seen))
    in_progress.add(id(node))
    for parent in node.input_tensors:
        _walk(parent, input_ids, ordered, finished, in_progress, first_seen, output)
    in_progress.discard(id(node))
    finished.add(id(node))
    ordered.append(node)
