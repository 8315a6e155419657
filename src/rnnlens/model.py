"""The facade: ``Model`` and ``Sequential`` as people use them, on the top floor.

Each method calls down into the floor that does the work — the spec (shapes, config), the
engine (``predict``), ``train`` (inherited from :class:`~rnnlens.train.trainer.Trainer`, as
Keras's ``Model`` inherits ``Trainer``), ``explain``, ``io``, ``report``. Nothing below
imports this module: the engine and ``io`` reach the facade classes only through
:mod:`rnnlens.hooks`, installed by ``rnnlens/__init__.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .graph import IgnoredInputShapeWarning, SequentialSpec
from .train.trainer import Trainer

if TYPE_CHECKING:
    from pathlib import Path

    import torch

    from .explain.flow import Flow
    from .layers import Layer


class Model(Trainer):
    """A model people build, summarise, explain, train, run and save (Keras's ``Model``)."""

    def summary(self, print_fn: Any = None, line_length: int | None = None) -> None:
        """Print Keras's table: Layer (type) | Output Shape | Param #, and the totals."""
        from .summary import render_summary

        text = render_summary(self, line_length=line_length)
        (print_fn or print)(text)

    def to(self, device: str | torch.device) -> Model:
        """Move the weights to ``device`` (``"cpu"``, ``"cuda"``, ...), as ``nn.Module.to``."""
        self.module.to(device)
        return self

    def reset_states(self) -> None:
        """Forget the carried states of stateful recurrent layers."""
        from .engine.sequential import reset_states

        reset_states(self)

    def predict(self, x: Any, batch_size: int | None = 32, verbose: int = 0) -> Any:
        """Numpy in, numpy out (a list for several outputs). Runs in inference mode."""
        from .engine.predict import predict

        return predict(self, x, batch_size=batch_size)

    def __call__(self, x: Any) -> Any:
        return self.module(x)

    def explain(self, **options: Any) -> Flow:
        """The data flow, layer by layer and step by step; ``print()`` it or render it."""
        from .explain.flow import build_flow

        return build_flow(self, **options)

    def diagram(self, path: str | Path | None = None, **options: Any) -> str:
        """The unrolled time × layer diagram as SVG text, also written to ``path`` if given."""
        from .explain.svg import write_diagram

        return write_diagram(self, path, **options)

    def save(self, path: str | Path) -> None:
        """Write config JSON + safetensors weights (never pickle), atomically."""
        from .io.native import save_model

        save_model(self, path)

    def report(self, x: Any, path: str | Path, **options: Any) -> Path:
        """Write the offline HTML report for inputs ``x``; returns its path."""
        from .report import write_report

        return write_report(self, x, path, **options)


class Sequential(SequentialSpec, Model):
    """A linear stack of layers, built with Keras's API and semantics.

    >>> from rnnlens.layers import LSTM
    >>> model = Sequential(name="story")
    >>> model.add(LSTM(64, return_sequences=True, input_shape=(10, 2)))
    >>> model.add(LSTM(32))
    >>> [layer.output_shape for layer in model.layers], model.count_params()
    ([(None, 10, 64), (None, 32)], 29568)
    """

    def __init__(self, layers: Iterable[Layer] | None = None, name: str | None = None) -> None:
        super().__init__(layers, name=name)


__all__ = ["IgnoredInputShapeWarning", "Model", "Sequential"]
