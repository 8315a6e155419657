"""``ModelSpec``: what every model is before it has weights — named layers, shapes, counts.

The facade's :class:`~rnnlens.Model` and :class:`~rnnlens.Sequential` inherit this and add
``fit``, ``predict``, ``explain``, ``save``. Everything below the facade (engine, train, io,
explain) takes a ``ModelSpec``, so no lower floor needs to know the facade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, ShapeError
from ..hooks import runtime
from ..naming import unique_name
from ..shapes import ShapeOrList

if TYPE_CHECKING:
    import numpy as np

    from ..layers import Layer


class ModelSpec:
    """A named collection of layers with known shapes; subclasses say how they connect.

    Layers are kept in order in :attr:`layers` and indexed by name in a dict, so adding,
    finding or refusing a duplicate name costs the same for the 100,000th layer as for the
    first.
    """

    def __init__(self, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if name is not None and (not isinstance(name, str) or not name):
            raise ConfigError(f"a model name must be a non-empty string, received {name!r}")
        self.name: str = name or unique_name(self._default_name())
        self.layers: list[Layer] = []
        self._by_name: dict[str, Layer] = {}
        # The engine's module once built: opaque here (the spec does not know torch).
        self._module: Any = None

    def _default_name(self) -> str:
        return "model"

    # ------------------------------------------------------------ layer index
    def _index_layer(self, layer: Layer) -> None:
        """Append ``layer`` to :attr:`layers`, refusing a second layer of the same name."""
        known = self._by_name.get(layer.name)
        if known is not None and known is not layer:
            raise ConfigError(
                f"a layer named '{layer.name}' is already in model '{self.name}': "
                "give the new one another name=..."
            )
        if known is None:
            self._by_name[layer.name] = layer
            self.layers.append(layer)

    def _reindex(self, layers: list[Layer]) -> None:
        self.layers, self._by_name = [], {}
        for layer in layers:
            self._index_layer(layer)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or position, as Keras's ``get_layer``."""
        if index is not None:
            return self.layers[index]
        layer = self._by_name.get(name) if isinstance(name, str) else None
        if layer is None:
            raise ConfigError(
                f"model '{self.name}' has no layer '{name}'; it has {[item.name for item in self.layers]}"
            )
        return layer

    # ---------------------------------------------------------------- shapes
    @property
    def input_shape(self) -> ShapeOrList:
        """The model's input shape, batch first (a list for several inputs)."""
        raise NotImplementedError

    @property
    def output_shape(self) -> ShapeOrList:
        """The model's output shape (a list for several outputs)."""
        raise NotImplementedError

    def count_params(self) -> int:
        """Total number of weights (Keras's count: one bias per gate)."""
        return sum(layer.count_params() for layer in self.layers)

    def weighted_layers(self) -> list[Layer]:
        """The layers in the order their weights appear in ``get_weights()``."""
        return self.layers

    @property
    def built(self) -> bool:
        """Whether every layer knows its input shape (Keras's ``model.built``)."""
        return all(layer.input_shape is not None for layer in self.layers)

    def _build_for(self, x: Any) -> None:
        """Build a model that has no input shape yet from its first data (Sequential does)."""

    def _model_built(self) -> None:
        """Called once a model without an input shape has been built from its first data."""

    def _require_layers(self) -> None:
        if not self.layers:
            raise ConfigError(
                f"model '{self.name}' has no layers yet: add some with model.add(...)"
            )

    def _graph_changed(self) -> None:
        """Called whenever layers or connections change: the engine module is stale."""
        self._module = None

    # ------------------------------------------------------- weights, engine
    @property
    def module(self) -> Any:
        """A ``torch.nn.Module`` computing this model (sharing the layers' parameters)."""
        if self._module is None:
            self._require_layers()
            if not self.built:
                self.input_shape  # noqa: B018  (raises the "not built yet" ShapeError)
            self._module = runtime().build_model_module(self)
        return self._module

    def get_weights(self) -> list[np.ndarray]:
        """All weights as numpy arrays, layer by layer, in Keras's order and layout."""
        return [w for layer in self.weighted_layers() for w in layer.get_weights()]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Load weights in Keras's order and layout, as returned by Keras's ``get_weights()``.

        Raises:
            ShapeError: the number of arrays differs from the model's (each layer then checks
                its own shapes, all before any is written).
        """
        layers = self.weighted_layers()
        counts = [len(layer.weight_specs()) for layer in layers]
        if len(weights) != sum(counts):
            per_layer = ", ".join(f"{layer.name} {n}" for layer, n in zip(layers, counts))
            raise ShapeError(
                f"model '{self.name}' has {sum(counts)} weight arrays ({per_layer}), "
                f"received {len(weights)}"
            )
        start = 0
        for layer, n in zip(layers, counts):
            layer.set_weights(list(weights[start : start + n]))
            start += n

    def get_config(self) -> dict[str, Any]:
        """The model as plain data (Keras's config format)."""
        raise NotImplementedError
