"""ONNX export of a rnnlens model, checked with onnxruntime before the file is written.

The graph is exported from :func:`rnnlens.io.torch_interop.to_torch`'s stock modules, which
map onto ONNX's own LSTM/GRU/RNN operators (the engine's step loop would be unrolled to one
fixed length instead). It uses torch's TorchScript-based exporter (``dynamo=False``): on these
modules it keeps both the batch and the time axis dynamic and takes about a second, while the
``torch.export`` exporter fixed the time axis to the example's length and took a minute.
Models that ``to_torch`` refuses (e.g. GRU ``reset_after=False``) are refused here too.

>>> import tempfile, pathlib, rnnlens as rl
>>> from rnnlens.layers import GRU, Dense
>>> model = rl.Sequential([GRU(4, input_shape=(None, 3)), Dense(1)])
>>> path = rl.to_onnx(model, pathlib.Path(tempfile.mkdtemp()) / "m.onnx")
>>> path.suffix
'.onnx'
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ModelFileError
from ..extras import require
from .atomic import write_atomic

if TYPE_CHECKING:
    from ..graph import ModelSpec

#: ONNX opset written; onnxruntime releases since 1.14 run it.
OPSET = 17
#: Largest difference tolerated between onnxruntime and rnnlens on the check inputs.
ATOL = 1e-5


def to_onnx(
    model: ModelSpec, path: str | os.PathLike[str], *, opset: int = OPSET, check: bool = True
) -> Path:
    """Export ``model`` to ``path`` with dynamic batch and time axes; returns the path.

    Input ``x`` is ``(batch, time, features)`` float32; outputs are ``output`` (or
    ``output_0``, ``output_1``, ... for several). With ``check`` the file is run in
    onnxruntime on random inputs of two batch sizes and compared with ``model.predict``.

    Raises:
        ConfigError: a layer without an exact ONNX form (from ``to_torch``).
        ModelFileError: onnxruntime disagrees with rnnlens by more than :data:`ATOL`.
    """
    import torch

    from .torch_interop import to_torch

    require("onnx", extra="onnx", feature="ONNX export")
    if check:
        require("onnxruntime", extra="onnx", feature="checking the ONNX export in onnxruntime")

    stack = to_torch(model)
    _, time, features = _input_dims(model)
    example = torch.zeros(2, time or 3, features)
    with torch.no_grad():
        outputs = stack(example)
    names = (
        ["output"]
        if isinstance(outputs, torch.Tensor)
        else [f"output_{i}" for i in range(len(outputs))]
    )
    axes: dict[str, dict[int, str]] = {"x": {0: "batch", 1: "time"}}
    axes.update({name: {0: "batch"} for name in names})
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        exported = Path(folder) / "model.onnx"
        # Known, understood warnings of the TorchScript exporter on these modules: it is
        # deprecated in favour of dynamo (which fixes the time axis, see the module docstring);
        # the tracer notes Python booleans inside nn.LSTM's argument checks; and it warns that
        # variable-length LSTMs exported with batch > 1 may break other batch sizes, which the
        # check below rules out by running two batch sizes.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"torch\.onnx")
        warnings.filterwarnings("ignore", message=r".*legacy TorchScript-based ONNX export")
        warnings.filterwarnings("ignore", message=r"The feature will be removed")
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message=r"Exporting a model to ONNX with a batch_size")
        # Strided slices (pooling with padding, GRU weight splits) are left unfolded: harmless.
        warnings.filterwarnings("ignore", message=r"Constant folding - Only steps=1")
        torch.onnx.export(
            stack,
            (example,),
            exported,
            input_names=["x"],
            output_names=names,
            dynamic_axes=axes,
            opset_version=opset,
            dynamo=False,
        )
        data = exported.read_bytes()
    if check:
        check_onnx(model, data)
    return write_atomic(path, data)


def _input_dims(model: ModelSpec) -> tuple[int | None, int | None, int]:
    shape = model.input_shape
    assert isinstance(shape, tuple)  # one input: to_onnx refuses graph models with several
    batch, time, features = shape
    assert isinstance(features, int)
    return batch, time, features


def check_onnx(model: ModelSpec, data: bytes, seed: int = 0) -> float:
    """Run the ONNX bytes in onnxruntime against ``model.predict``; the largest difference."""
    import onnxruntime

    from ..engine.predict import predict

    session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
    batch, time, features = _input_dims(model)
    rng = np.random.default_rng(seed)
    worst = 0.0
    for n, steps in ((batch or 1, time or 1), (batch or 3, time or 7)):
        x = rng.normal(size=(n, steps, features)).astype(np.float32)
        got = session.run(None, {"x": x})
        want = predict(model, x)
        want = want if isinstance(want, list) else [want]
        for ours, theirs in zip(want, got):
            worst = max(worst, float(np.max(np.abs(np.asarray(ours) - theirs))))
    if worst > ATOL:
        raise ModelFileError(
            f"the ONNX export of model '{model.name}' differs from rnnlens by {worst:.2e} "
            f"(tolerance {ATOL:.0e}) in onnxruntime; please report this model"
        )
    return worst
