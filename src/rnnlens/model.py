"""The facade: ``Model`` and ``Sequential`` as people use them, on the top floor.

Each method calls down into the floor that does the work — the spec (shapes, config), the
engine (``predict``), ``train`` (inherited from :class:`~rnnlens.train.trainer.Trainer`, as
Keras's ``Model`` inherits ``Trainer``), ``explain``, ``io``, ``report``. Nothing below
imports this module: the engine and ``io`` reach the facade classes only through
:mod:`rnnlens.hooks`, installed by ``rnnlens/__init__.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .graph import Functional, IgnoredInputShapeWarning, SequentialSpec
from .layers import Input, InputLayer, Layer
from .naming import snake_case
from .shapes import ShapeOrList
from .train.trainer import Trainer

if TYPE_CHECKING:
    from pathlib import Path

    import torch

    from .explain.flow import Flow
    from .explain.svg import Svg


class Model(Trainer, Functional):
    """A model people build, summarise, explain, train, run and save (Keras's ``Model``).

    ``Model(inputs, outputs)`` is a functional model; a subclass that makes its layers in
    ``__init__`` and wires them in ``call()`` is built on first use by calling ``call`` on
    symbolic inputs (``build(input_shape)``, ``predict``, ``summary``).

    >>> import rnnlens as rl
    >>> from rnnlens.layers import LSTM, Dense
    >>> class Net(rl.Model):
    ...     def __init__(self):
    ...         super().__init__(name="net")
    ...         self.lstm, self.head = LSTM(8, name="lstm"), Dense(1, name="head")
    ...     def call(self, x):
    ...         return self.head(self.lstm(x))
    >>> net = Net()
    >>> net.build((None, 5, 3))
    >>> [layer.name for layer in net.layers], net.count_params(), net.output_shape
    (['lstm', 'head'], 393, (None, 1))
    """

    def _default_name(self) -> str:
        # Keras names a subclassed model after its class ("net" for class Net).
        return "functional" if type(self).call is Model.call else snake_case(type(self).__name__)

    def call(self, inputs: Any) -> Any:
        """The forward pass of a subclassed model, written on symbolic tensors."""
        raise ConfigError(
            f"model '{self.name}' has no graph: build it with Model(inputs=..., outputs=...), "
            "or subclass Model and define call(self, inputs)"
        )

    def build(self, input_shape: ShapeOrList) -> None:
        """Build a subclassed model for ``input_shape`` (batch first; a list for several)."""
        if self.built:
            return
        several = isinstance(input_shape, list)
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        inputs = [Input(batch_shape=tuple(shape)) for shape in shapes]
        outputs = self.call(inputs if several else inputs[0])
        self.built_by_call = True
        self._connect(inputs if several else inputs[0], outputs)
        self._model_built()  # a compile() that waited for the input shape runs now

    def _listed_layers(self, layers: list[Layer]) -> list[Layer]:
        if type(self).call is Model.call:
            return layers
        # A subclassed model lists its layers as Keras does: in the order __init__ made
        # them, Inputs excluded.
        used = {id(layer) for layer in layers}
        listed = [
            item
            for value in vars(self).values()
            for item in (value if isinstance(value, (list, tuple)) else [value])
            if isinstance(item, Layer) and id(item) in used
        ]
        seen = {id(layer) for layer in listed}
        # Layers made inside call() are no attributes: Keras does not list them; rnnlens
        # lists those with weights after the others, so get_weights() still holds them.
        return listed + [
            layer
            for layer in layers
            if id(layer) not in seen and not isinstance(layer, InputLayer) and layer.weight_specs()
        ]

    def _build_for(self, x: Any) -> None:
        """Build a subclassed model from the data it is first run on."""
        if self.built:
            return
        arrays = x if isinstance(x, (list, tuple)) else [x]
        shapes = [(None, *getattr(a, "shape", ())[1:]) for a in arrays]
        self.build(shapes if isinstance(x, (list, tuple)) else shapes[0])

    def summary(self, print_fn: Any = None, line_length: int | None = None) -> None:
        """Print Keras's table: Layer (type) | Output Shape | Param #, and the totals."""
        from .summary import render_summary

        text = render_summary(self, line_length=line_length)
        (print_fn or print)(text)

    def _repr_html_(self) -> str:
        """A notebook shows a model as its summary table."""
        from html import escape

        from .errors import RnnlensError
        from .summary import render_summary_html

        try:
            return render_summary_html(self)
        except RnnlensError as error:  # e.g. no layers yet: say so instead of failing the cell
            return f"<pre>{escape(repr(self))}: {escape(str(error))}</pre>"

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

        self._build_for(x)
        return predict(self, x, batch_size=batch_size)

    def __call__(self, x: Any) -> Any:
        """Run on a tensor (arrays are converted); an unbuilt model is built from ``x``."""
        import torch

        self._build_for(x)
        module = self.module
        if not isinstance(x, torch.Tensor):
            from .engine.predict import as_input_array, to_tensor

            device, dtype = module.placement()
            x = to_tensor(as_input_array(self, x), dtype, device)
        return module(x)

    # ------------------------------------------------------- weights as Keras lists them
    @property
    def weights(self) -> list[torch.nn.Parameter]:
        """Every weight, layer by layer, in ``get_weights()`` order."""
        return [w for layer in self.layers for w in layer.weights]

    @property
    def trainable_weights(self) -> list[torch.nn.Parameter]:
        """The weights ``fit`` updates (those of frozen layers excluded)."""
        return [w for layer in self.layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self) -> list[torch.nn.Parameter]:
        """The weights of layers with ``trainable=False`` (and of layers inside them)."""
        return [w for layer in self.layers for w in layer.non_trainable_weights]

    @property
    def losses(self) -> list[torch.Tensor]:
        """Regularization terms: the last training step's activity terms, then weight terms."""
        from .train.regularizers import model_losses

        return model_losses(self)

    def explain(self, **options: Any) -> Flow:
        """The data flow, layer by layer and step by step; ``print()`` it or render it."""
        from .explain.flow import build_flow

        return build_flow(self, **options)

    def diagram(self, path: str | Path | None = None, **options: Any) -> Svg:
        """The unrolled time × layer diagram as SVG text, also written to ``path`` if given."""
        from .explain.svg import write_diagram

        return write_diagram(self, path, **options)

    def save(self, path: str | Path) -> None:
        """Write the model atomically: ``.rnnlens`` (native) or ``.keras`` (Keras 3 archive)."""
        from .io.save import save

        save(self, path)

    def report(self, x: Any, path: str | Path, **options: Any) -> Path:
        """Write the offline HTML report for inputs ``x``; returns its path."""
        from .report import write_report

        return write_report(self, x, path, **options)


class Sequential(SequentialSpec, Model):
    """A linear stack of layers, built with Keras's API and semantics, that also runs,
    trains, explains and saves (the spec's :class:`SequentialSpec` plus :class:`Model`).

    >>> import numpy as np
    >>> from rnnlens.layers import LSTM
    >>> model = Sequential([LSTM(64, return_sequences=True, input_shape=(10, 2)), LSTM(32)])
    >>> model.predict(np.zeros((3, 10, 2), dtype="float32")).shape
    (3, 32)
    """


__all__ = ["IgnoredInputShapeWarning", "Model", "Sequential"]
