"""What the top floor installs into :mod:`rnnlens.hooks`: the engine and the facade classes.

Every method imports the engine only when called, so ``import rnnlens`` stays free of torch.
"""

from __future__ import annotations

from typing import Any


class FacadeRuntime:
    """The :class:`rnnlens.hooks.Runtime` of the installed package."""

    def build_layer_module(self, layer: Any) -> Any:
        from .engine.build import build_module

        return build_module(layer)

    def get_layer_weights(self, layer: Any) -> list[Any]:
        from .engine.weights import get_layer_weights

        return get_layer_weights(layer)

    def set_layer_weights(self, layer: Any, weights: list[Any]) -> None:
        from .engine.weights import set_layer_weights

        set_layer_weights(layer, weights)

    def layer_variables(self, layer: Any) -> list[tuple[Any, bool]]:
        from .engine.weights import layer_variables

        return [(parameter, trains) for _, _, parameter, trains in layer_variables(layer)]

    def build_model_module(self, model: Any) -> Any:
        from .graph import SequentialSpec

        if isinstance(model, SequentialSpec):
            from .engine.sequential import SequentialModule

            return SequentialModule(model)
        from .engine.graph import GraphModule

        return GraphModule(model)

    def model_class(self, kind: str) -> type[Any]:
        from .model import Model, Sequential

        return Sequential if kind == "sequential" else Model
