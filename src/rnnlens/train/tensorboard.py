"""``TensorBoard``: Keras's callback, writing through ``torch.utils.tensorboard``.

Scalars go where Keras puts them, so a Keras user's TensorBoard views work unchanged:
``log_dir/train`` gets ``epoch_loss``, ``epoch_<metric>`` and ``epoch_learning_rate``;
``log_dir/validation`` gets the ``val_*`` logs under the same tags without the prefix. With
``histogram_freq=n`` every weight is written as a histogram every n epochs, named
``<layer>/<weight>``. With ``update_freq="batch"`` (or every n batches) the running loss is
also written per batch as ``batch_loss``. Needs the ``tensorboard`` package (the
``rnnlens[tensorboard]`` extra), checked when the callback is made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..extras import require
from .callbacks import Callback


class TensorBoard(Callback):
    """Log scalars (and optionally weight histograms) for TensorBoard.

    Args:
        log_dir: the folder TensorBoard reads (``tensorboard --logdir log_dir``).
        histogram_freq: write weight histograms every this many epochs (0: never).
        update_freq: ``"epoch"``, ``"batch"``, or an integer number of batches.

    Raises:
        MissingExtraError: the ``tensorboard`` package is not installed.
        ConfigError: a negative ``histogram_freq`` or an unknown ``update_freq``.
    """

    def __init__(
        self,
        log_dir: str | Path = "logs",
        histogram_freq: int = 0,
        update_freq: str | int = "epoch",
    ) -> None:
        super().__init__()
        require("tensorboard", extra="tensorboard", feature="the TensorBoard callback")
        if isinstance(histogram_freq, bool) or not isinstance(histogram_freq, int):
            raise ConfigError(
                f"TensorBoard histogram_freq must be an integer, received {histogram_freq!r}"
            )
        if histogram_freq < 0:
            raise ConfigError(f"TensorBoard histogram_freq must be >= 0, received {histogram_freq}")
        if update_freq == "epoch":
            self.batch_every = 0
        elif update_freq == "batch":
            self.batch_every = 1
        elif isinstance(update_freq, int) and not isinstance(update_freq, bool) and update_freq > 0:
            self.batch_every = update_freq
        else:
            raise ConfigError(
                f"TensorBoard update_freq must be 'epoch', 'batch' or a positive integer, "
                f"received {update_freq!r}"
            )
        self.log_dir = Path(log_dir)
        self.histogram_freq = histogram_freq
        self.writers: dict[str, Any] = {}
        self.batches_seen = 0

    def _writer(self, run: str) -> Any:
        if run not in self.writers:
            from torch.utils.tensorboard import SummaryWriter

            self.writers[run] = SummaryWriter(str(self.log_dir / run))
        return self.writers[run]

    def uses_batch_hooks(self) -> bool:
        return self.batch_every > 0

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.batches_seen = 0

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        self.batches_seen += 1
        if self.batch_every and logs and self.batches_seen % self.batch_every == 0:
            for name, value in logs.items():
                self._writer("train").add_scalar(f"batch_{name}", float(value), self.batches_seen)

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        logs = dict(logs or {})
        rate = _learning_rate(self.model)
        if rate is not None and "learning_rate" not in logs:
            logs["learning_rate"] = rate
        for name, value in logs.items():
            run, tag = ("validation", name[4:]) if name.startswith("val_") else ("train", name)
            self._writer(run).add_scalar(f"epoch_{tag}", float(value), epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._histograms(epoch)
        for writer in self.writers.values():
            writer.flush()

    def _histograms(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer in getattr(self.model, "layers", []):
            if not layer.materialized:
                continue
            names = [spec.name for spec in layer.weight_specs()]
            for name, value in zip(names, layer.get_weights()):
                writer.add_histogram(f"{layer.name}/{name}", value, epoch)

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        for writer in self.writers.values():
            writer.close()
        self.writers = {}


def _learning_rate(model: Any) -> float | None:
    """The optimizer's current learning rate, where the compiled model exposes one."""
    state = getattr(model, "training_state", None)
    rate = getattr(state, "learning_rate", None)
    return float(rate) if isinstance(rate, (int, float)) else None
