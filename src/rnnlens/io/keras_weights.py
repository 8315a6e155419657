"""Weights in Keras's HDF5 layouts, read and written with h5py (never TensorFlow).

Two layouts exist:

* Keras 3 ``model.weights.h5`` inside a ``.keras`` zip: ``layers/<key>/vars/<i>``, where
  ``<key>`` is the layer's class in snake case numbered per class in model order (``lstm``,
  ``lstm_1``, ``dense``), recurrent weights under ``cell/vars``, Bidirectional's under
  ``forward_layer``/``backward_layer``, TimeDistributed's under ``layer``.
* Keras 2 / legacy ``.h5``: ``model_weights/<layer name>`` whose ``weight_names`` attribute
  lists its datasets in ``get_weights()`` order.

Only plain datasets reached through hard links are read: soft and external links, external
storage and virtual datasets (which could read other files) are refused, and each dataset's
shape is checked against the layer before a byte of it is read.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ModelFileError
from ..extras import require
from ..naming import snake_case

if TYPE_CHECKING:
    import h5py
else:
    h5py = require("h5py", extra="keras", feature="reading or writing Keras weights (HDF5)")

if TYPE_CHECKING:
    from ..graph import ModelSpec
    from ..layers import RNN, Layer


def open_h5(data: bytes, source: str) -> h5py.File:
    try:
        return h5py.File(io.BytesIO(data), "r")
    except (OSError, ValueError, RuntimeError, KeyError, TypeError, OverflowError):
        raise ModelFileError(f"{source}: not an HDF5 file (or a truncated one)") from None


def child(group: Any, name: str, where: str) -> Any:
    """``group[name]`` when it is a hard link; links that could lead elsewhere are refused."""
    if not isinstance(group, h5py.Group):
        raise ModelFileError(f"{where}: expected an HDF5 group")
    link = group.get(name, getlink=True)
    if link is None:
        raise ModelFileError(f"{where}: missing {name!r}")
    if not isinstance(link, h5py.HardLink):
        raise ModelFileError(f"{where}/{name}: refused: a {type(link).__name__} (points outside)")
    return group[name]


def read_dataset(node: Any, shape: tuple[int, ...], where: str) -> np.ndarray:
    """The dataset as float32 after checking its kind, storage and shape."""
    if not isinstance(node, h5py.Dataset):
        raise ModelFileError(f"{where}: expected a dataset")
    if node.is_virtual or node.external:
        raise ModelFileError(f"{where}: refused: data stored outside this file")
    if node.dtype.kind not in "fiu":
        raise ModelFileError(f"{where}: expected numbers, file has dtype {node.dtype}")
    if tuple(node.shape) != shape:
        raise ModelFileError(f"{where}: expected {shape}, file has {tuple(node.shape)}")
    return np.asarray(node[()], dtype=np.float32)


# ---------------------------------------------------------------------- Keras 3
def read_keras3(model: ModelSpec, data: bytes, source: str) -> list[list[np.ndarray]]:
    """Per layer, its weights from a Keras 3 ``model.weights.h5``."""
    out: list[list[np.ndarray]] = []
    with _wrap_h5(source):
        store = open_h5(data, source)
        with store:
            layers = None
            for layer, key in zip(model.layers, keras3_keys(model)):
                if not layer.weight_specs():
                    out.append([])
                    continue
                layers = layers or child(store, "layers", source)
                group = child(layers, key, f"{source}: layers")
                out.append(
                    _keras3_layer(layer, group, f"{source}: weights for layer '{layer.name}'")
                )
    return out


def keras3_keys(model: ModelSpec) -> list[str]:
    """Keras 3's group name for each layer: class in snake case, numbered per class."""
    seen: Counter[str] = Counter()
    keys = []
    for layer in model.layers:
        base = snake_case(type(layer).__name__)
        keys.append(base if seen[base] == 0 else f"{base}_{seen[base]}")
        seen[base] += 1
    return keys


def cell_keys(layer: RNN) -> list[str]:
    """Where Keras 3 keeps each cell's variables under ``<rnn>/cell``: ``.`` for one cell,
    else ``cells/<class in snake case, numbered per class within the stack>``."""
    from ..layers import StackedRNNCells

    if not isinstance(layer.cell, StackedRNNCells):
        return ["."]
    seen: Counter[str] = Counter()
    keys = []
    for cell in layer.cell.cells:
        base = snake_case(type(cell).__name__)
        keys.append(f"cells/{base}" if seen[base] == 0 else f"cells/{base}_{seen[base]}")
        seen[base] += 1
    return keys


def _keras3_rnn(layer: RNN, group: Any, where: str) -> list[np.ndarray]:
    group = child(group, "cell", where)
    out: list[np.ndarray] = []
    for key, inner in zip(cell_keys(layer), layer.chain):
        node = group
        for part in key.split("/"):
            node = node if part == "." else child(node, part, where)
        out.extend(_keras3_vars(inner, node, where))
    return out


def _keras3_layer(layer: Layer, group: Any, where: str) -> list[np.ndarray]:
    from ..layers import RNN, Bidirectional, Recurrent, TimeDistributed

    if isinstance(layer, RNN):
        return _keras3_rnn(layer, group, where)
    if isinstance(layer, Bidirectional):
        return [
            *_keras3_layer(layer.forward, child(group, "forward_layer", where), where),
            *_keras3_layer(layer.backward, child(group, "backward_layer", where), where),
        ]
    if isinstance(layer, TimeDistributed):
        return _keras3_layer(layer.layer, child(group, "layer", where), where)
    if isinstance(layer, Recurrent):
        group = child(group, "cell", where)
    return _keras3_vars(layer, group, where)


def _keras3_vars(layer: Layer, group: Any, where: str) -> list[np.ndarray]:
    variables = child(group, "vars", where)
    specs = layer.weight_specs()
    names = (
        [n for n in variables if isinstance(n, str)] if isinstance(variables, h5py.Group) else []
    )
    if len(names) != len(specs):
        raise ModelFileError(f"{where}: expected {len(specs)} arrays, file has {len(names)}")
    return [
        read_dataset(child(variables, str(i), where), spec.shape, f"{where} {spec.name}")
        for i, spec in enumerate(specs)
    ]


def write_keras3(model: ModelSpec) -> bytes:
    """A Keras 3 ``model.weights.h5`` for ``model``, in memory."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as store:
        store.create_group("vars").attrs["name"] = model.name
        layers = store.create_group("layers")
        for layer, key in zip(model.layers, keras3_keys(model)):
            weights = layer.get_weights() if layer.weight_specs() else []
            _write_keras3_layer(layers.create_group(key), layer, weights)
    return buffer.getvalue()


def _write_keras3_layer(group: Any, layer: Layer, weights: list[np.ndarray]) -> None:
    from ..layers import RNN, Bidirectional, Recurrent, TimeDistributed

    group.create_group("vars").attrs["name"] = layer.name
    if isinstance(layer, RNN):
        cell_group = group.create_group("cell")
        cell_group.create_group("vars")
        start = 0
        for key, inner in zip(cell_keys(layer), layer.chain):
            node = cell_group if key == "." else cell_group.create_group(key)
            variables = node["vars"] if key == "." else node.create_group("vars")
            for i in range(len(inner.weight_specs())):
                variables.create_dataset(
                    str(i), data=np.asarray(weights[start + i], dtype=np.float32)
                )
            start += len(inner.weight_specs())
        return
    if isinstance(layer, Bidirectional):
        half = len(layer.forward.weight_specs())
        _write_keras3_layer(group.create_group("forward_layer"), layer.forward, weights[:half])
        _write_keras3_layer(group.create_group("backward_layer"), layer.backward, weights[half:])
        return
    if isinstance(layer, TimeDistributed):
        _write_keras3_layer(group.create_group("layer"), layer.layer, weights)
        return
    variables = group["vars"]
    if isinstance(layer, Recurrent):
        cell = group.create_group("cell")
        variables = cell.create_group("vars")
        variables.attrs["name"] = f"{snake_case(type(layer).__name__)}_cell"
    for i, array in enumerate(weights):
        variables.create_dataset(str(i), data=np.asarray(array, dtype=np.float32))


# ---------------------------------------------------------------------- Keras 2
def read_legacy(model: ModelSpec, store: Any, source: str) -> list[list[np.ndarray]]:
    """Per layer, its weights from a legacy ``.h5`` file's ``model_weights`` group."""
    out: list[list[np.ndarray]] = []
    with _wrap_h5(source):
        weights = None
        for layer in model.layers:
            specs = layer.weight_specs()
            if not specs:
                out.append([])
                continue
            weights = weights or child(store, "model_weights", source)
            where = f"{source}: weights for layer '{layer.name}'"
            group = child(weights, layer.name, f"{source}: model_weights")
            names = [
                n.decode("utf-8", "replace") if isinstance(n, bytes) else str(n)
                for n in np.asarray(group.attrs.get("weight_names", [])).reshape(-1)
            ]
            if len(names) != len(specs):
                raise ModelFileError(
                    f"{where}: expected {len(specs)} arrays, file has {len(names)}"
                )
            out.append(
                [
                    read_dataset(_path(group, name, where), spec.shape, f"{where} {spec.name}")
                    for name, spec in zip(names, specs)
                ]
            )
    return out


def _path(group: Any, path: str, where: str) -> Any:
    node = group
    for part in path.split("/"):
        if part in ("", ".", ".."):
            raise ModelFileError(f"{where}: odd weight name {path!r}")
        node = child(node, part, where)
    return node


class _wrap_h5:
    """Turn h5py's own errors on a damaged file into :class:`ModelFileError`."""

    def __init__(self, source: str) -> None:
        self.source = source

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        if error is None or isinstance(error, ModelFileError):
            return
        if isinstance(
            error, (OSError, KeyError, ValueError, TypeError, RuntimeError, OverflowError)
        ):
            raise ModelFileError(f"{self.source}: damaged HDF5 data ({error})") from None
