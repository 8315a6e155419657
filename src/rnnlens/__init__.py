"""rnnlens: stacked recurrent networks you can see through.

Keras's ``Sequential`` API and semantics on a PyTorch engine, with every layer's data flow
explained. Importing rnnlens does not import torch: shapes, summaries and explanations are
pure Python; the engine loads on first use.
"""

from __future__ import annotations

from typing import Any

from . import layers
from .errors import (
    ConfigError,
    InputDataError,
    ModelFileError,
    ParseError,
    ResourceError,
    RnnlensError,
    ShapeError,
)
from .hooks import install
from .layers import Input
from .model import IgnoredInputShapeWarning, Model, Sequential
from .naming import clear_session
from .runtime import FacadeRuntime
from .version import __version__ as __version__

# The spec reaches the engine and the facade classes only through this slot (rnnlens.hooks).
install(FacadeRuntime())

# Public names whose modules import torch (or heavier things): loaded on first access.
_LAZY = {
    "set_seed": ("rnnlens.train.seed", "set_seed"),
    "explain": ("rnnlens.api", "explain"),
    "diagram": ("rnnlens.api", "diagram"),
    "trace": ("rnnlens.api", "trace"),
    "report": ("rnnlens.api", "report"),
    "patch": ("rnnlens.interpret.patch", "patch"),
    "ablate_units": ("rnnlens.interpret.patch", "ablate_units"),
    "attribute": ("rnnlens.interpret.attribute", "attribute"),
    "load": ("rnnlens.io.native", "load_model"),
    "from_keras": ("rnnlens.io.keras", "from_keras"),
    "to_keras": ("rnnlens.io.keras", "to_keras"),
    "to_torch": ("rnnlens.io.torch_interop", "to_torch"),
    "from_torch": ("rnnlens.io.torch_interop", "from_torch"),
    "to_onnx": ("rnnlens.io.onnx", "to_onnx"),
    "callbacks": ("rnnlens.train.callbacks", None),
    "data": ("rnnlens.data", None),
    "parse": ("rnnlens.parse", None),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module_name, attribute = _LAZY[name]
        module = importlib.import_module(module_name)
        value = module if attribute is None else getattr(module, attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rnnlens' has no attribute {name!r}")


def _keep_dispatchers_callable() -> None:
    # rl.explain / rl.report / rl.trace share their names with subpackages (see rnnlens.api).
    import sys

    from .api import keep_dispatchers_callable

    keep_dispatchers_callable(sys.modules[__name__])


_keep_dispatchers_callable()


def __dir__() -> list[str]:
    """Every public name, the lazily imported ones too, so tab completion finds them."""
    return sorted({*globals(), *_LAZY})


__all__ = [
    "ConfigError",
    "IgnoredInputShapeWarning",
    "Input",
    "InputDataError",
    "Model",
    "ModelFileError",
    "ParseError",
    "ResourceError",
    "RnnlensError",
    "Sequential",
    "ShapeError",
    "clear_session",
    "layers",
    *_LAZY,
]
