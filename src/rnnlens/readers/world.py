"""What a library means to the evaluator: the hooks a Keras or PyTorch reader fills in.

The evaluator knows Python's small language; a :class:`World` knows a library: which import
paths it understands, what its names are, what calling them builds. The default world knows
no library: everything imported is outside the model and skipped.
"""

from __future__ import annotations

import ast
from typing import Any

#: Marks "this world does not handle it": the evaluator falls back to its own rules.
NOT_HANDLED: Any = object()

# Libraries around a model: imported names from them are skipped, their calls give data.
SKIPPED_ROOTS = frozenset(
    [
        "numpy",
        "pandas",
        "os",
        "sys",
        "re",
        "json",
        "csv",
        "math",
        "random",
        "time",
        "datetime",
        "pathlib",
        "glob",
        "pickle",
        "shutil",
        "warnings",
        "logging",
        "argparse",
        "collections",
        "itertools",
        "functools",
        "typing",
        "string",
        "io",
        "gc",
        "copy",
        "sklearn",
        "matplotlib",
        "seaborn",
        "plotly",
        "scipy",
        "statsmodels",
        "tqdm",
        "yfinance",
        "pandas_datareader",
        "nltk",
        "gensim",
        "spacy",
        "transformers",
        "datasets",
        "torchvision",
        "torchaudio",
        "torchtext",
        "PIL",
        "cv2",
        "h5py",
        "joblib",
        "requests",
        "urllib",
        "zipfile",
        "tarfile",
        "wandb",
        "mlflow",
        "optuna",
        "IPython",
        "google",
        "keras_tuner",
        "kerastuner",
        "talos",
        "tensorboard",
        "__future__",
        "dataclasses",
        "abc",
        "enum",
    ]
)


class World:
    """Hooks the evaluator calls; each returns :data:`NOT_HANDLED` for what it leaves alone."""

    #: Short name for messages ("Keras", "PyTorch").
    name = "Python"

    def import_value(self, ev: Any, path: str, node: ast.AST) -> Any:
        """The value bound by importing dotted ``path`` (a module or a name in one)."""
        return NOT_HANDLED

    def global_name(self, ev: Any, name: str) -> Any:
        """A name the file uses without defining or importing it (snippets omit imports)."""
        return NOT_HANDLED

    def attribute(self, ev: Any, obj: Any, name: str, node: ast.AST) -> Any:
        """``obj.name`` for the world's own objects."""
        return NOT_HANDLED

    def call(
        self, ev: Any, function: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call
    ) -> Any:
        """``function(*args, **kwargs)`` for the world's callables."""
        return NOT_HANDLED

    def subscript(self, ev: Any, obj: Any, index: Any, node: ast.AST) -> Any:
        """``obj[index]`` for the world's objects (tensors)."""
        return NOT_HANDLED

    def set_attribute(self, ev: Any, obj: Any, name: str, value: Any, node: ast.AST) -> bool:
        """``obj.name = value`` on the world's objects; False when it is not read."""
        return False

    def unpack(self, ev: Any, value: Any, count: int, node: ast.AST) -> Any:
        """``a, b, c = value`` for the world's values (a layer's several outputs)."""
        return NOT_HANDLED

    def binary(self, ev: Any, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        """``left op right`` when either side is the world's value (a tensor)."""
        return NOT_HANDLED

    def iterable(self, ev: Any, value: Any, node: ast.AST) -> Any:
        """The items of the world's iterable values (``nn.ModuleList``), as a list."""
        return NOT_HANDLED

    def read_unknown_loop_once(self, ev: Any, node: ast.AST) -> bool:
        """Whether a loop over an unknown count (time steps) is read as one iteration."""
        return False

    def on_bind(self, ev: Any, name: str, value: Any, node: ast.AST) -> None:
        """Called when a name is bound (a model is named after its first variable)."""

    def define_class(self, ev: Any, cls: Any) -> None:
        """Called when the file defines a class; the world may mark it as a model class."""

    def is_builder(self, value: Any) -> bool:
        """True for what makes layers or models when called (a layer class, Sequential)."""
        return False

    def is_model_value(self, value: Any) -> bool:
        """True for values that are part of a model (layers, models, tensors, their classes)."""
        return False

    def finish(self, ev: Any) -> None:
        """Called after the whole file is read (to read functions that were never called)."""
