"""Keras 0/1/2 layer calls translated to the Keras 3 layers rnnlens builds, with notes.

Old code is full of names Keras 3 no longer has (``CuDNNLSTM``, ``Convolution1D``), old
argument names (``output_dim``, ``dropout_U``, ``init``) and old conventions (Keras 0's
``LSTM(input_dim, output_dim)``, Keras 1's ``input_dim`` + ``input_length`` on a recurrent
layer). :func:`build_legacy_layer` reads such a call, builds the Keras 3 equivalent and
returns one note per change: what the user must write for Keras 3, and whether Keras 3
itself refuses the old spelling (an error) or silently does something else. Nothing here is
executed from the user's code: the reader hands in already-evaluated arguments.

Module paths are the reader's business; :data:`LEGACY_MODULES` lists which names each old
module held, so ``from keras.layers.recurrent import LSTM`` can be resolved.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ConfigError
from .base import Layer

#: Old Keras modules and the layer names code imported from them (for the reader).
LEGACY_MODULES: dict[str, tuple[str, ...]] = {
    "keras.layers.recurrent": (
        "LSTM",
        "GRU",
        "SimpleRNN",
        "RNN",
        "LSTMCell",
        "GRUCell",
        "SimpleRNNCell",
        "StackedRNNCells",
    ),
    "keras.layers.cudnn_recurrent": ("CuDNNLSTM", "CuDNNGRU"),
    "keras.layers.wrappers": ("Bidirectional", "TimeDistributed"),
    "keras.layers.embeddings": ("Embedding",),
    "keras.layers.convolutional": (
        "Conv1D",
        "Convolution1D",
        "AtrousConvolution1D",
        "MaxPooling1D",
        "AveragePooling1D",
    ),
    "keras.layers.pooling": (
        "MaxPooling1D",
        "AveragePooling1D",
        "GlobalMaxPooling1D",
        "GlobalAveragePooling1D",
        "MaxPool1D",
        "AvgPool1D",
        "GlobalMaxPool1D",
        "GlobalAvgPool1D",
    ),
    "keras.layers.normalization": ("BatchNormalization", "LayerNormalization"),
    "keras.layers.core": (
        "Dense",
        "Activation",
        "Dropout",
        "Flatten",
        "Reshape",
        "Permute",
        "RepeatVector",
        "Masking",
        "SpatialDropout1D",
        "TimeDistributedDense",
    ),
    "keras.layers.noise": (),
    "keras.layers.advanced_activations": (),
}

#: Old class name -> (Keras 3 class name, what the user must know).
LEGACY_CLASSES: dict[str, tuple[str, str]] = {
    "CuDNNLSTM": (
        "LSTM",
        "CuDNNLSTM is gone in Keras 3 (a NameError there): write LSTM(...). Keras 3's LSTM "
        "runs on cuDNN by itself when its options allow. CuDNNLSTM was LSTM with "
        "recurrent_activation='sigmoid' and two biases per gate: its saved bias is (8·units,), "
        "Keras 3's (4·units,) (the two halves add up)",
    ),
    "CuDNNGRU": (
        "GRU",
        "CuDNNGRU is gone in Keras 3 (a NameError there): write GRU(...). CuDNNGRU was GRU "
        "with reset_after=True and recurrent_activation='sigmoid', which are Keras 3's defaults",
    ),
    "Convolution1D": (
        "Conv1D",
        "Convolution1D is Keras 1's name: write Conv1D (Keras 3 has no Convolution1D)",
    ),
    "AtrousConvolution1D": (
        "Conv1D",
        "AtrousConvolution1D is Keras 1's name: write Conv1D(..., dilation_rate=...)",
    ),
}

# Keras 1 argument -> Keras 2/3 argument, for every layer.
_RENAMES: dict[str, str] = {
    "dropout_U": "recurrent_dropout",
    "dropout_W": "dropout",
    "init": "kernel_initializer",
    "inner_init": "recurrent_initializer",
    "inner_activation": "recurrent_activation",
    "W_regularizer": "kernel_regularizer",
    "U_regularizer": "recurrent_regularizer",
    "b_regularizer": "bias_regularizer",
    "W_constraint": "kernel_constraint",
    "U_constraint": "recurrent_constraint",
    "b_constraint": "bias_constraint",
    "bias": "use_bias",
    "nb_filter": "filters",
    "filter_length": "kernel_size",
    "border_mode": "padding",
    "subsample_length": "strides",
    "atrous_rate": "dilation_rate",
    "pool_length": "pool_size",
    "stride": "strides",
    "beta_init": "beta_initializer",
    "gamma_init": "gamma_initializer",
}
# Per-layer exceptions to the table above.
_EMBEDDING_RENAMES = {
    "init": "embeddings_initializer",
    "W_regularizer": "embeddings_regularizer",
    "W_constraint": "embeddings_constraint",
}
# Keras 1 arguments that change nothing rnnlens (or Keras 3) computes.
_DROPPED = {
    "consume_less": "consume_less chose a Keras 1 implementation; Keras 3 has no such argument",
    "implementation": "implementation only chose how Keras computed the same numbers",
    "unroll": "unroll only changes speed",
}
_RECURRENT = ("LSTM", "GRU", "SimpleRNN")
# Layers on (batch, time, features): Keras 1 gave their input as input_dim + input_length.
_SEQUENCE_LAYERS = (
    *_RECURRENT,
    "RNN",
    "Conv1D",
    "MaxPooling1D",
    "AveragePooling1D",
    "Bidirectional",
)
_POSITIONAL_KERAS0 = (*_RECURRENT, "Dense", "TimeDistributedDense")


def build_legacy_layer(
    class_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]
) -> tuple[Layer, list[str]]:
    """Build the Keras 3 layer for a (possibly Keras 0/1/2) call ``class_name(*args, **kwargs)``.

    A call that is already Keras 3 comes back built, with no notes. Otherwise every
    translation adds one note, phrased as what to change for Keras 3; notes that start with
    ``"Keras 3 refuses"`` mark code Keras 3 raises an error on, the others code it accepts
    but reads differently (or ignores). Values must already be plain Python values or
    rnnlens layers (the reader evaluates them safely first).

    >>> layer, notes = build_legacy_layer("LSTM", [8, 32], {"dropout_U": 0.2})
    >>> layer.units, layer.recurrent_dropout, layer.declared_input_shape
    (32, 0.2, (None, 8))
    >>> notes[0][:34], notes[1]
    ('Keras 3 refuses LSTM(8, 32): Keras', 'Keras 3 refuses dropout_U=0.2: write recurrent_dropout=0.2')

    Args:
        class_name: the name as written (``"CuDNNLSTM"``, ``"LSTM"``, ``"MaxPool1D"``, ...).
        args: positional arguments, already evaluated.
        kwargs: keyword arguments, already evaluated.

    Returns:
        The layer, and the notes (possibly empty).

    Raises:
        ConfigError: a layer type rnnlens does not have (named, with the reason), or
            arguments the layer refuses even after translation.
    """
    from . import LAYER_TYPES

    notes: list[str] = []
    args, kwargs = list(args), dict(kwargs)
    name = class_name
    if name in LEGACY_CLASSES:
        name, note = LEGACY_CLASSES[name]
        notes.append(note)
        if class_name == "CuDNNLSTM":
            kwargs.setdefault("recurrent_activation", "sigmoid")
    if name == "TimeDistributedDense":
        notes.append(
            "TimeDistributedDense is gone in Keras 3 (a Keras 0/1 name): write "
            "TimeDistributed(Dense(...)), or Dense(...), which maps every step the same way"
        )
        dense, inner_notes = build_legacy_layer("Dense", args, _without_layer_kwargs(kwargs))
        wrapper = {k: v for k, v in kwargs.items() if k in _WRAPPER_KWARGS}
        return _construct(LAYER_TYPES["TimeDistributed"], "TimeDistributed", [dense], wrapper), [
            *notes,
            *inner_notes,
        ]
    cls = LAYER_TYPES.get(name)
    if cls is None:
        raise ConfigError(_unsupported(class_name))
    if name in _POSITIONAL_KERAS0 and len(args) >= 2 and all(_is_int(a) for a in args[:2]):
        input_dim, units = args[0], args[1]
        args = [units, *args[2:]]
        if name in _RECURRENT:
            kwargs.setdefault("input_shape", (None, input_dim))
        else:
            kwargs.setdefault("input_dim", input_dim)
        notes.append(
            f"Keras 3 refuses {class_name}({input_dim}, {units}): Keras 0 read it as "
            f"(input_dim, output_dim); write {name}({units}) after keras.Input(shape=(..., {input_dim}))"
        )
    _rename_arguments(name, kwargs, notes)
    if name in _SEQUENCE_LAYERS:
        _sequence_input(name, kwargs, notes)
    elif name == "Embedding":
        _embedding(kwargs, notes)
    if kwargs.get("batch_input_shape") is not None:
        notes.append(
            f"Keras 3 refuses batch_input_shape={tuple(kwargs['batch_input_shape'])}: write "
            f"keras.Input(batch_shape={tuple(kwargs['batch_input_shape'])}) as the first layer"
        )
    if "weights" in kwargs and name != "Embedding":
        kwargs.pop("weights")
        notes.append(
            f"Keras 3 refuses weights= on {name} (only Embedding keeps it): call "
            "layer.set_weights(...) once the model is built; rnnlens starts from fresh weights"
        )
    if name == "BatchNormalization" and kwargs.pop("mode", 0) != 0:
        raise ConfigError("BatchNormalization: Keras 1's mode=1 or 2 has no Keras 3 equivalent")
    _drop_unsupported_options(cls, name, kwargs, notes)
    if name in ("Bidirectional", "TimeDistributed") and args and isinstance(args[0], Layer):
        inner = args[0]
        if inner.declared_input_shape is not None and not _declares_input(kwargs):
            notes.append(
                f"{name}({type(inner).__name__}(..., input_shape=...)): Keras 3 ignores an "
                "input_shape given to the wrapped layer and leaves the model unbuilt (no "
                "summary, no weights until it sees data); rnnlens uses it. For Keras 3 put "
                "keras.Input(shape=...) first"
            )
    layer = _construct(cls, name, args, kwargs)
    return layer, notes


_WRAPPER_KWARGS = ("name", "input_shape", "batch_input_shape", "input_dim", "trainable")


def _without_layer_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if k not in ("name", "trainable")}


def _construct(cls: type[Layer], name: str, args: list[Any], kwargs: dict[str, Any]) -> Layer:
    from .embedding import LegacyArgumentWarning

    try:
        with warnings.catch_warnings():
            # the note already says what the warning would
            warnings.simplefilter("ignore", LegacyArgumentWarning)
            return cls(*args, **kwargs)
    except TypeError as error:  # a wrong number of positional arguments
        raise ConfigError(f"{name}: {error}".replace("__init__() ", "")) from None


def _rename_arguments(name: str, kwargs: dict[str, Any], notes: list[str]) -> None:
    renames = {**_RENAMES, **(_EMBEDDING_RENAMES if name == "Embedding" else {})}
    if name == "Dropout" and "p" in kwargs:
        renames["p"] = "rate"
    if "output_dim" in kwargs and name != "Embedding":
        renames["output_dim"] = "units"
    for old in [k for k in kwargs if k in renames]:
        new = renames[old]
        value = kwargs.pop(old)
        if new in kwargs:
            raise ConfigError(f"{name}: both {old}= (Keras 1) and {new}= given; keep only {new}=")
        notes.append(f"Keras 3 refuses {old}={value!r}: write {new}={value!r}")
        kwargs[new] = value
    if "forget_bias_init" in kwargs:
        value = kwargs.pop("forget_bias_init")
        kwargs.setdefault("unit_forget_bias", value == "one")
        notes.append(
            f"Keras 3 refuses forget_bias_init={value!r}: write unit_forget_bias="
            f"{value == 'one'} (Keras 3's default is True, a forget bias of 1)"
        )
    for old, why in _DROPPED.items():
        if old in kwargs:
            value = kwargs.pop(old)
            if old != "unroll" and old != "implementation":
                notes.append(f"Keras 3 refuses {old}={value!r}: remove it ({why})")
    for key in [k for k in kwargs if k.endswith("_initializer")]:
        if isinstance(kwargs[key], str) and kwargs[key] in _KERAS1_INITIALIZERS:
            kwargs[key] = _KERAS1_INITIALIZERS[kwargs[key]]


# Keras 1 initializer names that Keras 3 spells differently.
_KERAS1_INITIALIZERS = {
    "uniform": "random_uniform",
    "normal": "random_normal",
    "zero": "zeros",
    "one": "ones",
}


def _sequence_input(name: str, kwargs: dict[str, Any], notes: list[str]) -> None:
    """Keras 1/2 sequence layers read ``input_dim`` (+ ``input_length``) as (time, features)."""
    length = kwargs.pop("input_length", None)
    if kwargs.get("input_dim") is not None and kwargs.get("input_shape") is None:
        features = kwargs.pop("input_dim")
        kwargs["input_shape"] = (length, features)
        notes.append(
            f"Keras 3 reads input_dim={features} on {name} as input_shape=({features},), a shape "
            f"without a time axis, and then refuses the layer: write "
            f"keras.Input(shape=({length}, {features})) first"
        )
    elif length is not None:
        notes.append(
            f"Keras 3 refuses input_length={length} on {name}: give the time axis in keras.Input(shape=({length}, features))"
        )
        if kwargs.get("input_shape") is not None and next(iter(kwargs["input_shape"])) is None:
            kwargs["input_shape"] = (length, *tuple(kwargs["input_shape"])[1:])
    # Only for calls already shown to be Keras 1/2 code: Keras 3 code means Keras 3 defaults.
    if name in ("LSTM", "GRU") and notes and "recurrent_activation" not in kwargs:
        notes.append(
            f"Keras 1 and 2 (before 2.3) defaulted {name}'s recurrent_activation to 'hard_sigmoid'"
            + (" and GRU's reset_after to False" if name == "GRU" else "")
            + "; Keras 3 uses 'sigmoid'"
            + (" and reset_after=True" if name == "GRU" else "")
            + ": set them explicitly to reuse weights trained with the old defaults"
        )


def _embedding(kwargs: dict[str, Any], notes: list[str]) -> None:
    length = kwargs.get("input_length")
    if length is not None:
        notes.append(
            f"Keras 3 ignores input_length={length} (with a warning) and leaves the model "
            f"unbuilt until it sees data; rnnlens reads it as the input shape ({length},). "
            f"For Keras 3 write keras.Input(shape=({length},)) first and remove input_length"
        )
    if "dropout" in kwargs:
        rate = kwargs.pop("dropout")
        notes.append(
            f"Keras 3 refuses Embedding(dropout={rate!r}) (Keras 1 dropped whole words): put "
            f"SpatialDropout1D({rate!r}) after the Embedding instead"
        )


def _drop_unsupported_options(
    cls: type[Layer], name: str, kwargs: dict[str, Any], notes: list[str]
) -> None:
    """Regularizers and constraints shape training only: kept when rnnlens has them, else noted."""
    accepted = set(cls._constructor_arguments())
    for key in [k for k in kwargs if k.endswith(("_regularizer", "_constraint"))]:
        if key in accepted:
            continue
        value = kwargs.pop(key)
        if value is not None and key != "activity_regularizer":
            notes.append(
                f"{name}: {key}={value!r} is valid Keras 3 but not applied by rnnlens (it "
                "changes training only, not the shapes or the forward pass)"
            )


def _declares_input(kwargs: Mapping[str, Any]) -> bool:
    return any(kwargs.get(k) is not None for k in ("input_shape", "batch_input_shape", "input_dim"))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_REFUSED = {
    "Lambda": "a Lambda layer holds Python code, which rnnlens never runs",
    "Merge": "Keras 1's Merge layer is gone from Keras 3: use Concatenate / Add with the functional API",
    "ConvLSTM2D": "ConvLSTM2D (a convolutional recurrent layer over images) is outside rnnlens",
    "ConvLSTM1D": "ConvLSTM1D (a convolutional recurrent layer) is outside rnnlens",
}


def _unsupported(class_name: str) -> str:
    from . import LAYER_TYPES

    reason = _REFUSED.get(
        class_name, "it is not a layer rnnlens has (custom layers are Python code)"
    )
    return f"unsupported layer type {class_name!r}: {reason}; rnnlens knows: " + ", ".join(
        sorted({*LAYER_TYPES, *LEGACY_CLASSES})
    )


__all__ = ["LEGACY_CLASSES", "LEGACY_MODULES", "build_legacy_layer"]
