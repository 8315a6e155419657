"""``rnnlens train --config FILE``: train from a small declarative config, alone or under torchrun.

The same command runs on one process or many without change::

    rnnlens train --config run.toml
    torchrun --nproc_per_node=2 -m rnnlens.cli train --config run.toml

A config (TOML or JSON; relative paths are relative to the config file)::

    seed = 0
    epochs = 20
    batch_size = 32            # the global batch: split evenly over the processes
    checkpoint_dir = "runs/sunspots"
    loss = "mse"
    model = "LSTM(32, return_sequences=True, input_shape=(12, 1)) -> LSTM(16) -> Dense(1)"

    [data]
    name = "sunspots"          # a shipped dataset, or path = "x_y.npz" / "series.csv"
    time_steps = 12

    [optimizer]
    name = "adam"
    learning_rate = 0.01

``model`` is a spec string (read by :mod:`rnnlens.parse`, never executed) or a list of layer
dicts ``{"class_name": "LSTM", "config": {...}}`` as in a saved model's config. Every key is
checked; a misspelt one is an error naming the file and the keys it accepts.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InputDataError

TOP_KEYS = {
    "model": "spec string or list of layer dicts (required)",
    "data": "table: name | path, time_steps, horizon, normalize, max_samples (required)",
    "optimizer": "name or table {name, learning_rate, ...}; default adam",
    "loss": "loss name; default mse",
    "metrics": "list of metric names",
    "epochs": "number of epochs; default 1",
    "batch_size": "global batch size; default 32",
    "shuffle": "shuffle every epoch; default true",
    "seed": "integer seed; default 0",
    "validation_split": "fraction of samples held out (the last ones); default 0",
    "checkpoint_dir": "folder for checkpoints and history.json; resumes from it",
    "output": "path of the trained model (.rnnlens), written by rank 0",
    "verbose": "0 silent, 1 progress bar, 2 one line per epoch; default 2",
    "distributed": "true / false / absent (absent: detect torchrun)",
    "timeout": "seconds a process waits for a lost peer before failing; default 300",
}
DATA_KEYS = ("name", "path", "time_steps", "horizon", "normalize", "max_samples")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, help="TOML or JSON training config")


def run(args: argparse.Namespace) -> int:
    from ..train.distributed import setup

    path = Path(args.config)
    config = read_config(path)
    ctx = setup(config.get("distributed"), timeout_s=config.get("timeout"))
    with ctx.guard():  # a lost peer: one clear error, no waiting on a dead group
        summary = train_from_config(config, path.parent, ctx)
    ctx.shutdown()  # every rank reaches here before any tears the group down
    if ctx.is_main:
        print(summary)
    return 0


def read_config(path: Path) -> dict[str, Any]:
    """The config as a dict, with its keys checked against :data:`TOP_KEYS`."""
    text = path.read_text(encoding="utf-8")
    try:
        config = json.loads(text) if path.suffix.lower() == ".json" else load_toml(text)
    except (ValueError, ImportError) as error:  # JSONDecodeError, TOMLDecodeError
        raise ConfigError(f"{path}: not a valid {path.suffix or 'TOML'} config: {error}") from None
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: the config must be a table/object of settings")
    unknown = sorted(set(config) - set(TOP_KEYS))
    if unknown:
        accepted = "\n".join(f"  {key}: {meaning}" for key, meaning in TOP_KEYS.items())
        raise ConfigError(f"{path}: unknown key(s) {unknown}; the accepted keys are:\n{accepted}")
    for key in ("epochs", "batch_size", "seed", "verbose"):  # caught before any work
        _integer(config, key, 0)
    for required in ("model", "data"):
        if required not in config:
            raise ConfigError(f"{path}: missing '{required}' ({TOP_KEYS[required]})")
    return config


def load_toml(text: str) -> dict[str, Any]:
    """Parse TOML with the standard library's ``tomllib`` (3.11+) or ``tomli`` (3.10)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the same parser, a dependency there as tomli
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(text)


def build_model(spec: Any) -> Any:
    """A :class:`~rnnlens.Sequential` from a spec string or a list of layer dicts."""
    from ..model import Sequential

    if isinstance(spec, str):
        from ..parse import parse_spec

        return parse_spec(spec)
    if isinstance(spec, list):
        return Sequential.from_config({"layers": spec})
    raise ConfigError(
        'model must be a spec string such as "LSTM(32, input_shape=(12, 1)) -> Dense(1)" '
        f"or a list of layer dicts {{class_name, config}}, received {type(spec).__name__}"
    )


def load_data(data: Any, base: Path) -> tuple[Any, Any]:
    """``x`` (samples, time, features) and ``y`` from the ``[data]`` table."""
    import numpy as np

    from .. import data as datasets

    if not isinstance(data, dict) or sum(k in data for k in ("name", "path")) != 1:
        raise ConfigError('data must be a table with either name = "sunspots" or path = "FILE"')
    unknown = sorted(set(data) - set(DATA_KEYS))
    if unknown:
        raise ConfigError(f"data: unknown key(s) {unknown}; accepted: {list(DATA_KEYS)}")
    if "name" in data:
        loaded = datasets.load(data["name"])
        if isinstance(loaded, datasets.LabelledSequences):
            x, y = datasets.pad(loaded.x_train), loaded.y_train
        else:
            x, y = _windowed(loaded.values, data)
    else:
        file = base / str(data["path"])
        if file.suffix.lower() == ".npz":
            x, y = _read_npz(file)
        elif file.suffix.lower() == ".csv":
            x, y = _windowed(_read_csv_series(file), data)
        else:
            raise ConfigError(f"data.path {file}: expected an .npz (arrays x, y) or a .csv series")
    limit = data.get("max_samples")
    if limit is not None:
        x, y = x[: int(limit)], y[: int(limit)]
    return np.asarray(x, dtype=np.float32), np.asarray(y)


def _windowed(series: Any, data: dict[str, Any]) -> tuple[Any, Any]:
    import numpy as np

    from ..data import windows

    if "time_steps" not in data:
        raise ConfigError("data: a series needs time_steps = N (the length of each input window)")
    values = np.asarray(series, dtype=float)
    if data.get("normalize", True):  # z-score over the whole series: keeps MSE in a sane range
        values = (values - values.mean(axis=0)) / (values.std(axis=0) or 1.0)
    return windows(values, data["time_steps"], data.get("horizon", 1))


def _read_npz(file: Path) -> tuple[Any, Any]:
    import numpy as np

    try:
        with np.load(file, allow_pickle=False) as archive:  # never unpickle a data file
            missing = [k for k in ("x", "y") if k not in archive.files]
            if missing:
                raise InputDataError(
                    f"{file}: needs arrays named x and y, found {archive.files}; save with "
                    "np.savez(path, x=x, y=y)"
                )
            return archive["x"], archive["y"]
    except ValueError as error:  # object arrays need pickle: refused
        raise InputDataError(f"{file}: unreadable without pickle ({error})") from None


def _read_csv_series(file: Path) -> Any:
    import numpy as np

    rows = file.read_text(encoding="utf-8").splitlines()
    if rows and not rows[0].replace(",", "").replace(".", "").replace("-", "").strip().isdigit():
        rows = rows[1:]  # a header line
    try:
        return np.array([[float(v) for v in row.split(",")] for row in rows if row.strip()])
    except ValueError as error:
        raise InputDataError(f"{file}: a .csv series must hold numbers only ({error})") from None


def train_from_config(config: dict[str, Any], base: Path, ctx: Any) -> str:
    """Build, compile and fit the model the config describes; returns a one-line summary."""
    import rnnlens as rl

    from ..train.distributed import DistributedError

    seed = _integer(config, "seed", 0)
    rl.set_seed(seed)  # the same initial weights and epoch order on every rank
    model = build_model(config["model"])
    optimizer = config.get("optimizer", "adam")
    options = dict(optimizer) if isinstance(optimizer, dict) else {"name": optimizer}
    model.compile(
        optimizer=options.pop("name", "adam"),
        loss=config.get("loss", "mse"),
        metrics=config.get("metrics"),
        **options,
    )
    x, y = load_data(config["data"], base)
    checkpoint_dir = config.get("checkpoint_dir")
    history = model.fit(
        x,
        y,
        epochs=_integer(config, "epochs", 1),
        batch_size=_integer(config, "batch_size", 32),  # global: fit gives each rank its share
        shuffle=bool(config.get("shuffle", True)),
        validation_split=float(config.get("validation_split", 0.0)),
        verbose=_integer(config, "verbose", 2) if ctx.is_main else 0,
        checkpoint_dir=None if checkpoint_dir is None else base / checkpoint_dir,
        resume=checkpoint_dir is not None,  # rerunning the same command continues the run
        distributed=config.get("distributed"),
    )
    digests = ctx.weight_digests(model.module)
    if len(set(digests)) != 1:  # DDP broke its promise: a bug, never the user's doing
        raise DistributedError(f"ranks ended with different weights, sha256 by rank: {digests}")
    if ctx.is_main:
        if checkpoint_dir is not None:
            _write_history(base / checkpoint_dir / "history.json", history.history, digests)
        if "output" in config:
            model.save(base / config["output"])
    losses = history.history.get("loss", [])
    last = f"loss {losses[-1]:.6g}" if losses else "no epochs run"
    return (
        f"trained {len(x)} samples on {ctx.world_size} process(es): {last}; weights identical "
        f"on all ranks, sha256 {digests[0][:16]}"
    )


def _integer(config: dict[str, Any], key: str, default: int) -> int:
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"config key {key!r} must be an integer, received {value!r}")
    return value


def _write_history(path: Path, history: dict[str, Any], digests: list[str]) -> None:
    from ..io.atomic import write_atomic

    record = {"history": history, "world_size": len(digests), "weights_sha256_by_rank": digests}
    text = json.dumps(record, indent=1)
    write_atomic(path, text.encode("utf-8"))
