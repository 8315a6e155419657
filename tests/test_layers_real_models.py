"""Real Sequential models (tests/data/real_models/layer_snippets.py, each with its source)
built in Keras 3 and in rnnlens: the same parameter counts and output shapes, layer by layer."""

from __future__ import annotations

import warnings
from typing import Any

import keras
import numpy as np
import pytest
import torch

import rnnlens
from rnnlens.layers import Input
from rnnlens.layers.legacy import build_legacy_layer

from .data.real_models.layer_snippets import SNIPPETS, Call, Snippet
from .layers_oracle import KERAS_WARNING

pytestmark = pytest.mark.filterwarnings(KERAS_WARNING)


def _value(value: Any, snippet: Snippet, build: Any) -> Any:
    if isinstance(value, Call):
        return build(value)
    if value == "GLOVE":  # a pretrained matrix the source loads from disk
        first = snippet.calls[0]
        return [np.zeros((first.args[0], first.args[1]), dtype="float32")]
    return value


def rnnlens_layer(call: Call, snippet: Snippet, notes: list[str]) -> Any:
    def build(inner: Call) -> Any:
        return rnnlens_layer(inner, snippet, notes)

    args = [_value(a, snippet, build) for a in call.args]
    kwargs = {k: _value(v, snippet, build) for k, v in call.kwargs.items()}
    layer, layer_notes = build_legacy_layer(call.name, args, kwargs)
    notes.extend(layer_notes)
    return layer


def keras_layer(call: Call, snippet: Snippet) -> Any:
    def build(inner: Call) -> Any:
        return keras_layer(inner, snippet)

    args = [_value(a, snippet, build) for a in call.args]
    kwargs = {k: _value(v, snippet, build) for k, v in call.kwargs.items()}
    return getattr(keras.layers, call.name)(*args, **kwargs)


def keras_model(snippet: Snippet) -> Any:
    keras.backend.clear_session(free_memory=False)
    shape = snippet.keras_input
    first = keras.Input(batch_shape=shape) if snippet.batch_shape else keras.Input(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # input_shape= after Input, input_length
        layers = [keras_layer(call, snippet) for call in (snippet.keras3 or snippet.calls)]
        if type(layers[0]).__name__ == "InputLayer":
            return keras.Sequential(layers)  # the source declares its input itself
        return keras.Sequential([first, *layers])


def rnnlens_model(snippet: Snippet) -> tuple[rnnlens.Sequential, list[str]]:
    rnnlens.clear_session()
    notes: list[str] = []
    layers = [rnnlens_layer(call, snippet, notes) for call in snippet.calls]
    first = layers[0]
    if first.declared_input_shape is None and type(first).__name__ != "InputLayer":
        # The source never says its input shape (Keras 3 then builds on the first batch):
        # both models get the same Input.
        shape = snippet.keras_input
        layers.insert(
            0, Input(shape[1:], batch_size=shape[0]) if snippet.batch_shape else Input(shape)
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rnnlens.model.IgnoredInputShapeWarning)
        return rnnlens.Sequential(layers), notes


@pytest.mark.parametrize("name", list(SNIPPETS))
def test_real_model_matches_keras(name: str) -> None:
    snippet = SNIPPETS[name]
    k_model = keras_model(snippet)
    r_model, notes = rnnlens_model(snippet)
    assert r_model.count_params() == k_model.count_params()
    assert len(r_model.layers) == len(k_model.layers)
    for k_layer, r_layer in zip(k_model.layers, r_model.layers, strict=True):
        assert r_layer.count_params() == k_layer.count_params(), r_layer.name
        assert r_layer.output_shape == tuple(k_layer.output.shape), r_layer.name
        assert type(r_layer).__name__ == type(k_layer).__name__
    trainable = sum(int(np.prod(w.shape)) for w in k_model.trainable_weights)
    lines: list[str] = []
    r_model.summary(print_fn=lines.append)
    assert f"Trainable params: {trainable:,}" in "\n".join(lines)
    assert bool(notes) == snippet.legacy  # old code gets notes, Keras 3 code none


def test_text_conv_counts_match_the_published_summary() -> None:
    """The source prints Keras's own summary of this model: 4,096, 28,704 and 7,200."""
    model, _ = rnnlens_model(SNIPPETS["text-conv-global-max"])
    assert [layer.count_params() for layer in model.layers[:4]] == [4096, 28704, 0, 7200]
    assert [layer.output_shape for layer in model.layers[:3]] == [
        (None, 1000, 128),
        (None, 994, 32),
        (None, 198, 32),
    ]


def test_small_real_models_compute_what_keras_computes() -> None:
    """Beyond the numbers in the summary: the same outputs with Keras's weights."""
    for name in ("peptide-conv-bilstm", "rnn-lstm-cell", "har-conv-lstm"):
        snippet = SNIPPETS[name]
        k_model = keras_model(snippet)
        r_model, _ = rnnlens_model(snippet)
        r_model.set_weights(k_model.get_weights())
        shape = [1 if d is None else d for d in (k_model.inputs[0].shape)]
        shape[0] = 1 if snippet.batch_shape else 2
        rng = np.random.default_rng(0)
        x = rng.integers(1, 26, shape) if name.startswith("peptide") else rng.normal(size=shape)
        x = x.astype("float32")
        expected = np.asarray(k_model(x).detach())
        np.testing.assert_allclose(r_model.predict(x), expected, atol=1e-5)


def _has_lstm(call: Call) -> bool:
    inner = [a for a in [*call.args, *call.kwargs.values()] if isinstance(a, Call)]
    return call.name == "LSTM" or any(_has_lstm(c) for c in inner)


@pytest.mark.parametrize(
    "name", [n for n, s in SNIPPETS.items() if any(_has_lstm(c) for c in s.calls)]
)
def test_real_lstm_models_are_traced_as_keras_computes(name: str) -> None:
    """rl.trace on real LSTM models, Keras's weights: every layer hands on what Keras 3's
    layer computes, and the LSTMs the fused kernel computes were read from oneDNN's workspace
    (float32 on CPU)."""
    from rnnlens.engine import workspace

    snippet = SNIPPETS[name]
    k_model = keras_model(snippet)
    r_model, _ = rnnlens_model(snippet)
    r_model.set_weights(k_model.get_weights())
    shape = [12 if d is None else d for d in k_model.inputs[0].shape]
    shape[0] = k_model.inputs[0].shape[0] or 2
    rng = np.random.default_rng(0)
    embedded = type(r_model.layers[0]).__name__ == "Embedding"
    x = rng.integers(1, 20, shape) if embedded else rng.normal(size=shape)
    x = x.astype("int64" if embedded else "float32")
    per_layer = keras.Model(k_model.inputs[0], [layer.output for layer in k_model.layers])
    expected = [np.asarray(y.detach()) for y in per_layer(x)]
    traced = rnnlens.trace(r_model, x)
    onednn = workspace.usable(torch.zeros(1, 1, 1), [])
    for k_out, layer, built in zip(expected, traced.layers, r_model.layers, strict=True):
        np.testing.assert_allclose(layer.output, k_out, rtol=0, atol=2e-5, err_msg=layer.name)
        if "LSTM" in layer.kind and onednn:
            spec = getattr(built, "forward_layer", built)
            # recurrent_dropout or another activation: the fused kernel cannot, the loop does
            source = "workspace" if spec.fusable else None
            assert {d.gates_from for d in layer.directions} == {source}, layer.name
