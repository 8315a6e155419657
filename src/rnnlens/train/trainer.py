"""``Trainer``: the training half of a model, as Keras's ``Model`` inherits ``Trainer``.

It declares the training state a model carries (set by :meth:`compile`, read by ``fit``,
``evaluate`` and the callbacks) and the four training methods. The facade's
:class:`~rnnlens.Model` inherits it; nothing here knows the facade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
        super().__init__(*args, **kwargs)

    def compile(
        self, optimizer: Any = "adam", loss: Any = "mse", metrics: Any = None, **options: Any
    ) -> None:
        """Choose optimizer, loss and metrics, as Keras's ``compile``."""
        from .compile import compile_model

        compile_model(self, optimizer=optimizer, loss=loss, metrics=metrics, **options)

    def fit(self, x: Any = None, y: Any = None, **options: Any) -> History:
        """Train, as Keras's ``fit``; returns a :class:`History`."""
        from .loop import fit

        return fit(self, x, y, **options)

    def evaluate(self, x: Any = None, y: Any = None, **options: Any) -> Any:
        """Loss (and metrics) on data, as Keras's ``evaluate``."""
        from .loop import evaluate

        return evaluate(self, x, y, **options)

    def train_on_batch(self, x: Any, y: Any) -> Any:
        """One optimisation step on one batch; returns the loss."""
        from .loop import train_on_batch

        return train_on_batch(self, x, y)
