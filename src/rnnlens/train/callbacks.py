"""Callbacks with Keras's names and hooks: subclass :class:`Callback` to write your own.

``fit`` calls, in order: ``on_train_begin``, then per epoch ``on_epoch_begin(epoch)``,
``on_train_batch_begin/end(batch, logs)`` (alias ``on_batch_begin/end``),
``on_epoch_end(epoch, logs)`` with ``logs`` holding ``loss``, metrics and ``val_*``;
finally ``on_train_end``. ``self.model`` is the :class:`~rnnlens.Sequential`; setting
``self.model.stop_training = True`` ends training after the current batch.

Batch hooks cost a device synchronisation per batch (they receive the batch's loss as a
float), so ``fit`` calls them only for callbacks that override them.

>>> seen = []
>>> cb = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
>>> cb.on_epoch_end(0, {"loss": 1.0}); seen
[0]
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError


class Callback:
    """Base class: every hook does nothing. Keras's hook names and arguments."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def state_dict(self) -> dict[str, Any]:
        """What this callback has learned during training, for checkpoints.

        JSON values, plus lists of numpy arrays (weights); ``fit(checkpoint_dir=...)`` saves
        it with every checkpoint and ``fit(resume=True)`` hands it back through
        :meth:`load_state_dict` after ``on_train_begin``, so a resumed run decides as the
        uninterrupted one would. The default is stateless.
        """
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Take back what :meth:`state_dict` returned (after ``on_train_begin``)."""

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None: ...
    def on_train_end(self, logs: dict[str, float] | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None: ...
    def on_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None: ...

    def on_train_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        self.on_batch_end(batch, logs)

    def uses_batch_hooks(self) -> bool:
        """Whether a subclass overrides a per-batch hook (so ``fit`` must call it)."""
        names = ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end")
        return any(getattr(type(self), n) is not getattr(Callback, n) for n in names)


def restore_callbacks(callbacks: list[Callback], saved: list[dict[str, Any]]) -> None:
    """Hand each callback the state a checkpoint saved for it.

    Matched by class, in order: the n-th EarlyStopping of the resumed ``fit`` gets the n-th
    EarlyStopping's state, whatever other callbacks come and go between the two runs (a
    resumed run is often given fewer, e.g. no crash injector). A callback with no saved
    counterpart starts afresh, as it would in a new run.
    """
    remaining = [dict(entry) for entry in saved]
    for callback in callbacks:
        name = type(callback).__name__
        for entry in remaining:
            if entry.get("class") == name:
                remaining.remove(entry)
                if entry["state"]:
                    callback.load_state_dict(entry["state"])
                break


class LambdaCallback(Callback):
    """A callback from plain functions, e.g. ``LambdaCallback(on_epoch_end=lambda e, logs: ...)``."""

    def __init__(
        self,
        on_epoch_begin: Callable[..., Any] | None = None,
        on_epoch_end: Callable[..., Any] | None = None,
        on_batch_begin: Callable[..., Any] | None = None,
        on_batch_end: Callable[..., Any] | None = None,
        on_train_begin: Callable[..., Any] | None = None,
        on_train_end: Callable[..., Any] | None = None,
    ) -> None:
        super().__init__()
        self._hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_batch_begin": on_batch_begin,
            "on_batch_end": on_batch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
        }

    def uses_batch_hooks(self) -> bool:
        return self._hooks["on_batch_begin"] is not None or self._hooks["on_batch_end"] is not None

    def _call(self, name: str, *args: Any) -> None:
        hook = self._hooks[name]
        if hook is not None:
            hook(*args)

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self._call("on_epoch_end", epoch, logs)

    def on_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        self._call("on_batch_begin", batch, logs)

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        self._call("on_batch_end", batch, logs)

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self._call("on_train_begin", logs)

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        self._call("on_train_end", logs)


class _Monitor(Callback):
    """Shared by callbacks that watch one logged value for improvement."""

    def __init__(self, monitor: str, mode: str, min_delta: float) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise ConfigError(f"mode must be 'auto', 'min' or 'max', received {mode!r}")
        if mode == "auto":
            mode = "max" if any(k in monitor for k in ("acc", "auc")) else "min"
        self.monitor, self.mode, self.min_delta = monitor, mode, abs(min_delta)
        self.best = math.inf if mode == "min" else -math.inf

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = float(state["best"])

    def improves(self, current: float, reference: float) -> bool:
        if self.mode == "min":
            return current + self.min_delta < reference
        return current - self.min_delta > reference

    def value(self, logs: dict[str, float] | None) -> float | None:
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(
                f"{type(self).__name__} watches '{self.monitor}', which is not in the logs "
                f"(available: {sorted(logs or {})}); give validation data or pick another monitor",
                RuntimeWarning,
                stacklevel=3,
            )
        return current


class EarlyStopping(_Monitor):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    With ``restore_best_weights=True`` the weights of the best epoch are put back when
    training ends, as Keras does.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta)
        self.patience, self.verbose, self.baseline = patience, verbose, baseline
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best_weights: list[np.ndarray] | None = None

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_weights = None

    def state_dict(self) -> dict[str, Any]:
        state = {**super().state_dict(), "wait": self.wait, "best_epoch": self.best_epoch}
        if self.best_weights is not None:
            state["best_weights"] = self.best_weights
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.wait, self.best_epoch = int(state["wait"]), int(state["best_epoch"])
        weights = state.get("best_weights")
        self.best_weights = None if weights is None else [np.asarray(w) for w in weights]

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        current = self.value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self.improves(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self.improves(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(
                    f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)


class ReduceLROnPlateau(_Monitor):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs without improvement."""

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        if not 0 < factor < 1:
            raise ConfigError(f"ReduceLROnPlateau factor must be in (0, 1), received {factor!r}")
        super().__init__(monitor, mode, min_delta)
        self.factor, self.patience, self.verbose = factor, patience, verbose
        self.cooldown, self.min_lr = cooldown, min_lr
        self.wait, self.cooldown_counter = 0, 0

    def state_dict(self) -> dict[str, Any]:
        # The learning rate itself lives in the optimizer, which the checkpoint restores.
        return {
            **super().state_dict(),
            "wait": self.wait,
            "cooldown_counter": self.cooldown_counter,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.wait, self.cooldown_counter = int(state["wait"]), int(state["cooldown_counter"])

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        state = self.model.training_state
        if logs is not None:
            logs["learning_rate"] = state.learning_rate
        current = self.value(logs)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.improves(current, self.best):
            self.best, self.wait = current, 0
        elif self.cooldown_counter == 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = state.learning_rate
                if old > self.min_lr:
                    state.learning_rate = max(old * self.factor, self.min_lr)
                    if self.verbose > 0:
                        print(
                            f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {state.learning_rate:g}."
                        )
                    self.cooldown_counter, self.wait = self.cooldown, 0


class TerminateOnNaN(Callback):
    """Stop training quietly (no error) at the first batch whose loss is NaN or infinite."""

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            self.model.stop_training = True


class ModelCheckpoint(_Monitor):
    """Save the model (or its weights) after each epoch, or only when ``monitor`` improves.

    ``filepath`` may hold ``{epoch}`` and log names, e.g. ``"m-{epoch:02d}-{val_loss:.3f}.rnnlens"``
    (``epoch`` counts from 1, as Keras). Full models go through ``rnnlens.io.native.save_model``
    when available; ``save_weights_only=True`` writes a safetensors file of the weights. Every
    write is atomic.
    """

    def __init__(
        self,
        filepath: str | Path,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
    ) -> None:
        super().__init__(monitor, mode, 0.0)
        self.filepath, self.verbose = str(filepath), verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.saved: list[Path] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        logs = logs or {}
        if self.save_best_only:
            current = self.value(logs)
            if current is None or not self.improves(current, self.best):
                return
            self.best = current
        path = Path(self.filepath.format(epoch=epoch + 1, **logs))
        save_model_file(self.model, path, weights_only=self.save_weights_only)
        self.saved.append(path)
        if self.verbose > 0:
            print(f"Epoch {epoch + 1}: saved model to {path}")


def save_model_file(model: Any, path: Path, *, weights_only: bool) -> None:
    """The full model via the native format when present, else its weights as safetensors."""
    if not weights_only:
        try:
            from ..io.native import save_model
        except ImportError:
            pass
        else:
            save_model(model, path)
            return
    from .checkpoint import write_weights

    write_weights(model.module, path)


class CSVLogger(Callback):
    """Write one CSV row per epoch (``epoch`` then the logs), rewriting the file atomically."""

    def __init__(self, filename: str | Path, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.path, self.separator, self.append = Path(filename), separator, append
        self.rows: list[dict[str, Any]] = []
        self.keys: list[str] = []
        self.prefix = ""

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.rows, self.keys = [], []
        self.prefix = (
            self.path.read_text(encoding="utf-8") if self.append and self.path.exists() else ""
        )

    def state_dict(self) -> dict[str, Any]:
        # Without the rows, a resumed run would rewrite the file with its own epochs only.
        return {"prefix": self.prefix, "keys": self.keys, "rows": self.rows}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.prefix, self.keys = str(state["prefix"]), [str(k) for k in state["keys"]]
        self.rows = [dict(row) for row in state["rows"]]

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        logs = logs or {}
        if not self.keys:
            self.keys = sorted(logs)
        self.rows.append({"epoch": epoch, **{k: logs.get(k, "NA") for k in self.keys}})
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer, ["epoch", *self.keys], delimiter=self.separator, lineterminator="\n"
        )
        if not self.prefix:
            writer.writeheader()
        writer.writerows(self.rows)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(self.prefix + buffer.getvalue())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def __getattr__(name: str) -> Any:
    # TensorBoard lives in its own module (it needs the optional tensorboard package) but is
    # reached as rl.callbacks.TensorBoard, as in Keras.
    if name == "TensorBoard":
        from .tensorboard import TensorBoard

        return TensorBoard
    raise AttributeError(f"module 'rnnlens.callbacks' has no attribute {name!r}")
