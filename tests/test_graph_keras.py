"""Functional graphs against Keras 3 (torch backend): the same recipe built in both, the same
weights (Keras's, copied with set_weights), then outputs, parameter counts, output shapes and
layer order compared."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import keras
import numpy as np
import pytest

import rnnlens as rl
from rnnlens import layers as L

ATOL = 1e-5
# Keras 3.15 calls np.array(variable) in get_weights(), which numpy 2 flags as deprecated.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.fixture(autouse=True)
def _fresh_keras_names() -> Iterator[None]:
    # Keras numbers layers per session: leave none of ours behind for the next test.
    yield
    keras.backend.clear_session()


Recipe = Callable[[Any, Any], tuple[Any, Any]]


def _seq2seq(lib: Any, inp: Any) -> tuple[Any, Any]:
    enc_in, dec_in = inp(shape=(6, 3)), inp(shape=(4, 2))
    _, h, c = lib.LSTM(5, return_state=True)(enc_in)
    dec = lib.LSTM(5, return_sequences=True)(dec_in, initial_state=[h, c])
    return [enc_in, dec_in], lib.TimeDistributed(lib.Dense(2))(dec)


def _gru_state(lib: Any, inp: Any) -> tuple[Any, Any]:
    enc_in, dec_in = inp(shape=(6, 3)), inp(shape=(4, 3))
    _, h = lib.GRU(4, return_sequences=True, return_state=True)(enc_in)
    dec = lib.GRU(4)(dec_in, initial_state=[h])
    return [enc_in, dec_in], lib.Dense(1)(lib.concatenate([dec, h]))


def _two_inputs(lib: Any, inp: Any) -> tuple[Any, Any]:
    a, b = inp(shape=(5, 3)), inp(shape=(5, 2))
    merged = lib.concatenate([lib.LSTM(4)(a), lib.SimpleRNN(3)(b)])
    return [a, b], lib.Dense(1, activation="sigmoid")(merged)


def _shared(lib: Any, inp: Any) -> tuple[Any, Any]:
    a, b = inp(shape=(5, 3)), inp(shape=(7, 3))
    shared = lib.LSTM(4)
    return [a, b], lib.Dense(1)(lib.subtract([shared(a), shared(b)]))


def _merges(lib: Any, inp: Any) -> tuple[Any, Any]:
    x = inp(shape=(5, 3))
    seq = lib.LSTM(4, return_sequences=True)(x)
    other = lib.Dense(4)(x)
    parts = [
        lib.add([seq, other]),
        lib.multiply([seq, other]),
        lib.average([seq, other, seq]),
        lib.maximum([seq, other]),
        lib.minimum([seq, other]),
        lib.dot([seq, other], axes=2),
        lib.Dot(axes=(1, 1), normalize=True)([seq, other]),
    ]
    return x, lib.Concatenate(axis=1)([parts[0], parts[1]]), *parts[2:]  # type: ignore[return-value]


def _two_outputs(lib: Any, inp: Any) -> tuple[Any, Any]:
    x = inp(shape=(5, 3))
    seq, h, c = lib.LSTM(4, return_sequences=True, return_state=True)(x)
    return x, [lib.Dense(2)(seq), lib.Dense(1)(h), c]


def _attention(lib: Any, inp: Any, **options: Any) -> tuple[Any, Any]:
    q_in, v_in = inp(shape=(4, 3)), inp(shape=(6, 3))
    query = lib.LSTM(5, return_sequences=True)(lib.Masking()(q_in))
    value = lib.LSTM(5, return_sequences=True)(lib.Masking()(v_in))
    out, scores = lib.Attention(**options)([query, value], return_attention_scores=True)
    return [q_in, v_in], [out, scores]


def _attention_causal(lib: Any, inp: Any) -> tuple[Any, Any]:
    x = inp(shape=(5, 3))
    seq = lib.GRU(4, return_sequences=True)(x)
    key = lib.Dense(4)(seq)
    return x, lib.Attention(use_scale=True)([seq, seq, key], use_causal_mask=True)


def _additive(lib: Any, inp: Any) -> tuple[Any, Any]:
    q_in, v_in = inp(shape=(4, 3)), inp(shape=(6, 3))
    query = lib.LSTM(5, return_sequences=True)(q_in)
    value = lib.Bidirectional(lib.LSTM(5, return_sequences=True), merge_mode="sum")(
        lib.Masking()(v_in)
    )
    context = lib.AdditiveAttention()([query, value])
    return [q_in, v_in], lib.Dense(1)(lib.concatenate([query, context]))


RECIPES: dict[str, Recipe] = {
    "seq2seq_initial_state": _seq2seq,
    "gru_state_handoff": _gru_state,
    "two_inputs_concatenate": _two_inputs,
    "shared_layer": _shared,
    "every_merge": _merges,
    "two_outputs": _two_outputs,
    "attention_dot_masked": lambda lib, inp: _attention(lib, inp),
    "attention_scaled": lambda lib, inp: _attention(lib, inp, use_scale=True),
    "attention_concat": lambda lib, inp: _attention(lib, inp, score_mode="concat", use_scale=True),
    "attention_causal_key": _attention_causal,
    "additive_attention_masked": _additive,
}


def _build(name: str) -> tuple[Any, Any]:
    recipe = RECIPES[name]
    keras.backend.clear_session()  # Keras numbers layers per session, as rnnlens per test
    rl.clear_session()
    k_in, *k_out = recipe(keras.layers, keras.Input)
    r_in, *r_out = recipe(L, L.Input)
    k_outs = k_out[0] if len(k_out) == 1 else k_out
    r_outs = r_out[0] if len(r_out) == 1 else r_out
    return keras.Model(k_in, k_outs), rl.Model(r_in, r_outs)


def _data(model: Any, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = []
    for tensor in model.inputs:
        x = rng.normal(size=(3, *tensor.shape[1:])).astype("float32")
        x[0, -2:] = 0.0  # padded steps, which Masking turns into a mask
        arrays.append(x)
    return arrays


@pytest.mark.parametrize("name", list(RECIPES))
def test_functional_graph_equals_keras(name: str) -> None:
    k_model, r_model = _build(name)
    assert [layer.name for layer in r_model.layers] == [layer.name for layer in k_model.layers]
    assert r_model.count_params() == k_model.count_params()
    for r_layer, k_layer in zip(r_model.layers, k_model.layers):
        assert r_layer.count_params() == k_layer.count_params(), r_layer.name
    k_shapes = k_model.output_shape if isinstance(k_model.output, list) else [k_model.output_shape]
    r_shapes = (
        r_model.output_shape if isinstance(r_model.output_shape, list) else [r_model.output_shape]
    )
    assert [tuple(s) for s in r_shapes] == [tuple(s) for s in k_shapes]
    rng = np.random.default_rng(1)
    k_model.set_weights(
        [rng.normal(0, 0.5, w.shape).astype("float32") for w in k_model.get_weights()]
    )
    r_model.set_weights(k_model.get_weights())
    x = _data(k_model)
    want = k_model.predict(x if len(x) > 1 else x[0], verbose=0)
    got = r_model.predict(x if len(x) > 1 else x[0])
    want = want if isinstance(want, list) else [want]
    got = got if isinstance(got, list) else [got]
    assert len(got) == len(want)
    for ours, theirs in zip(got, want):
        np.testing.assert_allclose(ours, theirs, atol=ATOL)


def test_inputs_by_name_give_the_same_outputs() -> None:
    k_model, r_model = _build("two_inputs_concatenate")
    r_model.set_weights(k_model.get_weights())
    a, b = _data(k_model)
    names = r_model.input_names
    np.testing.assert_allclose(
        r_model.predict({names[1]: b, names[0]: a}), k_model.predict([a, b], verbose=0), atol=ATOL
    )


def _chain(lib: Any, inp: Any) -> tuple[Any, Any]:
    x = inp(shape=(5, 3))
    return x, lib.Dense(1)(lib.LSTM(4)(x))


@pytest.mark.parametrize(
    "name",
    ["seq2seq_initial_state", "shared_layer", "two_outputs", "attention_causal_key", "chain"],
)
# Keras's console is 80 columns under pytest, so wider tables come back cut: compare up to 76.
@pytest.mark.parametrize("line_length", [60, 76])
def test_summary_is_keras_text(name: str, line_length: int) -> None:
    recipe = RECIPES.get(name, _chain)
    keras.backend.clear_session()
    rl.clear_session()
    k_in, k_out = recipe(keras.layers, keras.Input)
    r_in, r_out = recipe(L, L.Input)
    k_lines: list[str] = []
    keras.Model(k_in, k_out).summary(
        line_length=line_length, print_fn=lambda text, line_break=None: k_lines.append(text)
    )
    r_lines: list[str] = []
    rl.Model(r_in, r_out).summary(line_length=line_length, print_fn=r_lines.append)
    assert r_lines[0] == "\n".join(k_lines).rstrip("\n")
