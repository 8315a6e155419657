"""``rl.explain``, ``rl.diagram``, ``rl.trace``, ``rl.report``: one entry point per question.

Each takes whatever the user holds and sends it to the code that knows it:

* an rnnlens model → its own method (``model.explain()``, ``rl.trace`` of :mod:`rnnlens.trace`);
* a ``torch.nn.Module`` → :mod:`rnnlens.pytorch` (PyTorch's vocabulary, shapes observed on
  the meta device, traces of every ``nn.LSTM/GRU/RNN`` inside it);
* an in-memory Keras 3 model → ``rl.from_keras(obj)`` (its config and weights), then as an
  rnnlens model.

Importing this module imports neither torch nor Keras; it only recognises their objects when
their libraries are already loaded (an ``nn.Module`` cannot exist otherwise).

>>> import rnnlens as rl
>>> from rnnlens.layers import LSTM
>>> model = rl.Sequential([LSTM(4, input_shape=(3, 2))])
>>> rl.explain(model).layers[0].params
112
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

from .errors import ConfigError

#: Subpackages named like a dispatcher: importing one binds its name on ``rnnlens``.
_SHADOWING = ("explain", "report", "trace")


def keep_dispatchers_callable(package: types.ModuleType) -> None:
    """Make ``rl.explain(...)`` keep working after ``import rnnlens.explain.flow``.

    Importing a subpackage binds ``rnnlens.explain`` to it (the import system sets the
    attribute), replacing the function. ``package`` (``rnnlens`` itself) gets a module class
    whose ``__setattr__`` makes such a subpackage callable, calling the dispatcher here; the
    subpackage itself stays importable and browsable as before. Lower floors know nothing of it.
    """

    class _Package(type(package)):  # type: ignore[misc]
        def __setattr__(self, name: str, value: Any) -> None:
            if name in _SHADOWING and isinstance(value, types.ModuleType):
                value.__class__ = _callable_module(name, type(value))
            super().__setattr__(name, value)

    package.__class__ = _Package
    for name in _SHADOWING:
        loaded = sys.modules.get(f"{package.__name__}.{name}")
        if loaded is not None:
            setattr(package, name, loaded)


def _callable_module(name: str, base: type) -> type:
    def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
        return globals()[name](*args, **kwargs)

    return type(f"Callable_{name}", (base,), {"__call__": __call__})


def _is_torch_module(obj: Any) -> bool:
    """A plain ``nn.Module`` (Keras 3 models on the torch backend are modules too: not those)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.nn.Module) and not _is_keras_model(obj)


def _is_keras_model(obj: Any) -> bool:
    return any(cls.__module__.split(".")[0] == "keras" for cls in type(obj).__mro__) and hasattr(
        obj, "get_config"
    )


def _is_rnnlens_model(obj: Any) -> bool:
    return (
        type(obj).__module__.startswith("rnnlens")
        and hasattr(obj, "explain")
        and hasattr(obj, "layers")
    )


def _model(obj: Any, what: str) -> Any:
    """An rnnlens model from ``obj`` (itself, or a converted Keras model)."""
    if _is_rnnlens_model(obj):
        return obj
    if _is_keras_model(obj):
        from .io.keras import from_keras  # reads an in-memory model's config and weights

        return from_keras(obj)
    raise ConfigError(
        f"rl.{what} takes an rnnlens model, a torch.nn.Module or an in-memory Keras model, "
        f"received {type(obj).__name__}; for a file use rl.load / rl.from_keras or the CLI"
    )


def explain(obj: Any, x: Any = None, *, input_size: Any = None, **options: Any) -> Any:
    """Explain ``obj``: a :class:`~rnnlens.explain.flow.Flow` (rnnlens/Keras) or a
    :class:`~rnnlens.pytorch.explain.TorchExplanation` (``nn.Module``, which needs
    ``input_size=(batch, time, features)`` in its forward's order, or an example ``x``)."""
    if _is_torch_module(obj):
        from .pytorch.explain import explain_network
        from .pytorch.memory import network_from_module

        net, rows = network_from_module(
            obj, input_size, example=x, dtype=options.pop("dtype", None)
        )
        return explain_network(net, rows)
    return _model(obj, "explain").explain(**options)


def diagram(
    obj: Any,
    path: str | Path | None = None,
    *,
    input_size: Any = None,
    x: Any = None,
    **options: Any,
) -> str:
    """The unrolled SVG of ``obj``'s recurrent layers (also written to ``path``)."""
    if _is_torch_module(obj):
        from .pytorch.diagram import draw
        from .pytorch.memory import network_from_module

        net, rows = network_from_module(obj, input_size, example=x)
        return draw(net, rows, path, **options)
    return str(_model(obj, "diagram").diagram(path, **options))


def trace(obj: Any, x: Any, *args: Any, **options: Any) -> Any:
    """Per layer, per step: h, c and every gate (a :class:`~rnnlens.trace.Trace`).

    ``path="auto" | "reference"`` chooses how an rnnlens model is recorded (the fused
    kernel's own states, or the step loop).
    """
    if _is_torch_module(obj):
        from .pytorch.tracing import trace_module

        return trace_module(obj, x, *args, **options)
    from .trace import trace as trace_model

    return trace_model(_model(obj, "trace"), x, *args, **options)


def report(obj: Any, x: Any, path: str | Path, **options: Any) -> Path:
    """Write the offline HTML report for inputs ``x`` to ``path``; return the path."""
    if _is_torch_module(obj):
        from .pytorch.report import write_torch_report

        return write_torch_report(obj, x, path, **options)
    from .report import write_report

    return write_report(_model(obj, "report"), x, path, **options)
