"""``rl.explain``, ``rl.diagram``, ``rl.trace``, ``rl.report``: one entry point per question.

Each takes whatever the user holds and sends it to the code that knows it:

* an rnnlens model → its own method (``model.explain()``, ``rl.trace`` of :mod:`rnnlens.trace`);
* a ``torch.nn.Module`` → :mod:`rnnlens.pytorch` (PyTorch's vocabulary, shapes observed on
  the meta device, traces of every ``nn.LSTM/GRU/RNN`` inside it);
* an in-memory Keras 3 model → converted through its ``get_config()`` and ``get_weights()``
  (:mod:`rnnlens.io.keras_config`), then as an rnnlens model.

Importing this module imports neither torch nor Keras; it only recognises their objects when
their libraries are already loaded (an ``nn.Module`` cannot exist otherwise).

>>> import rnnlens as rl
>>> from rnnlens.layers import LSTM
>>> model = rl.Sequential([LSTM(4, input_shape=(3, 2))])
>>> rl.explain(model).layers[0].params
96
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .errors import ConfigError


def _is_torch_module(obj: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.nn.Module)


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


def keras_object_to_rnnlens(obj: Any) -> Any:
    """An in-memory Keras ``Sequential`` as an rnnlens model, with its weights.

    Raises:
        ModelFileError: a model kind or layer rnnlens cannot reproduce (all listed).
    """
    from .io.keras_config import keras_to_rnnlens
    from .io.native import _model_from_config

    source = f"in-memory Keras model '{getattr(obj, 'name', type(obj).__name__)}'"
    config: dict[str, Any] = {"class_name": type(obj).__name__, "config": obj.get_config()}
    build = getattr(obj, "get_build_config", lambda: None)()
    if build:
        config["build_config"] = build
    model = _model_from_config(keras_to_rnnlens(config, source), source)
    keras_layers = [layer for layer in obj.layers if type(layer).__name__ != "InputLayer"]
    for layer, keras_layer in zip(model.layers, keras_layers):
        arrays = keras_layer.get_weights()
        if arrays:
            layer.set_weights(arrays)
    return model


def _model(obj: Any, what: str) -> Any:
    """An rnnlens model from ``obj`` (itself, or a converted Keras model)."""
    if _is_rnnlens_model(obj):
        return obj
    if _is_keras_model(obj):
        return keras_object_to_rnnlens(obj)
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


def trace(obj: Any, x: Any, *args: Any) -> Any:
    """Per layer, per step: h, c and every gate (a :class:`~rnnlens.trace.Trace`)."""
    if _is_torch_module(obj):
        from .pytorch.tracing import trace_module

        return trace_module(obj, x, *args)
    from .trace import trace as trace_model

    return trace_model(_model(obj, "trace"), x)


def report(obj: Any, x: Any, path: str | Path, **options: Any) -> Path:
    """Write the offline HTML report for inputs ``x`` to ``path``; return the path."""
    if _is_torch_module(obj):
        from .pytorch.report import write_torch_report

        return write_torch_report(obj, x, path, **options)
    from .report import write_report

    return write_report(_model(obj, "report"), x, path, **options)
