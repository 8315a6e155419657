"""Optional dependencies, checked where they are used, with one message naming the extra.

rnnlens needs only numpy, torch and safetensors. Keras files, ONNX, TensorBoard, pandas and
matplotlib are extras: a missing one is a :class:`~rnnlens.errors.MissingExtraError` that says
which ``pip install`` line brings it, instead of a ``ModuleNotFoundError`` deep in a traceback.

>>> require("math", extra="none", feature="arithmetic").sqrt(4.0)
2.0
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import MissingExtraError

#: What each extra of ``pyproject.toml`` brings, for messages and the README.
EXTRAS = {
    "keras": "reading and writing Keras .keras/.h5 files with weights (h5py), Keras interop",
    "onnx": "ONNX export and its onnxruntime check",
    "tensorboard": "the TensorBoard callback",
    "plot": "History.to_pandas() and matplotlib plots",
}


def require(module: str, *, extra: str, feature: str) -> ModuleType:
    """Import ``module`` or raise a one-line :class:`MissingExtraError`.

    Args:
        module: the importable name (``"onnx"``, ``"h5py"``).
        extra: the rnnlens extra that installs it (``"onnx"``).
        feature: what the user asked for, in words (``"ONNX export"``).

    Returns:
        The imported module.

    Raises:
        MissingExtraError: ``module`` is not installed.
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        if (error.name or module).split(".")[0] != module.split(".")[0]:
            raise  # the package is there but broken: its own error says more
        raise MissingExtraError(
            f"{feature} needs the Python package '{module}', which is not installed: "
            f"pip install 'rnnlens[{extra}]'"
        ) from None
