"""``GraphModule``: a functional model as one ``torch.nn.Module``, node by node.

The nodes run in the spec's order (each after the nodes it reads); every edge carries a
tensor and its (B, T) time-step mask, so masks flow along the graph as in Keras 3. Each
layer runs through its own module — the fused recurrent kernels included — and a shared
layer's module runs once per node with the same parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from ..nodes import map_tensors
from .base import LayerModule
from .build import check_memory
from .sequential import SequentialModule

if TYPE_CHECKING:
    from ..graph import Functional


class GraphModule(SequentialModule):
    """Computes a :class:`~rnnlens.graph.Functional` model; ``forward(*inputs)``.

    Returns one tensor, or a list for several outputs. Starts in eval mode, as
    :class:`~rnnlens.engine.sequential.SequentialModule`.
    """

    def __init__(self, model: Functional) -> None:
        nn.Module.__init__(self)
        check_memory(f"model '{model.name}'", model.count_params())
        self.model = model
        steps = [node for node in model.nodes if not node.is_input]
        layers = list({id(node.layer): node.layer for node in steps}.values())
        self.names = [layer.name for layer in layers]
        modules = [layer.module for layer in layers]
        self.layers = nn.ModuleList(modules)
        position = {id(layer): i for i, layer in enumerate(layers)}
        self._steps = [(node, position[id(node.layer)]) for node in steps]
        self._single_output = model._single_output
        self.eval()

    def forward(self, *inputs: torch.Tensor) -> Any:  # type: ignore[override]
        model = self.model
        if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
            inputs = tuple(inputs[0])
        if len(inputs) != len(model.inputs):
            raise TypeError(
                f"model '{model.name}' takes {len(model.inputs)} input(s), received {len(inputs)}"
            )
        values: dict[int, torch.Tensor] = {}
        masks: dict[int, torch.Tensor | None] = {}
        for tensor, value in zip(model.inputs, inputs):
            values[id(tensor)], masks[id(tensor)] = value, None
        for node, index in self._steps:
            module = self.layers[index]
            assert isinstance(module, LayerModule)
            main = node.args[0]
            x = map_tensors(main, lambda t: values[id(t)])
            mask = map_tensors(main, lambda t: masks[id(t)])
            if isinstance(main, list) and all(m is None for m in mask):
                mask = None
            extra = {
                key: map_tensors(value, lambda t: values[id(t)])
                for key, value in node.kwargs.items()
                if key not in ("mask", "training")
            }
            given = node.kwargs.get("mask")
            if given is not None:  # an explicit mask= (one tensor, or a list for merges)
                mask = map_tensors(given, lambda t: values[id(t)].bool())
            out_mask = module.next_mask(x, mask)
            out = module(x, mask, **extra)
            outs = out if isinstance(out, list) else [out]
            for tensor, value in zip(node.outputs, outs):
                values[id(tensor)] = value
                # States (B, U) carry no time-step mask; sequences hand on the layer's.
                masks[id(tensor)] = out_mask if value.dim() >= 3 else None
        results = [values[id(t)] for t in model.outputs]
        return results[0] if self._single_output else results
