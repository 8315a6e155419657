"""The model graph without Keras: errors on bad graphs, subclassed models, shared weights,
Sequential as a chain, gradients of a graph in float64 against torch.nn, and the other
consumers (to_torch, ONNX, trace, report) on graph models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keras
import numpy as np
import pytest
import torch

import rnnlens as rl
from rnnlens import layers as L
from rnnlens.errors import ConfigError, ShapeError

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.fixture(autouse=True)
def _fresh_keras_names() -> Iterator[None]:
    keras.backend.clear_session()
    yield
    keras.backend.clear_session()


# ------------------------------------------------------------------ bad graphs
def test_an_output_from_an_input_not_given_names_it_and_the_fix() -> None:
    a, b = L.Input(shape=(5, 3), name="a"), L.Input(shape=(5, 3), name="b")
    merged = L.concatenate([L.LSTM(4)(a), L.LSTM(4)(b)])
    with pytest.raises(ConfigError, match=r"disconnected.*input 'b'.*add it to the inputs"):
        rl.Model(a, L.Dense(1)(merged))


def test_a_model_input_that_is_not_an_input_is_refused() -> None:
    x = L.Input(shape=(5, 3))
    hidden = L.LSTM(4, name="enc")(x)
    with pytest.raises(ConfigError, match=r"input #0 is enc\[0\]\[0\].*not an Input"):
        rl.Model(hidden, L.Dense(1)(hidden))
    with pytest.raises(ConfigError, match="Model inputs #0 is ndarray"):
        rl.Model(np.zeros((1, 5, 3)), L.Dense(1)(hidden))


def test_incompatible_shapes_name_the_layer_and_the_fix() -> None:
    a, b = L.Input(shape=(5, 3)), L.Input(shape=(5, 4))
    with pytest.raises(ShapeError, match=r"layer 'add' \(Add\).*axis 2 is 3 in one and 4"):
        L.add([a, b])
    with pytest.raises(ShapeError, match=r"layer 'lstm' \(LSTM\) takes one tensor.*concatenate"):
        L.LSTM(2)([a, b])
    vector = L.LSTM(3, name="enc")(a)
    with pytest.raises(ShapeError, match=r"'dec' \(LSTM\) expects input \(batch, time, features\)"):
        L.LSTM(3, name="dec")(vector)
    _, h = L.GRU(3, return_state=True)(a)
    with pytest.raises(ShapeError, match=r"carries 2 state\(s\) \(h, c\).*pass \[h, c\]"):
        L.LSTM(3)(b, initial_state=[h])
    with pytest.raises(ShapeError, match=r"initial_state 'h' must be \(batch, 5\).*units=5"):
        L.GRU(5)(b, initial_state=[h])


def test_a_shared_layer_refuses_a_shape_that_needs_other_weights() -> None:
    shared = L.LSTM(4, name="shared")
    shared(L.Input(shape=(5, 3)))
    shared(L.Input(shape=(9, 3)))  # other length, same weights: fine
    with pytest.raises(ShapeError, match=r"'shared' \(LSTM\) is shared.*same feature size"):
        shared(L.Input(shape=(5, 2)))


def test_calling_a_layer_on_numbers_or_unpacking_one_tensor_says_what_to_do() -> None:
    with pytest.raises(ConfigError, match=r"not on a symbolic tensor.*model\.predict"):
        L.Dense(2)(np.zeros((2, 3)))
    with pytest.raises(ShapeError, match="cannot be unpacked: give the layer return_state=True"):
        _, _ = L.LSTM(2)(L.Input(shape=(5, 3)))
    with pytest.raises(ConfigError, match="unknown argument 'initial_states'"):
        L.LSTM(2)(L.Input(shape=(5, 3)), initial_states=None)


# --------------------------------------------------------------- graph facts
def test_a_shared_layer_has_one_weight_set_and_two_nodes() -> None:
    a, b = L.Input(shape=(5, 3)), L.Input(shape=(7, 3))
    shared = L.LSTM(4)
    model = rl.Model([a, b], L.add([shared(a), shared(b)]))
    assert len(shared.inbound_nodes) == 2
    assert model.count_params() == 4 * 4 * (3 + 4 + 1)
    assert len(list(model.module.parameters())) == 3


def test_sequential_is_a_chain_on_the_graph() -> None:
    model = rl.Sequential([L.LSTM(4, input_shape=(5, 3)), L.Dense(1)])
    assert [node.layer.name for node in model.nodes] == ["lstm", "dense"]
    assert model.nodes[1].input_tensors == model.nodes[0].outputs
    assert model.inputs[0].shape == (None, 5, 3) and model.outputs[0].shape == (None, 1)
    model.pop()
    assert model.outputs[0].shape == (None, 4) and len(model.layers) == 1
    model.add(L.Dense(2))
    assert model.output_shape == (None, 2)


def test_layers_are_in_keras_topological_order() -> None:
    x = L.Input(shape=(5, 3), name="x")
    seq = L.LSTM(4, return_sequences=True, name="l1")(x)
    side = L.Dense(4, name="side")(x)
    model = rl.Model(x, L.Dense(1, name="head")(L.add([seq, side], name="sum")))
    assert [layer.name for layer in model.layers] == ["x", "l1", "side", "sum", "head"]


# ------------------------------------------------------------ subclassed model
class KerasNet(keras.Model):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = keras.layers.LSTM(4, return_state=True)
        self.head = keras.layers.Dense(2)

    def call(self, x):  # type: ignore[no-untyped-def]
        out, _, c = self.encoder(x)
        return self.head(keras.layers.concatenate([out, c]))


class Net(rl.Model):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = L.LSTM(4, return_state=True)
        self.head = L.Dense(2)

    def call(self, x):  # type: ignore[no-untyped-def]
        out, _, c = self.encoder(x)
        return self.head(L.concatenate([out, c]))


def test_subclassed_model_equals_keras() -> None:
    x = np.random.default_rng(0).normal(size=(3, 6, 3)).astype("float32")
    k_model, r_model = KerasNet(), Net()
    want_shape = k_model(x).shape
    assert r_model.name == "net" and not r_model.built
    got_before = r_model.predict(x)  # builds from the data
    assert got_before.shape == tuple(want_shape)
    assert [layer.name for layer in r_model.layers] == ["lstm", "dense"]
    assert r_model.count_params() == k_model.count_params()
    rng = np.random.default_rng(1)
    k_model.set_weights(
        [rng.normal(0, 0.5, w.shape).astype("float32") for w in k_model.get_weights()]
    )
    r_model.set_weights(k_model.get_weights())
    np.testing.assert_allclose(r_model.predict(x), k_model.predict(x, verbose=0), atol=1e-5)


def test_subclassed_model_trains_after_build() -> None:
    model = Net()
    # As Keras 3: fit builds a subclassed model from its first data, then asks for compile.
    with pytest.raises(ConfigError, match="must be compiled before fit"):
        model.fit(np.zeros((4, 6, 3)), np.zeros((4, 2)), epochs=1, verbose=0)
    assert model.built and model.input_shape == (None, 6, 3)
    model.compile(optimizer="sgd", loss="mse")
    before = [w.copy() for w in model.get_weights()]
    model.fit(np.ones((4, 6, 3)), np.ones((4, 2)), epochs=1, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_fit_on_several_inputs_is_refused_with_the_reason() -> None:
    a, b = L.Input(shape=(5, 3)), L.Input(shape=(5, 3))
    model = rl.Model([a, b], L.Dense(1)(L.concatenate([L.LSTM(2)(a), L.LSTM(2)(b)])))
    model.compile()
    with pytest.raises(ConfigError, match=r"2 input\(s\) and 1 output\(s\).*model\.module"):
        model.fit([np.zeros((2, 5, 3))] * 2, np.zeros((2, 1)), verbose=0)


# ------------------------------------------------------ gradients, float64
def test_encoder_decoder_gradients_equal_torch_lstms_in_float64() -> None:
    enc_in, dec_in = L.Input(shape=(6, 3)), L.Input(shape=(4, 2))
    _, h, c = L.LSTM(5, return_state=True)(enc_in)
    out = L.LSTM(5, return_sequences=True)(dec_in, initial_state=[h, c])
    model = rl.Model([enc_in, dec_in], L.Dense(1)(out))
    module = model.module.to(torch.float64)
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(0, 0.4, w.shape) for w in model.get_weights()])
    (ke, re, be), (kd, rd, bd), (kw, bw) = (
        layer.get_weights() for layer in model.weighted_layers()
    )
    torch_enc, torch_dec = (
        torch.nn.LSTM(3, 5, batch_first=True),
        torch.nn.LSTM(2, 5, batch_first=True),
    )
    head = torch.nn.Linear(5, 1)
    with torch.no_grad():
        for lstm, (k, r, b) in ((torch_enc, (ke, re, be)), (torch_dec, (kd, rd, bd))):
            lstm.double()
            lstm.weight_ih_l0.copy_(torch.from_numpy(k.T.copy()))  # Keras gates i, f, c, o
            lstm.weight_hh_l0.copy_(torch.from_numpy(r.T.copy()))  # = torch's i, f, g, o
            lstm.bias_ih_l0.copy_(torch.from_numpy(b))
            lstm.bias_hh_l0.zero_()
        head.double()
        head.weight.copy_(torch.from_numpy(kw.T.copy()))
        head.bias.copy_(torch.from_numpy(bw))
    x_enc = torch.from_numpy(rng.normal(size=(2, 6, 3)))
    x_dec = torch.from_numpy(rng.normal(size=(2, 4, 2)))
    module.train()
    ours = module(x_enc, x_dec)
    ours.square().sum().backward()
    _, state = torch_enc(x_enc)
    theirs = head(torch_dec(x_dec, state)[0])
    theirs.square().sum().backward()
    torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-12)
    dec_module = model.weighted_layers()[1].module
    torch.testing.assert_close(
        dec_module.kernel.grad, torch_dec.weight_ih_l0.grad.T, rtol=0, atol=1e-12
    )
    enc_module = model.weighted_layers()[0].module
    torch.testing.assert_close(
        enc_module.recurrent_kernel.grad, torch_enc.weight_hh_l0.grad.T, rtol=0, atol=1e-12
    )


# -------------------------------------------------------------- other consumers
def test_a_functional_chain_converts_to_torch_and_onnx(tmp_path: Path) -> None:
    x = L.Input(shape=(5, 3))
    model = rl.Model(x, L.Dense(1)(L.GRU(4)(x)))
    data = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    stack = rl.to_torch(model)
    with torch.no_grad():
        np.testing.assert_allclose(
            stack(torch.from_numpy(data)).numpy(), model.predict(data), atol=1e-6
        )
    rl.to_onnx(model, tmp_path / "m.onnx")  # checks itself against predict
    assert (tmp_path / "m.onnx").stat().st_size > 0


def test_a_graph_model_is_refused_by_to_torch_with_the_alternative() -> None:
    a, b = L.Input(shape=(5, 3)), L.Input(shape=(5, 3))
    model = rl.Model([a, b], L.add([L.LSTM(2)(a), L.LSTM(2)(b)]))
    with pytest.raises(ConfigError, match=r"is a graph.*use model\.module"):
        rl.to_torch(model)


def test_trace_and_report_run_on_a_functional_chain(tmp_path: Path) -> None:
    x = L.Input(shape=(5, 3))
    model = rl.Model(x, L.Dense(1)(L.LSTM(4, return_sequences=True, name="rec")(x)))
    data = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    traced = rl.trace(model, data)
    assert "rec" in [layer.name for layer in traced.layers]
    assert model.report(data, tmp_path / "r.html").stat().st_size > 0


def test_trace_and_report_refuse_several_inputs_with_the_alternative(tmp_path: Path) -> None:
    a, b = L.Input(shape=(5, 3)), L.Input(shape=(5, 3))
    model = rl.Model([a, b], L.add([L.LSTM(2)(a), L.LSTM(2)(b)]))
    data = [np.zeros((2, 5, 3), dtype="float32")] * 2
    for run in (lambda: rl.trace(model, data), lambda: model.report(data, tmp_path / "r.html")):
        with pytest.raises(rl.InputDataError, match=r"one input; model .* has 2.*model\.predict"):
            run()
