"""The slots through which the spec reaches the floors above it without importing them.

The spec (layers, graph, shapes) describes models; the engine computes them and the facade
gives them ``fit``/``explain``/``save``. A few spec-level conveniences need those floors:
``layer.module`` and ``layer.get_weights()`` need the engine, and a file reader in ``io``
must hand back a model a person can ``fit``. Rather than importing upwards (even lazily),
the spec declares here what it needs as a small protocol, and the top-level package
(:mod:`rnnlens`) installs an implementation when it is imported. Any ``import
rnnlens.layers`` runs ``rnnlens/__init__.py`` first, so the slot is always filled in
practice; a test that installs a fake engine can do so too.

>>> from rnnlens.hooks import runtime
>>> type(runtime()).__name__  # installed by ``import rnnlens``
'FacadeRuntime'
"""

from __future__ import annotations

from typing import Any, Protocol

from .errors import ConfigError


class Runtime(Protocol):
    """What the spec asks of the floors above it."""

    def build_layer_module(self, layer: Any) -> Any:
        """The engine's torch module for ``layer`` (already attached to an input shape)."""

    def get_layer_weights(self, layer: Any) -> list[Any]:
        """The layer's weights as numpy arrays, in Keras's order and layout."""

    def set_layer_weights(self, layer: Any, weights: list[Any]) -> None:
        """Load Keras-order arrays into the layer's parameters."""

    def layer_variables(self, layer: Any) -> list[tuple[Any, bool]]:
        """``(parameter, trains)`` for each of the layer's weights, in ``get_weights()`` order."""

    def build_model_module(self, model: Any) -> Any:
        """The engine's torch module computing a whole model (sharing the layers' modules)."""

    def model_class(self, kind: str) -> type[Any]:
        """The user-facing class for a spec model: ``"sequential"`` or ``"functional"``."""


_installed: list[Runtime] = []


def install(implementation: Runtime) -> None:
    """Fill the slot (the top-level package does this once, on import)."""
    _installed[:] = [implementation]


def runtime() -> Runtime:
    """The installed implementation.

    Raises:
        ConfigError: nothing installed (a spec module used without ``import rnnlens``).
    """
    if not _installed:
        raise ConfigError(
            "the rnnlens engine is not installed: import rnnlens (the package) before "
            "building weights, e.g. `import rnnlens` at the top of the script"
        )
    return _installed[0]
