"""``predict``: numpy in, numpy out, with input checks a person can act on."""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ..errors import InputDataError
from ..shapes import Shape, format_shape

if TYPE_CHECKING:
    from ..graph import ModelSpec


# bool, signed and unsigned integers, floats, complex: what np.number and bool cover.
# dtype.kind is a plain attribute; np.issubdtype costs microseconds on every predict call.
NUMERIC_KINDS = frozenset("biufc")


class NonFiniteInputWarning(UserWarning):
    """Inputs hold NaN or infinity: outputs will be NaN too."""


def as_input_array(
    model: ModelSpec, x: Any, *, what: str = "x", expected: Shape | None = None
) -> np.ndarray:
    """Check ``x`` against the model's input shape (or ``expected``) and return an array."""
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    try:
        array = np.asarray(x)
    except (ValueError, TypeError) as error:
        raise InputDataError(
            f"{what} must be a numeric array, could not read it: {error}"
        ) from None
    if array.dtype.kind not in NUMERIC_KINDS:
        raise InputDataError(
            f"{what} must be a numeric array, received dtype {array.dtype} "
            "(strings or ragged lists? pad sequences to one length and convert to float)"
        )
    if expected is None:
        shape = model.input_shape
        if isinstance(shape, list):
            raise InputDataError(
                f"model '{model.name}' has {len(shape)} inputs {format_shape(shape)}: pass "
                f"{what} as a list of arrays, one per input"
            )
        expected = shape
    if array.ndim != len(expected):
        raise InputDataError(
            f"model '{model.name}' expects {what} of shape {format_shape(expected)} "
            f"(batch, {'time, ' if len(expected) == 3 else ''}features), received {array.shape}"
        )
    for axis, (want, got) in enumerate(zip(expected, array.shape)):
        if axis == 0 and want is not None:
            if got % want:  # a fixed batch size takes any multiple of it, one batch at a time
                raise InputDataError(
                    f"model '{model.name}' has a fixed batch size of {want} (stateful layers "
                    f"carry one state per sample), so {what} needs a multiple of {want} samples, "
                    f"received {got}: drop or pad {got % want} sample(s)"
                )
            continue
        if want is not None and want != got:
            names = ["batch", "time", "features"] if len(expected) == 3 else ["batch", "features"]
            name = names[axis] if axis < len(names) else f"axis {axis}"
            raise InputDataError(
                f"model '{model.name}' expects {what} with {name}={want} (shape "
                f"{format_shape(expected)}), received {array.shape}"
            )
    return array


def require_one_input(model: ModelSpec, doing: str) -> None:
    """Refuse a model with several inputs where ``doing`` records one input array.

    Raises:
        InputDataError: the model has several inputs.
    """
    shape = model.input_shape
    if isinstance(shape, list):
        raise InputDataError(
            f"{doing} runs models with one input; model '{model.name}' has {len(shape)} "
            f"{format_shape(shape)}: use model.predict([...]) for its outputs"
        )


def as_input_arrays(model: ModelSpec, x: Any, *, what: str = "x") -> list[np.ndarray]:
    """One checked array per model input: ``x`` is an array, a list, or a dict by input name."""
    shape = model.input_shape
    if not isinstance(shape, list):
        if isinstance(x, (list, tuple)) and len(x) == 1 and not _is_numbers(x):
            x = x[0]
        return [as_input_array(model, x, what=what)]
    names: list[str] = getattr(model, "input_names", [])
    if isinstance(x, dict):
        missing = [name for name in names if name not in x]
        if missing:
            raise InputDataError(
                f"model '{model.name}' takes inputs {names}; {what} has no entry {missing[0]!r}"
            )
        x = [x[name] for name in names]
    if not isinstance(x, (list, tuple)) or len(x) != len(shape):
        count = len(x) if isinstance(x, (list, tuple)) else 1
        raise InputDataError(
            f"model '{model.name}' has {len(shape)} inputs {names}: pass {what} as a list of "
            f"{len(shape)} arrays (or a dict by input name), received {count}"
        )
    arrays = [
        as_input_array(model, item, what=f"{what}[{i}] ({name})", expected=expected)
        for i, (item, name, expected) in enumerate(zip(x, names, shape))
    ]
    if len({len(a) for a in arrays}) > 1:
        raise InputDataError(
            f"the inputs of model '{model.name}' must hold the same number of samples, "
            f"received {[len(a) for a in arrays]}"
        )
    return arrays


def _is_numbers(x: Any) -> bool:
    return bool(x) and isinstance(x[0], (int, float, list, tuple))


def shares_with_torch(array: np.ndarray) -> bool:
    """Whether a tensor may share ``array``'s memory: torch refuses negative strides
    (``x[:, ::-1]``, time reversed) and warns on read-only arrays (``np.load(mmap_mode="r")``),
    since it cannot mark a tensor read-only."""
    return bool(array.flags.writeable) and min(array.strides, default=0) >= 0


def to_tensor(array: np.ndarray, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """``array`` as a tensor of ``dtype`` on ``device``, sharing its memory where it can.

    The one place numpy inputs become tensors. ``torch.from_numpy`` is the cheap way (tens
    of microseconds less than ``as_tensor``, a visible share of a small call); an array a
    tensor cannot share (:func:`shares_with_torch`) is copied first.
    """
    if not shares_with_torch(array):
        array = array.copy()
    if device.type == "cpu" and array.dtype == _NUMPY_DTYPES.get(dtype):
        return torch.from_numpy(array)
    return torch.as_tensor(array, dtype=dtype).to(device)


_NUMPY_DTYPES = {
    torch.float32: np.dtype(np.float32),
    torch.float64: np.dtype(np.float64),
    torch.int64: np.dtype(np.int64),
}


def non_finite(array: np.ndarray) -> tuple[int, tuple[int, ...]] | None:
    """How many NaN/inf values ``array`` holds and the index of the first; None if none.

    >>> non_finite(np.array([[1.0, np.nan], [np.inf, 2.0]]))
    (2, (0, 1))
    >>> non_finite(np.array([3e38, 3e38], dtype=np.float32)) is None  # the sum overflows
    True
    """
    if array.dtype.kind not in "fc":
        return None  # integers and booleans are always finite
    # The sum is finite unless some value is NaN/inf (or it overflows, which the exact check
    # below rules out). torch sums without a temporary, in parallel and without numpy's
    # floating-point warnings (inf + -inf, overflow on large valid inputs); its call costs a
    # fraction of numpy's errstate + reduce, which matters on every predict.
    if array.dtype in _TORCH_SUMMABLE and shares_with_torch(array):
        if math.isfinite(torch.from_numpy(array).sum().item()):
            return None
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            total = np.add.reduce(array, axis=None)
        if np.isfinite(total):
            return None
    bad = ~np.isfinite(array)
    if not bad.any():
        return None
    return int(bad.sum()), tuple(int(i) for i in np.argwhere(bad)[0])


# numpy dtypes torch.from_numpy shares and sums exactly like numpy (no longdouble, complex).
_TORCH_SUMMABLE = frozenset(np.dtype(t) for t in (np.float16, np.float32, np.float64))


def warn_non_finite(array: np.ndarray, what: str = "x") -> None:
    """Warn (:class:`NonFiniteInputWarning`) when ``array`` holds NaN or infinity, saying where."""
    found = non_finite(array)
    if found is not None:
        count, first = found
        warnings.warn(
            f"{what} holds {count} NaN/inf value(s), first at index {first}: "
            "the outputs for those samples will be NaN",
            NonFiniteInputWarning,
            stacklevel=4,
        )


def fixed_batch_size(model: ModelSpec, batch_size: int | None, default: int | None) -> int | None:
    """The batch size to use: the model's fixed one (``Input(batch_size=4)``) if it has one.

    A model built for a fixed batch runs every call in batches of exactly that size, as Keras
    does with stateful layers; asking for another size is an error, since the carried states
    have one row per sample.

    Raises:
        ConfigError: ``batch_size`` given and different from the model's fixed batch size.
    """
    shape = model.input_shape
    fixed = shape[0] if isinstance(shape, tuple) else None  # several inputs: no fixed batch
    if not isinstance(fixed, int):
        return batch_size
    if batch_size is not None and batch_size not in (fixed, default):
        from ..errors import ConfigError

        raise ConfigError(
            f"model '{model.name}' has a fixed batch size of {fixed} (Input(batch_size={fixed})), "
            f"received batch_size={batch_size}: leave batch_size out or set it to {fixed}"
        )
    return fixed


def predict(model: ModelSpec, x: Any, batch_size: int | None = 32) -> Any:
    """Run ``model`` on ``x`` in inference mode, ``batch_size`` samples at a time.

    Args:
        model: the model; its weights' device and dtype decide where and how it runs.
        x: numeric array (batch, time, features) (or (batch, features)); torch tensors too.
        batch_size: samples per forward call; ``None`` runs everything in one call.

    Returns:
        A numpy array, or a list of them when the last layer hands on several tensors.

    Raises:
        InputDataError: ``x`` is not numeric, has the wrong rank or sizes, or is empty;
            ``batch_size`` is not a positive integer.
    """
    arrays = as_input_arrays(model, x)
    for i, array in enumerate(arrays):
        warn_non_finite(array, "x" if len(arrays) == 1 else f"x[{i}]")
    batch_size = fixed_batch_size(model, batch_size, default=32)
    module = model.module
    device, dtype = module.placement()
    if len(arrays[0]) == 0:
        raise InputDataError("x is empty: predict needs at least one sample")
    step = len(arrays[0]) if batch_size is None else batch_size
    if isinstance(step, bool) or not isinstance(step, int) or step <= 0:
        raise InputDataError(f"batch_size must be a positive integer, received {batch_size!r}")
    chunks: list[Any] = []
    was_training = module.training
    module.eval()
    try:
        with torch.inference_mode():
            for start in range(0, len(arrays[0]), step):
                batches = [to_tensor(a[start : start + step], dtype, device) for a in arrays]
                chunks.append(module(*batches))
    finally:
        if was_training:  # eval() above already left every flag False otherwise
            module.train(True)
    # cat copies even a single chunk, on purpose: an output may share memory with the input
    # (a trailing Dropout or Masking returns it as is) or with another output (an LSTM's
    # last output and its final h), and the caller gets arrays of its own.
    if isinstance(chunks[0], list):
        return [torch.cat([c[i] for c in chunks]).cpu().numpy() for i in range(len(chunks[0]))]
    return torch.cat(chunks).cpu().numpy()
