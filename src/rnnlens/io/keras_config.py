"""Keras model configs (``config.json`` / ``model_config``) <-> rnnlens configs, as plain data.

Reading is an allow-list: each Keras layer class rnnlens has maps the keys it understands;
keys that change nothing rnnlens computes (``seed``, ``unroll``, ``null`` regularizers and
constraints, float32 dtype policies) are dropped; anything else — a regularizer, a custom
object, a ``Lambda``, a layer rnnlens lacks — is collected, and all problems are reported
together so one error message lists everything that blocks the import. No torch, no h5py.
"""

from __future__ import annotations

from typing import Any

from ..errors import ModelFileError, RnnlensError
from ..layers.objects import resolve
from ..layers.options import ACTIVATIONS, INITIALIZERS
from ..show import preview

_LOOP_KEYS = ("return_sequences", "return_state", "go_backwards", "stateful")
_PENALTIES = (
    "kernel_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "kernel_constraint",
    "bias_constraint",
)
_RECURRENT = (
    *_PENALTIES,
    "recurrent_regularizer",
    "recurrent_constraint",
    "units",
    "activation",
    "use_bias",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "dropout",
    "recurrent_dropout",
    "return_sequences",
    "return_state",
    "go_backwards",
    "stateful",
)
_CELL = tuple(key for key in _RECURRENT if key not in _LOOP_KEYS)
#: Keras class -> config keys handed to the rnnlens layer of the same name.
MAPPED: dict[str, tuple[str, ...]] = {
    "LSTM": (*_RECURRENT, "recurrent_activation", "unit_forget_bias"),
    "GRU": (*_RECURRENT, "recurrent_activation", "reset_after"),
    "SimpleRNN": _RECURRENT,
    "Dense": (
        *_PENALTIES,
        "units",
        "activation",
        "use_bias",
        "kernel_initializer",
        "bias_initializer",
    ),
    "Dropout": ("rate", "noise_shape", "seed"),
    "RepeatVector": ("n",),
    "Masking": ("mask_value",),
    "Flatten": (),
    "TimeDistributed": ("layer",),
    "Bidirectional": ("layer", "backward_layer", "merge_mode"),
    "Concatenate": ("axis",),
    "Add": (),
    "Subtract": (),
    "Multiply": (),
    "Average": (),
    "Maximum": (),
    "Minimum": (),
    "Dot": ("axes", "normalize"),
    "Attention": ("use_scale", "score_mode", "dropout"),
    "AdditiveAttention": ("use_scale", "dropout"),
    "Embedding": ("input_dim", "output_dim", "embeddings_initializer", "mask_zero"),
    "Activation": ("activation",),
    "Conv1D": (
        "filters",
        "kernel_size",
        "strides",
        "padding",
        "dilation_rate",
        "groups",
        "activation",
        "use_bias",
        "kernel_initializer",
        "bias_initializer",
    ),
    "MaxPooling1D": ("pool_size", "strides", "padding"),
    "AveragePooling1D": ("pool_size", "strides", "padding"),
    "GlobalMaxPooling1D": ("keepdims",),
    "GlobalAveragePooling1D": ("keepdims",),
    "BatchNormalization": (
        "axis",
        "momentum",
        "epsilon",
        "center",
        "scale",
        "beta_initializer",
        "gamma_initializer",
        "moving_mean_initializer",
        "moving_variance_initializer",
    ),
    "LayerNormalization": (
        "axis",
        "epsilon",
        "center",
        "scale",
        "beta_initializer",
        "gamma_initializer",
    ),
    "Reshape": ("target_shape",),
    "Permute": ("dims",),
    "SpatialDropout1D": ("rate", "seed"),
    "RNN": (
        "cell",
        "return_sequences",
        "return_state",
        "go_backwards",
        "stateful",
        "zero_output_for_mask",
    ),
    "StackedRNNCells": ("cells",),
    "LSTMCell": (*_CELL, "recurrent_activation", "unit_forget_bias"),
    "GRUCell": (*_CELL, "recurrent_activation", "reset_after"),
    "SimpleRNNCell": _CELL,
}
# Keras's short aliases, as Keras 2 files may name them.
_ALIASES = {
    "MaxPool1D": "MaxPooling1D",
    "AvgPool1D": "AveragePooling1D",
    "GlobalMaxPool1D": "GlobalMaxPooling1D",
    "GlobalAvgPool1D": "GlobalAveragePooling1D",
}
_FUNCTIONAL = ("Functional", "Model")
_COMMON = ("name", "trainable", "batch_input_shape", "input_shape", "batch_size")
# Keys that never change what the layer computes on its weights.
_IGNORED = (
    "seed",
    "unroll",
    "implementation",
    "zero_output_for_mask",
    "module",
    "time_major",
    "renorm_momentum",
    "lora_alpha",
    "noise_shape",
    "use_cudnn",
)
# Keys that are harmless only when null / false / default.
_MUST_BE = {
    "activity_regularizer": None,  # on layers other than Dense and the recurrent ones
    "quantization_config": None,
    "lora_rank": None,
    "sparse": False,
    "ragged": False,
    "optional": False,
    "time_major": False,
    "embeddings_regularizer": None,
    "embeddings_constraint": None,
    "beta_regularizer": None,
    "gamma_regularizer": None,
    "beta_constraint": None,
    "gamma_constraint": None,
    "renorm": False,
    "renorm_clipping": None,
    "synchronized": False,
    "rms_scaling": False,
}
_INITIALIZER_KEYS = (
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "embeddings_initializer",
    "beta_initializer",
    "gamma_initializer",
    "moving_mean_initializer",
    "moving_variance_initializer",
)
_FLOAT32 = ("float32", None)


def keras_to_rnnlens(model_config: object, source: str) -> dict[str, Any]:
    """A rnnlens ``Sequential`` config from a Keras model config (Keras 3 or Keras 2 layout).

    >>> keras = {"class_name": "Sequential", "config": {"name": "m", "layers": [
    ...     {"class_name": "InputLayer", "config": {"batch_shape": [None, 10, 2]}},
    ...     {"class_name": "LSTM", "config": {"units": 8, "kernel_regularizer": None}}]}}
    >>> keras_to_rnnlens(keras, "m.keras")["layers"][1]
    {'class_name': 'LSTM', 'config': {'units': 8}}

    Raises:
        ModelFileError: not a Sequential model, or layers/options rnnlens cannot reproduce
            (all of them listed).
    """
    if not isinstance(model_config, dict):
        raise ModelFileError(f"{source}: the model config is not a JSON object")
    kind = model_config.get("class_name")
    if kind in _FUNCTIONAL:
        return _functional_to_rnnlens(model_config, source)
    if kind != "Sequential":
        raise ModelFileError(
            f"{source}: a {preview(kind)} model; rnnlens reads Keras Sequential and functional models "
            "(keras.Sequential, keras.Model(inputs, outputs)); a subclassed model's code is not "
            "in its file: rebuild it in rnnlens, or save a functional equivalent"
        )
    body = model_config.get("config")
    layers = body.get("layers") if isinstance(body, dict) else body  # Keras 2.0: a bare list
    if not isinstance(layers, list) or not layers:
        raise ModelFileError(f"{source}: the Sequential config has no list of layers")
    problems: list[str] = []
    out: list[dict[str, Any]] = []
    for position, entry in enumerate(layers):
        converted = _layer(entry, problems, f"layer {position}")
        if converted is not None:
            out.append(converted)
    if problems:
        raise ModelFileError(
            f"{source}: cannot import this model; unsupported: " + "; ".join(problems[:20])
        )
    if out[0]["class_name"] != "Input" and not _declares_input(out[0]["config"]):
        build = model_config.get("build_config") or (
            body.get("build_config") if isinstance(body, dict) else None
        )
        shape = build.get("input_shape") if isinstance(build, dict) else None
        if not isinstance(shape, list) or len(shape) < 2:
            raise ModelFileError(
                f"{source}: the model was saved without an input shape (no Input layer), so its "
                "weights cannot be placed; save it after building it on data or with keras.Input"
            )
        out.insert(
            0, {"class_name": "Input", "config": {"shape": shape[1:], "batch_size": shape[0]}}
        )
    name = body.get("name") if isinstance(body, dict) else None
    return {"name": name if isinstance(name, str) and name else None, "layers": out}


def _functional_to_rnnlens(model_config: dict[str, Any], source: str) -> dict[str, Any]:
    """A functional config: each layer translated as in a Sequential, the wiring kept as is."""
    body = model_config.get("config")
    if not isinstance(body, dict) or not isinstance(body.get("layers"), list):
        raise ModelFileError(f"{source}: the functional config has no list of layers")
    problems: list[str] = []
    layers = []
    for position, entry in enumerate(body["layers"]):
        converted = _layer(entry, problems, f"layer {position}")
        if converted is None:
            continue
        assert isinstance(entry, dict)
        nodes = entry.get("inbound_nodes") or []
        if not isinstance(nodes, list):
            problems.append(f"layer {position}: inbound_nodes is not a list")
            continue
        layers.append(
            {**converted, "name": converted["config"].get("name"), "inbound_nodes": nodes}
        )
    if problems:
        raise ModelFileError(
            f"{source}: cannot import this model; unsupported: " + "; ".join(problems[:20])
        )
    name = body.get("name")
    return {
        "name": name if isinstance(name, str) and name else None,
        "layers": layers,
        "input_layers": body.get("input_layers"),
        "output_layers": body.get("output_layers"),
    }


def _declares_input(config: dict[str, Any]) -> bool:
    return any(config.get(key) is not None for key in ("batch_input_shape", "input_shape"))


def _layer(entry: object, problems: list[str], where: str) -> dict[str, Any] | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
        problems.append(f"{where}: not a layer entry")
        return None
    kind = entry["class_name"]
    config = entry.get("config")
    if not isinstance(config, dict):
        problems.append(f"{where} ({kind}): its config is not an object")
        return None
    name = config.get("name")
    where = f"layer {preview(name)} ({kind})" if isinstance(name, str) else f"{where} ({kind})"
    module = entry.get("module")
    if entry.get("registered_name") not in (None, kind) or (
        isinstance(module, str) and not module.startswith("keras")
    ):
        problems.append(
            f"{where}: custom object from {preview(module or entry.get('registered_name'))}"
        )
        return None
    if kind == "InputLayer":
        return _input_layer(config, problems, where)
    kind = _ALIASES.get(kind, kind)
    if kind == "Embedding":
        config = _embedding_length(config)
    if kind == "Lambda":
        problems.append(f"{where}: Lambda layers hold Python code, which rnnlens never runs")
        return None
    if kind not in MAPPED:
        problems.append(f"{where}: rnnlens has no {kind} layer (it has {', '.join(MAPPED)})")
        return None
    out: dict[str, Any] = {}
    for key, value in config.items():
        if key in MAPPED[kind] or key in _COMMON:
            converted = _value(kind, key, value, problems, where)
            if converted is not _DROP:
                out[key] = converted
        elif key == "dtype":
            _check_dtype(value, problems, where)
        elif key in _MUST_BE:
            if value != _MUST_BE[key]:
                problems.append(
                    f"{where}: {key}={_short(value)} (rnnlens supports only {_MUST_BE[key]})"
                )
        elif key.endswith(("_regularizer", "_constraint")) and value is None:
            pass  # a null regularizer or constraint changes nothing, on any layer
        elif key == "data_format":
            if value not in ("channels_last", None):
                problems.append(f"{where}: data_format={preview(value)} (only channels_last)")
        elif key.endswith(("_regularizer", "_constraint")) and value is None:
            continue  # Keras writes every penalty slot; an empty one changes nothing
        elif key not in _IGNORED:
            problems.append(f"{where}: option {key}={_short(value)}")
    if kind == "Bidirectional":
        _simplify_bidirectional(out)
    return {"class_name": kind, "config": out}


_DROP = object()


def _embedding_length(config: dict[str, Any]) -> dict[str, Any]:
    """Keras 2's ``input_length``: the input shape when the file gives no other."""
    config = dict(config)
    length = config.pop("input_length", None)
    if length is not None and not _declares_input(config):
        config["input_shape"] = [length]
    return config


def _value(kind: str, key: str, value: Any, problems: list[str], where: str) -> Any:
    if key in ("layer", "backward_layer") or (key == "cell" and isinstance(value, dict)):
        if value is None and key == "backward_layer":
            return _DROP
        return _layer(value, problems, f"{where}.{key}") or _DROP
    if key in ("cell", "cells"):
        if not isinstance(value, list):
            problems.append(f"{where}: {key} is not a layer entry or a list of them")
            return _DROP
        entries = [_layer(entry, problems, f"{where}.{key}[{i}]") for i, entry in enumerate(value)]
        return [entry for entry in entries if entry is not None]
    if key == "activation" or key == "recurrent_activation":
        return _activation(value, problems, where, key)
    if key in _INITIALIZER_KEYS:
        return _initializer(value, problems, where, key)
    if key.endswith(("_regularizer", "_constraint")):
        return _penalty(value, problems, where, key)
    return value


def _penalty(value: Any, problems: list[str], where: str, key: str) -> Any:
    """A regularizer or constraint rnnlens has (kept as Keras's dict), else a problem."""
    if value is None:
        return _DROP
    family = "regularizer" if key.endswith("_regularizer") else "constraint"
    try:
        resolve(family, where, key, value)
    except RnnlensError:
        problems.append(f"{where}: {key}={_short(value)} (a {family} rnnlens does not have)")
        return _DROP
    return value


def _activation(value: Any, problems: list[str], where: str, key: str) -> Any:
    if value is None or (isinstance(value, str) and value in ACTIVATIONS):
        return value
    # Keras 3 may write a built-in activation as {"module": "keras.activations", "config": "relu"}.
    if (
        isinstance(value, dict)
        and isinstance(value.get("config"), str)
        and str(value.get("module", "keras")).startswith("keras")
        and value["config"] in ACTIVATIONS
    ):
        return value["config"]
    problems.append(f"{where}: {key}={_short(value)} (a custom or unknown activation)")
    return _DROP


def _initializer(value: Any, problems: list[str], where: str, key: str) -> Any:
    # Initializers only decide the weights of a fresh model; an imported model brings its
    # weights, so an initializer rnnlens lacks falls back to rnnlens's default for that key.
    if isinstance(value, str):
        return value if value in INITIALIZERS else _DROP
    if isinstance(value, dict) and isinstance(value.get("class_name"), str):
        module = value.get("module")
        if value.get("registered_name") is not None or (
            isinstance(module, str) and not module.startswith("keras")
        ):
            problems.append(f"{where}: {key} is a custom object {_short(value.get('class_name'))}")
            return _DROP
        try:  # an initializer object rnnlens has keeps its arguments (Constant(0.5))
            resolve("initializer", where, key, value)
        except RnnlensError:
            return _DROP
        return value
    return _DROP


def _check_dtype(value: Any, problems: list[str], where: str) -> None:
    name = value
    if isinstance(value, dict):
        inner = value.get("config")
        name = inner.get("name") if isinstance(inner, dict) else None
    if name not in _FLOAT32:
        problems.append(f"{where}: dtype policy {_short(name)} (rnnlens computes in float32)")


def _input_layer(config: dict[str, Any], problems: list[str], where: str) -> dict[str, Any] | None:
    shape = config.get("batch_shape", config.get("batch_input_shape"))
    if not isinstance(shape, list) or len(shape) < 2:
        problems.append(f"{where}: no batch_shape")
        return None
    for key in ("sparse", "ragged"):
        if config.get(key):
            problems.append(f"{where}: {key}=True")
    _check_dtype(config.get("dtype"), problems, where)
    out = {"shape": shape[1:], "batch_size": shape[0]}
    if isinstance(config.get("name"), str) and config["name"]:
        out["name"] = config["name"]
    return {"class_name": "Input", "config": out}


def _simplify_bidirectional(config: dict[str, Any]) -> None:
    """Drop a backward layer that merely mirrors the forward one; undo Keras's name prefixes.

    Keras 3 writes both directions (named ``forward_gru``/``backward_gru``); rnnlens adds those
    prefixes itself, so keeping them would name the weights ``forward_forward_gru``.
    """
    forward, backward = config.get("layer"), config.get("backward_layer")
    for entry, prefix in ((forward, "forward_"), (backward, "backward_")):
        name = entry["config"].get("name") if isinstance(entry, dict) else None
        if isinstance(name, str) and name.startswith(prefix) and len(name) > len(prefix):
            entry["config"]["name"] = name[len(prefix) :]  # type: ignore[index]
    if isinstance(forward, dict) and isinstance(backward, dict):
        a, b = dict(forward["config"]), dict(backward["config"])
        flipped = bool(a.pop("go_backwards", False)) != bool(b.pop("go_backwards", False))
        if flipped and a == b and forward["class_name"] == backward["class_name"]:
            del config["backward_layer"]


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ------------------------------------------------------------------ rnnlens -> Keras
def rnnlens_to_keras(config: dict[str, Any]) -> dict[str, Any]:
    """The Keras 3 ``config.json`` for a rnnlens ``Sequential`` config (with its Input entry)
    or a functional one (``input_layers`` in it)."""
    if "input_layers" in config:
        return _functional_to_keras(config)
    layers = [_keras_layer(entry) for entry in config["layers"]]
    first = config["layers"][0]["config"]
    batch_shape = [first.get("batch_size"), *first["shape"]]
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": {"name": config.get("name") or "sequential", "trainable": True, "layers": layers},
        "registered_name": None,
        "build_config": {"input_shape": batch_shape},
        "compile_config": None,
    }


def _functional_to_keras(config: dict[str, Any]) -> dict[str, Any]:
    layers = []
    for entry in config["layers"]:
        out = _keras_layer(entry)
        nodes = [
            {"args": node["args"], "kwargs": node["kwargs"]} for node in entry["inbound_nodes"]
        ]
        layers.append({**out, "name": entry["name"], "inbound_nodes": nodes})
    body = {
        "name": config.get("name") or "functional",
        "trainable": True,
        "layers": layers,
        "input_layers": config["input_layers"],
        "output_layers": config["output_layers"],
    }
    return {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": body,
        "registered_name": "Functional",
        "build_config": None,
        "compile_config": None,
    }


def _keras_layer(entry: dict[str, Any]) -> dict[str, Any]:
    kind = entry["class_name"]
    config = dict(entry["config"])
    if kind == "InputLayer":
        config = {
            "batch_shape": list(config["batch_shape"]),
            "dtype": config.get("dtype") or "float32",
            "name": config["name"],
        }
    if kind == "Input":
        kind = "InputLayer"
        config = {
            "batch_shape": [config.get("batch_size"), *config["shape"]],
            "dtype": "float32",
            "name": config.get("name") or "input_layer",
        }
    config.pop("dtype", None)
    for key in ("layer", "backward_layer", "cell"):
        if isinstance(config.get(key), dict):
            config[key] = _keras_layer(config[key])
    for key in ("cell", "cells"):
        if isinstance(config.get(key), list):
            config[key] = [_keras_layer(item) for item in config[key]]
    if config.get("noise_shape") is not None:
        config["noise_shape"] = list(config["noise_shape"])
    return {"module": "keras.layers", "class_name": kind, "config": config, "registered_name": None}
