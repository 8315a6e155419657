"""``Trainer``: the training half of a model, as Keras's ``Model`` inherits ``Trainer``.

It declares the training state a model carries (set by :meth:`compile`, read by ``fit``,
``evaluate`` and the callbacks) and the four training methods. The facade's
:class:`~rnnlens.Model` inherits it; nothing here knows the facade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..graph import ModelSpec

if TYPE_CHECKING:
    from .compile import TrainingState
    from .history import History


class Trainer(ModelSpec):
    """A model that can be compiled and trained (Keras's ``compile``/``fit``/``evaluate``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        #: Optimizer, loss, metrics: None until :meth:`compile`.
        self.training_state: TrainingState | None = None
        #: Keras's flag: a callback sets it to end ``fit`` after the current batch.
        self.stop_training: bool = False
        #: ``compile`` arguments of a model that has not seen its input yet: applied when its
        #: first data builds it (Keras compiles unbuilt models the same way).
        self.deferred_compile: dict[str, Any] | None = None
        super().__init__(*args, **kwargs)

    def compile(
        self, optimizer: Any = "adam", loss: Any = "mse", metrics: Any = None, **options: Any
    ) -> None:
        """Choose optimizer, loss and metrics, as Keras's ``compile``."""
        from .compile import compile_model

        if not self.built:
            self.deferred_compile = {
                "optimizer": optimizer,
                "loss": loss,
                "metrics": metrics,
                **options,
            }
            return
        compile_model(self, optimizer=optimizer, loss=loss, metrics=metrics, **options)

    def _model_built(self) -> None:  # the spec's hook, called once its first data built it
        """Apply a ``compile`` that waited for the model's first data."""
        if self.deferred_compile is not None:
            options, self.deferred_compile = self.deferred_compile, None
            self.compile(**options)

    def fit(self, x: Any = None, y: Any = None, **options: Any) -> History:
        """Train, as Keras's ``fit``; returns a :class:`History`."""
        from .loop import fit

        self._build_for(x)
        self._check_trainable("fit")
        return fit(self, x, y, **options)

    def evaluate(self, x: Any = None, y: Any = None, **options: Any) -> Any:
        """Loss (and metrics) on data, as Keras's ``evaluate``."""
        from .loop import evaluate

        self._build_for(x)
        self._check_trainable("evaluate")
        return evaluate(self, x, y, **options)

    def train_on_batch(self, x: Any, y: Any) -> Any:
        """One optimisation step on one batch; returns the loss."""
        from .loop import train_on_batch

        self._build_for(x)
        self._check_trainable("train_on_batch")
        return train_on_batch(self, x, y)

    def _check_trainable(self, doing: str) -> None:
        """The training loop feeds one input array and one target array."""
        if not getattr(self, "built", True):
            raise ConfigError(
                f"model '{self.name}' is not built yet: call model.build(input_shape) or "
                f"model.predict(x) once before {doing}"
            )
        shape_in, shape_out = self.input_shape, self.output_shape
        if isinstance(shape_in, list) or isinstance(shape_out, list):
            raise ConfigError(
                f"model '{self.name}' has {len(shape_in) if isinstance(shape_in, list) else 1} "
                f"input(s) and {len(shape_out) if isinstance(shape_out, list) else 1} output(s): "
                f"rnnlens's {doing} trains models with one input and one output so far "
                "(predict takes several); concatenate the targets into one output, or train the "
                "model's torch module (model.module) with your own loop"
            )
