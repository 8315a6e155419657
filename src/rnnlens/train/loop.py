"""``fit``, ``evaluate`` and ``train_on_batch``: a hand-written torch loop and nothing more.

Per training step the loop does exactly what a careful PyTorch loop does — slice (or
``index_select``) a preloaded device tensor, ``zero_grad``, forward, loss, ``backward``,
optional clipping, ``optimizer.step()`` — plus reading the loss scalar (free on CPU, deferred
on accelerators, see :mod:`rnnlens.train.tracking`). Metrics, batch callbacks and checkpoints
add work only when asked for.

The epoch's sample order is ``ctx.shard(n, epoch, shuffle, seed)``: a function of the seed
and the epoch alone, so a run resumed mid-epoch replays exactly the remaining batches.
"""

from __future__ import annotations

import contextlib
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ..engine.predict import fixed_batch_size
from ..engine.weights import sync_trainable
from ..errors import ConfigError, InputDataError
from . import distributed as dist
from .callbacks import Callback, TerminateOnNaN, restore_callbacks
from .checkpoint import (
    Position,
    load_latest,
    remove_stale_temporaries,
    restore,
    save_checkpoint,
)
from .compile import TrainingState, check_precision, check_precision_device, training_state
from .constraints import apply_constraints
from .data import (
    Dataset,
    batch_to_device,
    check_targets,
    module_placement,
    report_non_finite,
    split_validation,
    to_dataset,
)
from .history import History
from .metrics import MetricFunction, resolve_metric
from .progress import Progress
from .regularizers import ActivityPenalties, total_penalty
from .seed import shuffle_seed
from .tracking import RunningMeans, non_finite_error

if TYPE_CHECKING:
    from .trainer import Trainer

Metrics = list[tuple[str, MetricFunction]]


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{name} must be a positive integer, received {value!r}")
    return value


def fit(
    model: Trainer,
    x: Any = None,
    y: Any = None,
    *,
    batch_size: int | None = None,
    epochs: int = 1,
    verbose: int | str = "auto",
    callbacks: list[Callback] | None = None,
    validation_split: float = 0.0,
    validation_data: Any = None,
    shuffle: bool = True,
    initial_epoch: int = 0,
    validation_batch_size: int | None = None,
    checkpoint_dir: str | Path | None = None,
    checkpoint_every: int | None = None,
    resume: bool = False,
    distributed: bool | None = None,
    mixed_precision: str | None = None,
) -> History:
    """Train ``model`` on ``x``/``y``, as Keras's ``fit``; returns a :class:`History`.

    >>> import numpy as np, rnnlens as rl
    >>> from rnnlens.layers import LSTM, Dense
    >>> rl.set_seed(0)
    >>> model = rl.Sequential([LSTM(8, input_shape=(5, 2)), Dense(1)])
    >>> model.compile(optimizer="adam", loss="mse")
    >>> x = np.random.rand(64, 5, 2).astype("float32"); y = x.sum(axis=(1, 2))[:, None]
    >>> history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0)
    >>> sorted(history.history), history.epoch
    (['loss', 'val_loss'], [0, 1, 2])

    Args:
        x, y: inputs (samples, time, features) and targets, as numpy arrays or torch tensors;
            or ``x`` a ``torch.utils.data.DataLoader`` of ``(x, y)`` batches and ``y`` None.
        batch_size: samples per step (default 32; ignored for a DataLoader).
        epochs: train until this epoch index (counting from ``initial_epoch``).
        verbose: 0 silent, 1 (``"auto"``) a progress bar, 2 one line per epoch.
        callbacks: :class:`~rnnlens.train.callbacks.Callback` objects.
        validation_split: hold out this last fraction of ``x``/``y`` (before shuffling).
        validation_data: ``(x_val, y_val)`` or a DataLoader, evaluated after each epoch.
        shuffle: reshuffle the training samples each epoch (a function of seed and epoch).
        initial_epoch: the epoch to start at (for continuing a previous ``fit``).
        validation_batch_size: batch size for validation (default ``batch_size``).
        checkpoint_dir: write a crash-safe checkpoint here after every epoch; see
            :mod:`rnnlens.train.checkpoint`.
        checkpoint_every: also write one every this many batches.
        resume: continue from the newest checkpoint in ``checkpoint_dir`` (weights, optimizer,
            random generators, epoch and batch, each callback's ``state_dict()``), or start
            afresh when there is none.
        distributed: force (True) or forbid (False) DistributedDataParallel; None
            detects a ``torchrun`` launch.
        mixed_precision: ``"bf16"`` autocast for this fit (overrides ``compile``).

    Returns:
        A :class:`~rnnlens.train.history.History`.

    Raises:
        ConfigError: not compiled, or an invalid option.
        InputDataError: unusable data (checked before any training).
        NonFiniteLossError: the loss became NaN/inf; the message names epoch and batch.
    """
    state = training_state(model, "fit")
    batch_size = fixed_batch_size(model, batch_size, default=None)
    batch_size = 32 if batch_size is None else _positive_int("batch_size", batch_size)
    epochs = _positive_int("epochs", epochs)
    if verbose == "auto":
        verbose = 1
    if verbose not in (0, 1, 2):
        raise ConfigError(f"verbose must be 0, 1, 2 or 'auto', received {verbose!r}")
    if checkpoint_every is not None:
        _positive_int("checkpoint_every", checkpoint_every)
    if (resume or checkpoint_every) and checkpoint_dir is None:
        raise ConfigError("resume and checkpoint_every need checkpoint_dir=<folder>")
    if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, int) or initial_epoch < 0:
        raise ConfigError(
            f"initial_epoch must be a non-negative integer, received {initial_epoch!r}"
        )
    check_precision(mixed_precision)
    callbacks = list(callbacks or [])
    for callback in callbacks:
        if not isinstance(callback, Callback):
            raise ConfigError(
                f"callbacks must be rnnlens.callbacks.Callback objects, received {type(callback).__name__}"
            )

    # ---- every check on the data happens here, before a single step
    if validation_split and validation_data is not None:
        raise ConfigError("give validation_split or validation_data, not both")
    if validation_split:
        x, y, x_val, y_val = split_validation(x, y, validation_split)
        validation_data = (x_val, y_val)
    train = to_dataset(model, x, y, state.loss)
    validation = _validation_dataset(model, state, validation_data)
    metrics = _metrics_for(model, state, train)

    ctx = dist.setup(distributed)
    net = ctx.wrap(model.module)
    module = ctx.unwrap(net)
    device, dtype = module_placement(model)  # wrap may have moved the module to its device
    train.to(device)
    if validation is not None:
        validation.to(device)
    local_batch_size = ctx.local_batch_size(batch_size)
    precision = mixed_precision or state.mixed_precision
    check_precision_device(precision, device)
    progress = Progress(verbose if ctx.is_main else 0, epochs)
    history = History()
    history.model = model

    # ---- where to start: a checkpoint, or the beginning
    start_epoch, start_batch, sums = initial_epoch, 0, None
    seed: int | None = None
    found_callbacks: list[dict[str, Any]] = []
    if checkpoint_dir is not None and ctx.is_main:
        remove_stale_temporaries(checkpoint_dir)
    if resume and checkpoint_dir is not None:
        found = load_latest(checkpoint_dir)
        if found is not None:
            restore(found, module, state.optimizer)
            position = found.position
            start_epoch, start_batch, seed = position.epoch, position.batch, position.shuffle_seed
            sums = position.sums if position.batch else None
            history.history = position.history
            history.epoch = position.history_epochs
            found_callbacks = position.callbacks
    if seed is None:
        seed = shuffle_seed()

    batch_hooks = [c for c in callbacks if c.uses_batch_hooks()]
    tolerate_nan = any(isinstance(c, TerminateOnNaN) for c in callbacks)
    n_train = len(train) if train.loader is None else None
    params = {"epochs": epochs, "verbose": verbose, "steps": train.n_batches(local_batch_size)}
    history.params = params
    for callback in callbacks:
        callback.set_model(model)
        callback.set_params(params)
    model.stop_training = False  # Keras's attribute, set by callbacks
    for callback in callbacks:
        callback.on_train_begin({})
    restore_callbacks(callbacks, found_callbacks)

    sync_trainable(model.layers)
    parameters = [p for p in module.parameters() if p.requires_grad]
    optimizer, loss_fn = state.optimizer, state.loss
    activity = ActivityPenalties(model.layers) if state.activity else None
    penalized = state.penalized or activity is not None
    clipping = state.clipnorm is not None or state.global_clipnorm is not None
    reorder = shuffle or ctx.world_size > 1

    def write_checkpoint(epoch: int, batch: int, running: RunningMeans | None) -> None:
        if checkpoint_dir is None:
            return
        position = Position(
            epoch=epoch,
            batch=batch,
            shuffle_seed=seed,
            sums=running.sums() if running is not None else {},
            history=history.history,
            history_epochs=history.epoch,
            callbacks=[{"class": type(c).__name__, "state": c.state_dict()} for c in callbacks],
        )
        if ctx.is_main:
            save_checkpoint(checkpoint_dir, module, optimizer, position)
        ctx.barrier()

    # a peer's failure becomes one DistributedError and the group is abandoned, not hung
    with ctx.guard():
        for epoch in range(start_epoch, epochs):
            for callback in callbacks:
                callback.on_epoch_begin(epoch, {})
            order: torch.Tensor | None = None
            if n_train is not None and reorder:
                order = torch.as_tensor(ctx.shard(n_train, epoch, shuffle, seed), device=device)
            n_batches = (
                train.n_batches(local_batch_size)
                if order is None
                else -(-len(order) // local_batch_size)
            )
            running = RunningMeans(device, epoch, sums)
            progress.begin_epoch(epoch, n_batches, start_batch)
            net.train()
            batch = start_batch
            for batch, (xb, yb) in enumerate(
                train.batches(local_batch_size, order, start_batch), start_batch
            ):
                if train.loader is not None:
                    xb, yb = _loader_batch(
                        model, state, xb, yb, device, dtype, check=batch == start_batch
                    )
                for callback in batch_hooks:
                    callback.on_train_batch_begin(batch, {})
                optimizer.zero_grad(set_to_none=True)
                with state.autocast(device, precision), activity or contextlib.nullcontext():
                    out = net(xb)
                if precision is not None:
                    out = out.float()
                loss = loss_fn(yb, out)
                if penalized:
                    loss = _with_penalties(model, loss, activity)
                    if activity is not None:
                        state.activity_terms = [t.detach() for t in activity.terms]
                n = xb.shape[0]
                value = running.add_loss(batch, loss, n, raise_on_nan=not tolerate_nan)
                finite = value is None or math.isfinite(value)
                if finite:
                    loss.backward()
                    if clipping:
                        from .optimizers import clip_gradients

                        clip_gradients(parameters, state.clipnorm, state.global_clipnorm)
                    optimizer.step()
                    if state.constrained:
                        apply_constraints(model.layers)
                if metrics:
                    with torch.no_grad():
                        for name, metric in metrics:
                            running.add_metric(name, metric(yb, out.detach()), n)
                if batch_hooks:
                    logs = {"loss": loss.item() if value is None else value}
                    for callback in batch_hooks:
                        callback.on_train_batch_end(batch, logs)
                if getattr(model, "stop_training", False):
                    break
                if (
                    checkpoint_every
                    and (batch + 1) % checkpoint_every == 0
                    and batch + 1 < n_batches
                ):
                    write_checkpoint(epoch, batch + 1, running)
                if progress.wants_update():
                    progress.update(batch + 1, running.means())
            logs = ctx.mean(running.means())
            if validation is not None:
                scores = evaluate_dataset(
                    model,
                    state,
                    validation,
                    validation_batch_size or batch_size,
                    metrics,
                    precision,
                )
                logs.update({f"val_{name}": value for name, value in scores.items()})
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs)
            history.append(epoch, logs)
            progress.end_epoch(epoch, logs)
            start_batch, sums = 0, None
            stopping = bool(getattr(model, "stop_training", False))
            write_checkpoint(epoch + 1, 0, None)
            if stopping:
                break
        for callback in callbacks:
            callback.on_train_end({})
    # As Keras: after fit the model is in inference mode (dropout off for model.module(x)).
    module.train(False)
    ctx.shutdown()
    return history


def _validation_dataset(model: Trainer, state: TrainingState, data: Any) -> Dataset | None:
    if data is None:
        return None
    if isinstance(data, torch.utils.data.DataLoader):
        return to_dataset(model, data, None, state.loss, what="validation_data")
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise InputDataError(
            "validation_data must be a pair (x_val, y_val) or a DataLoader, received "
            f"{type(data).__name__}{f' of length {len(data)}' if isinstance(data, (tuple, list)) else ''}"
        )
    return to_dataset(model, data[0], data[1], state.loss, what="validation_data")


def _metrics_for(model: Trainer, state: TrainingState, data: Dataset) -> Metrics:
    if not state.metrics:
        return []
    output = model.output_shape
    assert isinstance(output, tuple)
    target = tuple(data.y.shape) if data.y is not None else tuple(output)
    out = tuple(1 if d is None else d for d in output)
    if data.y is None and state.loss.target == "sparse":
        target = out[:-1]
    concrete = tuple(1 if d is None else d for d in target)
    return [resolve_metric(m, concrete, out, state.loss.from_logits) for m in state.metrics]


def _loader_batch(
    model: Trainer,
    state: TrainingState,
    x: Any,
    y: Any,
    device: torch.device,
    dtype: torch.dtype,
    *,
    check: bool,
) -> tuple[torch.Tensor, torch.Tensor]:
    sparse = state.loss.target == "sparse"
    if check:  # the first batch gets the same checks as arrays do
        from ..engine.predict import as_input_array

        as_input_array(model, x, what="a DataLoader batch's x")
        target = y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else y
        y = check_targets(model, state.loss, np.asarray(target), "a DataLoader batch's y")
    xb, yb = batch_to_device(x, y, device, dtype, sparse)
    if sparse and yb.dim() == xb.dim() and yb.shape[-1] == 1:
        yb = yb.squeeze(-1)
    return xb, yb


def evaluate_dataset(
    model: Trainer,
    state: TrainingState,
    data: Dataset,
    batch_size: int,
    metrics: Metrics,
    precision: str | None = None,
) -> dict[str, float]:
    """Loss and metrics over ``data`` (batch-size-weighted means), in inference mode."""
    module = model.module
    device, dtype = module_placement(model)
    was_training = module.training
    module.eval()
    total = torch.zeros((), dtype=torch.float64, device=device)
    metric_totals = [torch.zeros((), dtype=torch.float64, device=device) for _ in metrics]
    count = 0
    try:
        with torch.inference_mode():
            for first, (xb, yb) in enumerate(data.batches(batch_size, None)):
                if data.loader is not None:
                    xb, yb = _loader_batch(model, state, xb, yb, device, dtype, check=first == 0)
                with state.autocast(device, precision):
                    out = module(xb)
                if precision is not None:
                    out = out.float()
                n = xb.shape[0]
                total += state.loss(yb, out).double() * n
                for i, (_, metric) in enumerate(metrics):
                    metric_totals[i] += metric(yb, out).double() * n
                count += n
    finally:
        module.train(was_training)
    scores = {"loss": float(total) / count}
    scores.update({name: float(t) / count for (name, _), t in zip(metrics, metric_totals)})
    return scores


def evaluate(
    model: Trainer,
    x: Any = None,
    y: Any = None,
    *,
    batch_size: int | None = None,
    verbose: int | str = 0,
    return_dict: bool = False,
) -> Any:
    """Loss (and metrics) on ``x``/``y``, as Keras's ``evaluate``.

    Returns:
        The loss as a float when no metrics were compiled, else ``[loss, *metrics]``; a dict
        ``{"loss": ..., name: ...}`` with ``return_dict=True``.
    """
    state = training_state(model, "evaluate")
    batch_size = fixed_batch_size(model, batch_size, default=None)
    batch_size = 32 if batch_size is None else _positive_int("batch_size", batch_size)
    data = to_dataset(model, x, y, state.loss)
    metrics = _metrics_for(model, state, data)
    scores = evaluate_dataset(model, state, data, batch_size, metrics, state.mixed_precision)
    if return_dict:
        return scores
    if not metrics:
        return scores["loss"]
    return list(scores.values())


def train_on_batch(model: Trainer, x: Any, y: Any) -> Any:
    """One optimisation step on one batch; returns its loss (``[loss, *metrics]`` with metrics).

    Raises:
        NonFiniteLossError: the batch's loss is NaN/inf (the weights are left untouched).
    """
    state = training_state(model, "train_on_batch")
    # No NaN scan up front: any NaN/inf in the batch makes the loss non-finite, and only
    # then is the batch scanned, so a user still learns which array and where.
    data = to_dataset(model, x, y, state.loss, scan_values=False)
    assert data.x is not None and data.y is not None
    metrics = _metrics_for(model, state, data)
    module = model.module
    device, _ = module_placement(model)
    sync_trainable(model.layers)
    activity = ActivityPenalties(model.layers) if state.activity else None
    module.train()
    try:
        state.optimizer.zero_grad(set_to_none=True)
        with state.autocast(device), activity or contextlib.nullcontext():
            out = module(data.x)
        if state.mixed_precision is not None:
            out = out.float()
        loss = state.loss(data.y, out)
        if state.penalized or activity is not None:
            loss = _with_penalties(model, loss, activity)
            if activity is not None:
                state.activity_terms = [t.detach() for t in activity.terms]
        return _finish_batch(model, state, data, metrics, module, loss, out)
    finally:
        module.train(False)  # inference mode afterwards, as Keras


def _with_penalties(
    model: Trainer, loss: torch.Tensor, activity: ActivityPenalties | None
) -> torch.Tensor:
    """The loss plus every regularization term (Keras reports and minimises the sum)."""
    extra = total_penalty(model.layers, activity)
    return loss if extra is None else loss + extra.to(loss.dtype)


def _finish_batch(
    model: Trainer,
    state: TrainingState,
    data: Dataset,
    metrics: Metrics,
    module: torch.nn.Module,
    loss: torch.Tensor,
    out: Any,
) -> Any:
    assert data.x is not None and data.y is not None
    value = loss.item()
    if not math.isfinite(value):
        report_non_finite(data)
        raise non_finite_error(0, 0, value)
    loss.backward()
    if state.clipnorm is not None or state.global_clipnorm is not None:
        from .optimizers import clip_gradients

        clip_gradients(
            [p for p in module.parameters() if p.requires_grad],
            state.clipnorm,
            state.global_clipnorm,
        )
    state.optimizer.step()
    if state.constrained:
        apply_constraints(model.layers)
    if not metrics:
        return value
    with torch.no_grad():
        return [value, *(float(metric(data.y, out.detach())) for _, metric in metrics)]
