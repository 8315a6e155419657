"""Training data in, checked once, as tensors on the module's device.

Arrays (numpy or torch) are validated before any training — lengths, emptiness, NaNs, the
target's shape against the loss — and copied to the device once; batches are then slices or
``index_select`` of those tensors, so the training step does no conversion at all. A
``torch.utils.data.DataLoader`` is iterated as it is and each batch moved to the device.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ..engine.predict import (
    NUMERIC_KINDS,
    as_input_array,
    non_finite,
    to_tensor,
    warn_non_finite,
)
from ..errors import ConfigError, InputDataError
from ..shapes import format_shape
from .losses import Loss

if TYPE_CHECKING:
    from .trainer import Trainer


@dataclass
class Dataset:
    """Either preloaded tensors ``x``/``y`` or a ``loader`` yielding ``(x, y)`` batches."""

    x: torch.Tensor | None = None
    y: torch.Tensor | None = None
    loader: Any = None

    def __len__(self) -> int:
        assert self.x is not None
        return int(self.x.shape[0])

    def to(self, device: torch.device) -> None:
        """Move preloaded tensors to ``device`` (once, before training)."""
        if self.x is not None and self.x.device != device:
            self.x = self.x.to(device)
        if self.y is not None and self.y.device != device:
            self.y = self.y.to(device)

    def n_batches(self, batch_size: int) -> int:
        if self.loader is not None:
            return len(self.loader)
        return -(-len(self) // batch_size)

    def batches(
        self, batch_size: int, order: torch.Tensor | None, start: int = 0
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Batches ``start, start+1, ...`` in ``order`` (``None``: as stored)."""
        if self.loader is not None:
            yield from self._loader_batches(start)
            return
        x, y = self.x, self.y
        assert x is not None and y is not None
        end = len(self) if order is None else len(order)
        for begin in range(start * batch_size, end, batch_size):
            if order is None:  # a view: no copy at all
                yield x[begin : begin + batch_size], y[begin : begin + batch_size]
            else:
                index = order[begin : begin + batch_size]
                yield x.index_select(0, index), y.index_select(0, index)

    def _loader_batches(self, start: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for i, batch in enumerate(self.loader):
            if i < start:  # resuming mid-epoch: exact only if the loader's order is fixed
                continue
            if not isinstance(batch, (tuple, list)) or len(batch) != 2:
                raise InputDataError(
                    "a DataLoader given to fit/evaluate must yield (x, y) pairs, received "
                    f"{type(batch).__name__}{f' of length {len(batch)}' if isinstance(batch, (tuple, list)) else ''}"
                )
            yield batch[0], batch[1]


def module_placement(model: Trainer) -> tuple[torch.device, torch.dtype]:
    return model.module.placement()


def to_dataset(
    model: Trainer, x: Any, y: Any, loss: Loss, *, what: str = "x", scan_values: bool = True
) -> Dataset:
    """Check ``x``/``y`` and return them as a :class:`Dataset` on the module's device.

    ``scan_values=False`` skips the NaN/inf scan of both arrays, for a caller that runs
    the scan itself (:func:`report_non_finite`) only when the loss turns out non-finite (``train_on_batch``:
    a NaN anywhere in a batch makes its loss NaN, so the happy path needs no scan).

    Raises:
        InputDataError: empty data, different lengths, NaN/inf targets, a target shape the
            loss cannot use, class indices out of range.
    """
    if isinstance(x, torch.utils.data.DataLoader):
        if y is not None:
            raise InputDataError(
                f"{what} is a DataLoader, which already yields targets: do not pass y as well"
            )
        if len(x) == 0:
            raise InputDataError(f"{what} is an empty DataLoader: fit needs at least one batch")
        return Dataset(loader=x)
    if x is None or y is None:
        raise InputDataError(
            f"{'x' if x is None else 'y'} is missing: pass arrays x (samples, time, features) "
            "and y (samples, ...), or a DataLoader of (x, y) batches"
        )
    y_name = "y" if what == "x" else f"{what}'s y"
    if isinstance(x, torch.Tensor):
        return _tensor_dataset(model, x, y, loss, what, y_name, scan_values)
    x_array = as_input_array(model, x, what=what)
    y_array = _as_target_array(y, y_name)
    if len(x_array) == 0:
        raise InputDataError(f"{what} is empty: training needs at least one sample")
    if len(x_array) != len(y_array):
        raise InputDataError(
            f"{what} and {y_name} must hold the same number of samples, received {len(x_array)} "
            f"and {len(y_array)}: pass one target per input sequence"
        )
    if scan_values:
        warn_non_finite(x_array, what)
        _refuse_non_finite_targets(y_array, y_name)
    y_array = check_targets(model, loss, y_array, y_name)
    device, dtype = module_placement(model)
    target_dtype = torch.long if loss.target == "sparse" else dtype
    return Dataset(x=to_tensor(x_array, dtype, device), y=to_tensor(y_array, target_dtype, device))


def report_non_finite(data: Dataset, what: str = "x") -> None:
    """The NaN/inf scan ``to_dataset(scan_values=False)`` skipped: warns for ``x``, raises for ``y``.

    Raises:
        InputDataError: the targets hold NaN or infinity.
    """
    assert data.x is not None and data.y is not None
    warn_non_finite(data.x.detach().cpu().numpy(), what)
    _refuse_non_finite_targets(data.y.detach().cpu().numpy(), "y" if what == "x" else f"{what}'s y")


def _tensor_dataset(
    model: Trainer,
    x: torch.Tensor,
    y: Any,
    loss: Loss,
    what: str,
    y_name: str,
    scan_values: bool,
) -> Dataset:
    """Inputs already in torch: the same checks, without a round trip through numpy.

    ``x`` may be large and on an accelerator: its shape is checked on an empty slice and its
    values with one ``isfinite`` reduction; the targets are small and take the numpy path.
    """
    as_input_array(model, x[:0].detach().cpu(), what=what)
    y_array = _as_target_array(y, y_name)
    if x.shape[0] == 0:
        raise InputDataError(f"{what} is empty: training needs at least one sample")
    if x.shape[0] != len(y_array):
        raise InputDataError(
            f"{what} and {y_name} must hold the same number of samples, received {x.shape[0]} "
            f"and {len(y_array)}: pass one target per input sequence"
        )
    if scan_values:
        if not bool(torch.isfinite(x).all()):
            warn_non_finite(x.detach().cpu().numpy(), what)
        _refuse_non_finite_targets(y_array, y_name)
    y_array = check_targets(model, loss, y_array, y_name)
    device, dtype = module_placement(model)
    target_dtype = torch.long if loss.target == "sparse" else dtype
    return Dataset(
        x=x.detach().to(device=device, dtype=dtype),
        y=to_tensor(y_array, target_dtype, device),
    )


def _as_target_array(y: Any, name: str) -> np.ndarray:
    if isinstance(y, torch.Tensor):
        y = y.detach().cpu().numpy()
    try:
        array = np.asarray(y)
    except (TypeError, ValueError) as error:
        raise InputDataError(
            f"{name} must be a numeric array, could not read it: {error}"
        ) from None
    if array.dtype.kind not in NUMERIC_KINDS or array.ndim == 0:
        raise InputDataError(
            f"{name} must be a numeric array with one row per sample, received "
            f"{array.dtype} of shape {array.shape}"
        )
    return array


def _refuse_non_finite_targets(array: np.ndarray, name: str) -> None:
    found = non_finite(array)
    if found is not None:
        count, first = found
        raise InputDataError(
            f"{name} holds {count} NaN/inf value(s), first at index {first}: the loss "
            "would be NaN from the first batch; drop or fill those samples"
        )


def check_targets(model: Trainer, loss: Loss, y: np.ndarray, name: str) -> np.ndarray:
    """``y`` reshaped as the loss needs it, or an error saying what shape was expected."""
    output = model.output_shape
    if isinstance(output, list):
        raise ConfigError(
            f"model '{model.name}' has {len(output)} outputs (return_state or merge_mode=None); "
            "fit trains single-output models: drop return_state or set a merge_mode"
        )
    per_sample = tuple(output[1:])
    if loss.target == "any":
        return y
    if loss.target == "sparse":
        wanted = per_sample[:-1]
        if tuple(y.shape[1:]) == (*wanted, 1):
            y = y.reshape(y.shape[:-1])
        if tuple(y.shape[1:]) != wanted:
            raise InputDataError(
                f"{loss.name} expects {name} of class indices, shape "
                f"{format_shape((None, *wanted))}, for outputs {format_shape(output)}; received "
                f"{y.shape}. For one-hot targets use loss='categorical_crossentropy'"
            )
        classes = per_sample[-1]
        if not np.array_equal(y, np.round(y)) or y.min() < 0 or y.max() >= classes:
            raise InputDataError(
                f"{loss.name} expects {name} to hold integer class indices in [0, {classes}) "
                f"(the output has {classes} units), received values from {y.min()} to {y.max()}"
            )
        return y
    if (
        tuple(y.shape[1:]) != per_sample
        and per_sample[-1:] == (1,)
        and tuple(y.shape[1:]) == per_sample[:-1]
    ):
        y = y.reshape(*y.shape, 1)  # Keras expands (batch,) to (batch, 1) the same way
    if tuple(y.shape[1:]) != per_sample:
        hint = ""
        if loss.name == "categorical_crossentropy" and tuple(y.shape[1:]) == per_sample[:-1]:
            hint = ": these look like class indices, use loss='sparse_categorical_crossentropy'"
        elif len(per_sample) == 2 and len(y.shape) == 2:
            hint = ": the model returns every step (return_sequences=True on the last recurrent layer?)"
        elif len(per_sample) == 1 and len(y.shape) == 3:
            hint = ": the targets have a time axis; set return_sequences=True on the last recurrent layer"
        raise InputDataError(
            f"{loss.name} compares {name} with the model's output, so {name} must have shape "
            f"{format_shape(output)}; received {y.shape}{hint}"
        )
    return y


def split_validation(x: Any, y: Any, fraction: float) -> tuple[Any, Any, Any, Any]:
    """The last ``fraction`` of the samples, taken before shuffling, as Keras does."""
    if isinstance(x, torch.utils.data.DataLoader):
        raise ConfigError(
            "validation_split needs arrays; with a DataLoader pass validation_data=another loader"
        )
    if not (isinstance(fraction, (int, float)) and 0.0 <= fraction < 1.0):
        raise ConfigError(f"validation_split must be in [0, 1), received {fraction!r}")
    if x is None or y is None:
        raise InputDataError("validation_split needs both x and y")
    n = len(x)
    split_at = int(np.floor(n * (1.0 - fraction)))
    if split_at == 0 or split_at == n:
        raise InputDataError(
            f"validation_split={fraction} of {n} samples leaves "
            f"{'no training' if split_at == 0 else 'no validation'} samples: use more data or "
            "another fraction"
        )
    return x[:split_at], y[:split_at], x[split_at:], y[split_at:]


def batch_to_device(
    x: Any, y: Any, device: torch.device, dtype: torch.dtype, sparse: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """A DataLoader batch as tensors of the module's dtype on its device."""
    xb = torch.as_tensor(x).to(device=device, dtype=dtype, non_blocking=True)
    yb = torch.as_tensor(y).to(
        device=device, dtype=torch.long if sparse else dtype, non_blocking=True
    )
    return xb, yb
