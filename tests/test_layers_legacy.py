"""Keras 0/1/2 calls: what rnnlens builds, the notes, and Keras 3's own verdict on the old code.

Every note that says "Keras 3 refuses" is checked against Keras 3 itself (the old spelling
must raise there), and every translated layer against the Keras 3 spelling of the same
model (parameter counts and output shapes).
"""

from __future__ import annotations

import warnings
from typing import Any

import keras
import pytest

import rnnlens
from rnnlens.errors import ConfigError
from rnnlens.layers import LSTM, Bidirectional, Dense, TimeDistributed
from rnnlens.layers.legacy import LEGACY_CLASSES, LEGACY_MODULES, build_legacy_layer

from .layers_oracle import KERAS_WARNING

pytestmark = pytest.mark.filterwarnings(KERAS_WARNING)

# (old class, args, kwargs, shape given to Keras 3's Input, Keras 3 recipe of the same layer)
CASES: dict[str, tuple[str, list[Any], dict[str, Any], tuple[Any, ...], Any]] = {
    "keras0-positional-lstm": ("LSTM", [8, 32], {}, (None, 8), lambda L: L.LSTM(32)),
    "keras0-positional-dense": ("Dense", [16, 4], {}, (16,), lambda L: L.Dense(4)),
    "keras1-lstm": (
        "LSTM",
        [],
        dict(
            output_dim=32,
            input_dim=8,
            input_length=10,
            init="glorot_uniform",
            inner_init="orthogonal",
            dropout_U=0.2,
            dropout_W=0.1,
            return_sequences=True,
        ),
        (10, 8),
        lambda L: L.LSTM(32, recurrent_dropout=0.2, dropout=0.1, return_sequences=True),
    ),
    "keras1-gru-forget-bias-consume-less": (
        "GRU",
        [16],
        dict(input_shape=(None, 4), inner_activation="hard_sigmoid", consume_less="gpu"),
        (None, 4),
        lambda L: L.GRU(16, recurrent_activation="hard_sigmoid"),
    ),
    "cudnn-lstm": (
        "CuDNNLSTM",
        [12],
        dict(return_sequences=True),
        (7, 3),
        lambda L: L.LSTM(12, return_sequences=True),
    ),
    "cudnn-gru": ("CuDNNGRU", [6], {}, (7, 3), lambda L: L.GRU(6)),
    "keras1-conv": (
        "Convolution1D",
        [],
        dict(
            nb_filter=32, filter_length=3, border_mode="same", activation="relu", subsample_length=1
        ),
        (20, 8),
        lambda L: L.Conv1D(32, 3, padding="same", activation="relu"),
    ),
    "keras1-atrous": (
        "AtrousConvolution1D",
        [8, 3],
        dict(atrous_rate=2),
        (20, 4),
        lambda L: L.Conv1D(8, 3, dilation_rate=2),
    ),
    "keras1-max-pooling": (
        "MaxPooling1D",
        [],
        dict(pool_length=2, stride=1),
        (9, 4),
        lambda L: L.MaxPooling1D(2, strides=1),
    ),
    "keras1-embedding": (
        "Embedding",
        [1000, 64],
        dict(input_length=50, init="uniform", W_regularizer=None, dropout=0.2),
        (50,),
        lambda L: L.Embedding(1000, 64),
    ),
    "keras2-embedding-input-length": (
        "Embedding",
        [500, 16],
        dict(input_length=30),
        (30,),
        lambda L: L.Embedding(500, 16),
    ),
    "keras1-dropout": ("Dropout", [], dict(p=0.5), (4, 3), lambda L: L.Dropout(0.5)),
    "keras1-dense-bias": (
        "Dense",
        [3],
        dict(bias=False, init="he_normal"),
        (5,),
        lambda L: L.Dense(3, use_bias=False, kernel_initializer="he_normal"),
    ),
    "keras1-batchnorm": (
        "BatchNormalization",
        [],
        dict(mode=0, beta_init="zero", gamma_init="one"),
        (6, 3),
        lambda L: L.BatchNormalization(),
    ),
    "time-distributed-dense": (
        "TimeDistributedDense",
        [5],
        {},
        (7, 3),
        lambda L: L.TimeDistributed(L.Dense(5)),
    ),
    "keras2-batch-input-shape": (
        "LSTM",
        [4],
        dict(batch_input_shape=(None, 6, 2)),
        (6, 2),
        lambda L: L.LSTM(4),
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_legacy_call_builds_the_keras3_layer(case: Any) -> None:
    class_name, args, kwargs, shape, modern = case
    layer, notes = build_legacy_layer(class_name, args, kwargs)
    assert notes, "every legacy call gets at least one note"
    keras.backend.clear_session(free_memory=False)
    k_model = keras.Sequential([keras.Input(shape), modern(keras.layers)])
    rnnlens.clear_session()
    if layer.declared_input_shape is not None:
        # the old code's own input declaration gives the shape Keras 3 needs Input for
        assert tuple(layer.declared_input_shape) == tuple(shape)
        r_model = rnnlens.Sequential([layer])
    else:
        r_model = rnnlens.Sequential([rnnlens.layers.Input(shape), layer])
    assert r_model.count_params() == k_model.count_params()
    assert r_model.output_shape == tuple(k_model.outputs[0].shape)
    assert type(layer).__name__ == type(k_model.layers[0]).__name__


def keras3_raises(class_name: str, args: list[Any], kwargs: dict[str, Any], shape: Any) -> bool:
    """Whether Keras 3 refuses the old call (missing class, bad argument, or no build)."""
    keras.backend.clear_session(free_memory=False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cls = getattr(keras.layers, class_name)
            keras.Sequential([keras.Input(shape), cls(*args, **kwargs)])
    except (AttributeError, ValueError, TypeError):
        return True
    return False


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_notes_say_truly_when_keras3_refuses(case: Any) -> None:
    class_name, args, kwargs, shape, _ = case
    _, notes = build_legacy_layer(class_name, args, kwargs)
    says_refused = any(
        note.startswith("Keras 3 refuses")
        or "gone in Keras 3" in note
        or "Keras 3 has no" in note
        or "Keras 3 reads input_dim" in note
        for note in notes
    )
    assert says_refused == keras3_raises(class_name, args, kwargs, shape)


def test_keras3_call_passes_through_without_notes() -> None:
    layer, notes = build_legacy_layer("LSTM", [32], {"return_sequences": True})
    assert notes == [] and isinstance(layer, LSTM) and layer.return_sequences
    layer, notes = build_legacy_layer("MaxPool1D", [2], {})
    assert notes == [] and type(layer).__name__ == "MaxPooling1D"


def test_embedding_input_length_is_what_keras3_ignores() -> None:
    keras.backend.clear_session(free_memory=False)
    with pytest.warns(UserWarning, match="input_length"):
        k_model = keras.Sequential(
            [keras.layers.Embedding(100, 8, input_length=12), keras.layers.LSTM(4)]
        )
    assert not k_model.built  # Keras 3 leaves it unbuilt ...
    layer, notes = build_legacy_layer("Embedding", [100, 8], {"input_length": 12})
    model = rnnlens.Sequential([layer, LSTM(4)])  # ... rnnlens builds it, and says why
    assert model.output_shape == (None, 4)
    assert any("leaves the model unbuilt" in note for note in notes)


@pytest.mark.parametrize("wrapper", ["Bidirectional", "TimeDistributed"])
def test_wrapped_input_shape_leaves_keras3_unbuilt(wrapper: str) -> None:
    keras.backend.clear_session(free_memory=False)
    inner_k = keras.layers.LSTM(4) if wrapper == "Bidirectional" else keras.layers.Dense(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inner_k = type(inner_k)(4 if wrapper == "Bidirectional" else 3, input_shape=(5, 2))
        k_model = keras.Sequential([getattr(keras.layers, wrapper)(inner_k)])
    assert not k_model.built
    inner = (
        LSTM(4, input_shape=(5, 2)) if wrapper == "Bidirectional" else Dense(3, input_shape=(5, 2))
    )
    layer, notes = build_legacy_layer(wrapper, [inner], {})
    assert isinstance(layer, (Bidirectional, TimeDistributed))
    assert any("leaves the model unbuilt" in note for note in notes)
    model = rnnlens.Sequential([layer])
    keras.backend.clear_session(free_memory=False)
    built = keras.Sequential(
        [
            keras.Input((5, 2)),
            getattr(keras.layers, wrapper)(
                keras.layers.LSTM(4) if wrapper == "Bidirectional" else keras.layers.Dense(3)
            ),
        ]
    )
    assert model.output_shape == tuple(built.outputs[0].shape)
    assert model.count_params() == built.count_params()


@pytest.mark.parametrize(
    ("class_name", "reason"),
    [
        ("Lambda", "Python code"),
        ("ConvLSTM2D", "outside rnnlens"),
        ("Merge", "Concatenate"),
        ("MyAttention", "custom layers"),
    ],
)
def test_unsupported_layers_are_named(class_name: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=rf"unsupported layer type '{class_name}'.*{reason}"):
        build_legacy_layer(class_name, [], {})


def test_bad_arguments_after_translation_still_name_the_layer() -> None:
    with pytest.raises(ConfigError, match=r"both output_dim= .* and units="):
        build_legacy_layer("LSTM", [], {"output_dim": 3, "units": 4})
    with pytest.raises(ConfigError, match="LSTM got an unknown argument 'foo'"):
        build_legacy_layer("LSTM", [3], {"foo": 1})
    with pytest.raises(ConfigError, match="mode=1"):
        build_legacy_layer("BatchNormalization", [], {"mode": 1})


def test_tables_for_the_reader() -> None:
    assert "LSTM" in LEGACY_MODULES["keras.layers.recurrent"]
    assert "Embedding" in LEGACY_MODULES["keras.layers.embeddings"]
    assert "Bidirectional" in LEGACY_MODULES["keras.layers.wrappers"]
    assert "Conv1D" in LEGACY_MODULES["keras.layers.convolutional"]
    assert LEGACY_CLASSES["CuDNNLSTM"][0] == "LSTM"
    for names in LEGACY_MODULES.values():
        for name in names:
            build_legacy_layer(name, *_minimal_arguments(name))  # every listed name builds


def _minimal_arguments(name: str) -> tuple[list[Any], dict[str, Any]]:
    from rnnlens.layers import LSTMCell

    table: dict[str, tuple[list[Any], dict[str, Any]]] = {
        "Embedding": ([10, 2], {}),
        "Bidirectional": ([LSTM(2)], {}),
        "TimeDistributed": ([Dense(2)], {}),
        "RNN": ([LSTMCell(2)], {}),
        "StackedRNNCells": ([[LSTMCell(2)]], {}),
        "Reshape": ([(2, 2)], {}),
        "Permute": ([(2, 1)], {}),
        "Activation": (["relu"], {}),
        "Dropout": ([0.1], {}),
        "SpatialDropout1D": ([0.1], {}),
        "RepeatVector": ([2], {}),
        "Conv1D": ([2, 2], {}),
        "Convolution1D": ([2, 2], {}),
        "AtrousConvolution1D": ([2, 2], {}),
    }
    if name in table:
        return table[name]
    if name in ("Flatten", "Masking", "BatchNormalization", "LayerNormalization") or "Pool" in name:
        return [], {}
    return [2], {}
