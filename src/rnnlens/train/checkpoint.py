"""Training checkpoints that survive a crash: one safetensors file per checkpoint, no pickle.

A checkpoint is a single ``.safetensors`` file, so it is complete or absent, never half
written: it is written to a hidden temporary file in the same folder, flushed with
``fsync``, renamed over its final name with ``os.replace`` (atomic on POSIX and Windows),
and the folder entry is ``fsync``-ed too. A process killed at any instant leaves only whole
checkpoints behind (plus, at worst, a hidden ``.tmp`` file that the next run deletes).

Contents (tensor names → what they hold):

* ``module/<name>``: every entry of ``module.state_dict()`` (the weights, Keras layout);
* ``optimizer/<param index>/<key>``: the optimizer's per-parameter tensors (Adam's moments,
  its ``step`` counter);
* ``rng/torch``: torch's CPU generator state as uint8; ``rng/cuda/<i>`` per CUDA device;
* ``callback/<i>/<key>/<j>``: arrays in a callback's state (EarlyStopping's best weights);

and one JSON document in the safetensors metadata under ``"rnnlens"``: format and version,
epoch and batch position, the shuffle seed, optimizer class, hyper-parameters and non-tensor
state, numpy's bit-generator state, Python's ``random`` state, the running sums of the epoch
in progress, the History so far, and every callback's ``state_dict()`` (patience counters,
best values, CSV rows), so a resumed run stops, saves and logs as the uninterrupted one.
Files are named ``ckpt-e<epoch>-b<batch>.safetensors`` (the position of the *next* batch to
run); the newest ``keep`` are kept.
"""

from __future__ import annotations

import json
import random
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import safetensors
import safetensors.torch
import torch

from ..errors import ModelFileError
from ..io.atomic import write_atomic

FORMAT = "rnnlens-checkpoint"
VERSION = 1
_NAME = re.compile(r"^ckpt-e(\d{6})-b(\d{8})\.safetensors$")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` is at all times absent, old or new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)


def _cpu_copy(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.detach().to("cpu", copy=True).contiguous()


def write_weights(module: torch.nn.Module, path: str | Path) -> None:
    """The module's ``state_dict`` as one safetensors file, written atomically."""
    tensors = {k: _cpu_copy(v) for k, v in module.state_dict().items()}
    atomic_write_bytes(Path(path), safetensors.torch.save(tensors, metadata={"format": "pt"}))


# ------------------------------------------------------------- callback states
def _split_callback_states(
    callbacks: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], dict[str, torch.Tensor]]:
    """JSON for the metadata and tensors for the file: a list of arrays in a callback's state
    (EarlyStopping's best weights) becomes tensors ``callback/<i>/<key>/<j>``."""
    documents: list[dict[str, Any]] = []
    tensors: dict[str, torch.Tensor] = {}
    for index, entry in enumerate(callbacks):
        state: dict[str, Any] = {}
        for key, value in entry["state"].items():
            if isinstance(value, list) and value and all(isinstance(v, np.ndarray) for v in value):
                for j, array in enumerate(value):
                    tensors[f"callback/{index}/{key}/{j}"] = torch.from_numpy(
                        np.ascontiguousarray(array)
                    )
                state[key] = {"arrays": len(value)}
            else:
                state[key] = value
        documents.append({"class": entry["class"], "state": state})
    return documents, tensors


def _join_callback_states(
    documents: list[dict[str, Any]], tensors: dict[str, torch.Tensor]
) -> list[dict[str, Any]]:
    joined = []
    for index, entry in enumerate(documents):
        state = dict(entry["state"])
        for key, value in state.items():
            if isinstance(value, dict) and set(value) == {"arrays"}:
                state[key] = [
                    tensors[f"callback/{index}/{key}/{j}"].numpy()
                    for j in range(int(value["arrays"]))
                ]
        joined.append({"class": str(entry["class"]), "state": state})
    return joined


# ---------------------------------------------------------------- the contents
@dataclass
class Position:
    """Where training stands: ``batch`` batches of epoch ``epoch`` are done."""

    epoch: int
    batch: int
    shuffle_seed: int
    sums: dict[str, float] = field(default_factory=dict)  # running sums of the epoch in progress
    history: dict[str, list[float]] = field(default_factory=dict)
    history_epochs: list[int] = field(default_factory=list)
    # one {"class": name, "state": Callback.state_dict()} per callback of fit, in order
    callbacks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Checkpoint:
    path: Path
    position: Position
    tensors: dict[str, torch.Tensor]
    meta: dict[str, Any]


def _rng_state() -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    tensors = {"rng/torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i, state in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng/cuda/{i}"] = state
    numpy_state = np.random.get_state(legacy=False)
    assert isinstance(numpy_state, dict)
    numpy_json = {
        "bit_generator": numpy_state["bit_generator"],
        "state": {
            "key": [int(k) for k in numpy_state["state"]["key"]],
            "pos": int(numpy_state["state"]["pos"]),
        },
        "has_gauss": int(numpy_state["has_gauss"]),
        "gauss": float(numpy_state["gauss"]),
    }
    version, internal, gauss = random.getstate()
    python_json = {"version": version, "state": list(internal), "gauss": gauss}
    return tensors, {"numpy": numpy_json, "python": python_json}


def _restore_rng(tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
    torch.set_rng_state(tensors["rng/torch"])
    cuda = sorted(k for k in tensors if k.startswith("rng/cuda/"))
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([tensors[k] for k in cuda])
    numpy_json = meta["numpy"]
    np.random.set_state(
        {
            "bit_generator": numpy_json["bit_generator"],
            "state": {
                "key": np.asarray(numpy_json["state"]["key"], dtype=np.uint32),
                "pos": numpy_json["state"]["pos"],
            },
            "has_gauss": numpy_json["has_gauss"],
            "gauss": numpy_json["gauss"],
        }
    )
    python_json = meta["python"]
    random.setstate((python_json["version"], tuple(python_json["state"]), python_json["gauss"]))


def _optimizer_state(
    optimizer: torch.optim.Optimizer,
) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    state = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for index, entries in state["state"].items():
        for key, value in entries.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optimizer/{index}/{key}"] = _cpu_copy(value)
            else:
                scalars.setdefault(str(index), {})[key] = value
    groups = json.loads(
        json.dumps(state["param_groups"])
    )  # tuples -> lists; fails loudly on odd types
    return tensors, {"class": type(optimizer).__name__, "param_groups": groups, "scalars": scalars}


def _restore_optimizer(
    optimizer: torch.optim.Optimizer,
    tensors: dict[str, torch.Tensor],
    meta: dict[str, Any],
    path: Path,
) -> None:
    if meta["class"] != type(optimizer).__name__:
        raise ModelFileError(
            f"checkpoint {path} was written with optimizer {meta['class']}, the model is compiled "
            f"with {type(optimizer).__name__}: compile with the same optimizer to resume"
        )
    state: dict[int, dict[str, Any]] = {}
    for name, value in tensors.items():
        if name.startswith("optimizer/"):
            _, index, key = name.split("/", 2)
            state.setdefault(int(index), {})[key] = value
    for index, entries in meta["scalars"].items():
        state.setdefault(int(index), {}).update(entries)
    groups = meta["param_groups"]
    for group in groups:  # JSON turned tuples into lists; torch's own hyper-parameters want tuples
        for key, value in group.items():
            if key != "params" and isinstance(value, list):
                group[key] = tuple(value)
    try:
        optimizer.load_state_dict({"state": state, "param_groups": groups})
    except (ValueError, KeyError, RuntimeError) as error:
        raise ModelFileError(f"checkpoint {path}: optimizer state does not fit: {error}") from None


# ---------------------------------------------------------------- save / load
def checkpoint_name(epoch: int, batch: int) -> str:
    return f"ckpt-e{epoch:06d}-b{batch:08d}.safetensors"


def save_checkpoint(
    folder: str | Path,
    module: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    position: Position,
    *,
    keep: int = 2,
) -> Path:
    """Write one checkpoint atomically and delete all but the newest ``keep``."""
    folder = Path(folder)
    tensors = {f"module/{k}": _cpu_copy(v) for k, v in module.state_dict().items()}
    optimizer_tensors, optimizer_meta = _optimizer_state(optimizer)
    rng_tensors, rng_meta = _rng_state()
    callback_meta, callback_tensors = _split_callback_states(position.callbacks)
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "epoch": position.epoch,
        "batch": position.batch,
        "shuffle_seed": position.shuffle_seed,
        "sums": position.sums,
        "history": position.history,
        "history_epochs": position.history_epochs,
        "optimizer": optimizer_meta,
        "rng": rng_meta,
        "callbacks": callback_meta,
    }
    data = safetensors.torch.save(
        {**tensors, **optimizer_tensors, **rng_tensors, **callback_tensors},
        metadata={"rnnlens": json.dumps(meta)},
    )
    path = folder / checkpoint_name(position.epoch, position.batch)
    atomic_write_bytes(path, data)
    for old in list_checkpoints(folder)[:-keep]:
        old.unlink(missing_ok=True)
    return path


def list_checkpoints(folder: str | Path) -> list[Path]:
    """Checkpoint files in ``folder``, oldest first (by epoch, then batch)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if _NAME.match(p.name)]
    return sorted(found, key=lambda p: p.name)


def remove_stale_temporaries(folder: str | Path) -> None:
    """Delete hidden ``.tmp`` files a killed run may have left (never a finished checkpoint)."""
    folder = Path(folder)
    if folder.is_dir():
        for p in folder.glob(".ckpt-*.tmp"):
            p.unlink(missing_ok=True)


def read_checkpoint(path: str | Path) -> Checkpoint:
    """Read and validate one checkpoint file.

    Raises:
        ModelFileError: unreadable, truncated, not an rnnlens checkpoint, or another version.
    """
    path = Path(path)
    try:
        with safetensors.safe_open(str(path), framework="pt") as handle:
            raw = (handle.metadata() or {}).get("rnnlens")
            tensors = {k: handle.get_tensor(k) for k in handle.keys()}  # noqa: SIM118
    except (OSError, safetensors.SafetensorError, ValueError) as error:
        raise ModelFileError(f"checkpoint {path} cannot be read: {error}") from None
    try:
        meta = json.loads(raw) if raw else None
    except json.JSONDecodeError as error:
        raise ModelFileError(
            f"checkpoint {path}: its metadata is not valid JSON: {error}"
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(
            f"{path} is not an rnnlens training checkpoint (no '{FORMAT}' metadata)"
        )
    if meta.get("version") != VERSION:
        raise ModelFileError(
            f"checkpoint {path} has format version {meta.get('version')!r}; this rnnlens reads "
            f"version {VERSION}"
        )
    try:
        position = Position(
            epoch=int(meta["epoch"]),
            batch=int(meta["batch"]),
            shuffle_seed=int(meta["shuffle_seed"]),
            sums={k: float(v) for k, v in meta["sums"].items()},
            history={k: [float(x) for x in v] for k, v in meta["history"].items()},
            history_epochs=[int(e) for e in meta["history_epochs"]],
            callbacks=_join_callback_states(meta.get("callbacks", []), tensors),
        )
        if "rng/torch" not in tensors or "optimizer" not in meta or "rng" not in meta:
            raise KeyError("rng/torch, optimizer or rng")
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ModelFileError(f"checkpoint {path} is missing or garbles an entry: {error}") from None
    return Checkpoint(path, position, tensors, meta)


def load_latest(folder: str | Path) -> Checkpoint | None:
    """The newest readable checkpoint in ``folder`` (warning about any unreadable newer one)."""
    for path in reversed(list_checkpoints(folder)):
        try:
            return read_checkpoint(path)
        except ModelFileError as error:
            warnings.warn(f"{error}; trying an older checkpoint", RuntimeWarning, stacklevel=2)
    return None


def restore(
    checkpoint: Checkpoint, module: torch.nn.Module, optimizer: torch.optim.Optimizer
) -> None:
    """Put weights, optimizer state and every random generator back as they were saved."""
    path, tensors = checkpoint.path, checkpoint.tensors
    weights = {k[len("module/") :]: v for k, v in tensors.items() if k.startswith("module/")}
    own = module.state_dict()
    missing, extra = sorted(set(own) - set(weights)), sorted(set(weights) - set(own))
    if missing or extra:
        raise ModelFileError(
            f"checkpoint {path} does not match this model: missing {missing}, unexpected {extra}"
        )
    for name, value in weights.items():
        if tuple(value.shape) != tuple(own[name].shape):
            raise ModelFileError(
                f"checkpoint {path}: weight '{name}' has shape {tuple(value.shape)}, the model's "
                f"has {tuple(own[name].shape)}"
            )
    module.load_state_dict(weights)
    _restore_optimizer(optimizer, tensors, checkpoint.meta["optimizer"], path)
    _restore_rng(tensors, checkpoint.meta["rng"])
