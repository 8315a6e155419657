"""Every number an explanation states, checked against Keras 3 or torch built in the test.

The models are recipes over a layers namespace (``L.LSTM`` is Keras's in one model and
rnnlens's in the other), so the oracle is built from the same arguments, never from what
rnnlens printed. Counterfactuals are rebuilt in Keras with the one argument changed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

import pytest

import rnnlens
import rnnlens.layers as rl_layers
from rnnlens.explain.flow import Flow

keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

Recipe = Callable[[Any], list[Any]]
RECIPES: dict[str, tuple[Recipe, tuple[int, int]]] = {
    "question": (lambda L: [L.LSTM(64, return_sequences=True), L.LSTM(32)], (10, 2)),
    "seq2seq": (
        lambda L: [L.LSTM(64, return_sequences=True), L.LSTM(32, return_sequences=True)],
        (5, 2),
    ),
    "bigru": (
        lambda L: [
            L.Bidirectional(L.GRU(16, return_sequences=True)),
            L.Bidirectional(L.GRU(8)),
            L.Dense(1),
        ],
        (20, 3),
    ),
    "bilstm_dropout": (
        lambda L: [
            L.Bidirectional(L.LSTM(32, return_sequences=True)),
            L.Dropout(0.2),
            L.GRU(16, reset_after=False),
        ],
        (10, 2),
    ),
    "deep_bilstm": (
        lambda L: [
            L.Bidirectional(L.LSTM(32, return_sequences=True)),
            L.Bidirectional(L.LSTM(32, return_sequences=True)),
            L.Bidirectional(L.LSTM(16)),
            L.Dense(1),
        ],
        (12, 4),
    ),
    "backwards": (
        lambda L: [L.LSTM(8, go_backwards=True, return_sequences=True), L.SimpleRNN(4)],
        (6, 3),
    ),
    "encoder_decoder": (
        lambda L: [
            L.LSTM(32),
            L.RepeatVector(4),
            L.LSTM(16, return_sequences=True),
            L.TimeDistributed(L.Dense(2)),
        ],
        (10, 2),
    ),
}


def keras_shape(tensors: Any) -> str:
    shapes = keras.tree.map_structure(lambda t: tuple(t.shape), tensors)
    if isinstance(shapes, (list, tuple)) and shapes and isinstance(shapes[0], tuple):
        return "[" + ", ".join(str(s) for s in shapes) + "]"
    return str(shapes)


def keras_chain(layers: list[Any], shape: tuple[int, int], batch: int | None = None) -> list[Any]:
    """Call ``layers`` one after another on an Input; the outputs of each."""
    keras.backend.clear_session(free_memory=False)
    y = keras.Input(shape, batch_size=batch)
    outputs = []
    for layer in layers:
        y = layer(y)
        outputs.append(y)
    return outputs


def flow_of(name: str) -> tuple[Flow, list[Any]]:
    """rnnlens's explanation and Keras's built layers for the recipe ``name``."""
    recipe, shape = RECIPES[name]
    rnnlens.clear_session()
    flow = rnnlens.Sequential([rl_layers.Input(shape), *recipe(rl_layers)]).explain()
    k_layers = recipe(keras.layers)
    keras_chain(k_layers, shape)
    return flow, k_layers


def torch_module(layer: Any) -> Any:
    """torch's counterpart of a Keras recurrent layer (bidirectional when it is wrapped)."""
    inner = getattr(layer, "forward_layer", layer)
    kind = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU, "SimpleRNN": torch.nn.RNN}
    d = inner.input.shape[-1] if hasattr(inner, "input") else None
    d = layer.input.shape[-1] if d is None else d
    return kind[type(inner).__name__](
        d, inner.units, bidirectional=inner is not layer, bias=inner.use_bias
    )


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_weights_counts_and_shapes_equal_keras(name: str) -> None:
    flow, k_layers = flow_of(name)
    for lf, k in zip(flow.layers, k_layers, strict=True):
        assert [w.shape for w in lf.weights] == [tuple(v.shape) for v in k.weights], lf.name
        assert [w.count for w in lf.weights] == [int(v.numpy().size) for v in k.weights]
        assert lf.params == k.count_params()
        assert lf.output_shape == keras_shape(k.output)
        if lf.formula:
            assert lf.formula.endswith(f"{k.count_params():,}")
    assert flow.params == sum(k.count_params() for k in k_layers)


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_torch_lines_state_torchs_counts_and_the_difference(name: str) -> None:
    flow, k_layers = flow_of(name)
    total = 0
    for lf, k in zip(flow.layers, k_layers, strict=True):
        if not lf.units or lf.layer_type == "TimeDistributed":
            total += lf.params
            continue
        counted = sum(p.numel() for p in torch_module(k).parameters())
        total += counted
        assert lf.torch_params == counted, lf.name
        assert lf.torch_line is not None and f"{counted:,}" in lf.torch_line
        extra = counted - k.count_params()
        if extra:
            assert f"{extra:,} more" in lf.torch_line
            assert f"'{lf.name}' +{extra:,}" in flow.torch_difference
        else:
            assert "the same as Keras" in lf.torch_line
            assert f"'{lf.name}'" not in flow.torch_difference
    assert flow.torch_params == total


def test_bidirectional_extra_is_per_direction_times_two() -> None:
    flow, _ = flow_of("bilstm_dropout")
    bidi = flow.layers[0]
    per_direction = sum(p.numel() for p in torch.nn.LSTM(2, 32).parameters()) - 4 * 32 * 35
    assert per_direction == 4 * 32
    assert f"{2 * per_direction:,} more" in (bidi.torch_line or "")
    assert f"the extra {2 * per_direction:,} numbers" in (bidi.torch_note or "")


def test_gru_footer_does_not_claim_keras_keeps_one_bias() -> None:
    flow, k_layers = flow_of("bigru")
    assert [tuple(v.shape) for v in k_layers[0].forward_layer.weights][2] == (2, 48)
    assert flow.torch_difference == "PyTorch counts the same"
    assert "keeps one" not in flow.to_text()


def test_concat_warning_names_the_layer_whose_kernel_has_those_rows() -> None:
    flow, k_layers = flow_of("bilstm_dropout")
    (warning,) = flow.layers[0].warnings
    rows = next(iter(k_layers[2].weights[0].shape))
    assert not k_layers[1].weights  # Dropout has no kernel
    assert f"'{k_layers[2].name}' (after 'dropout'), receives {rows} numbers" in warning
    assert f"its kernel has {rows} rows" in warning


def test_backward_direction_is_described_in_its_own_time_order() -> None:
    flow, k_layers = flow_of("bigru")
    assert k_layers[0].backward_layer.go_backwards
    back = flow.layers[0].directions[1]
    assert "carried from step t+1 to step t" in back.keeps and "t−1" not in back.keeps
    assert "zeros at its first step, t = 20" in back.keeps
    roles = [w.role for w in flow.layers[0].weights if w.name.startswith("backward")]
    assert "h(t+1)" in roles[1] and "h(t+1)" in roles[2]
    assert any("h←(t+1)" in e for e in flow.layers[0].equations)
    backwards, _ = flow_of("backwards")
    assert "t+1 to step t" in (backwards.layers[0].keeps or "")
    assert "h(t+1)·recurrent_kernel" in backwards.layers[0].equations[0]


@pytest.mark.parametrize("name", ["question", "bigru", "bilstm_dropout", "backwards"])
def test_counterfactuals_equal_keras_rebuilt_with_the_argument_changed(name: str) -> None:
    recipe, shape = RECIPES[name]
    flow, _ = flow_of(name)
    checked = 0
    for index, lf in enumerate(flow.layers):
        for what_if in lf.what_ifs:
            value = ast.literal_eval(what_if.value)  # as the argument is spelled: True, 'sum'
            layers = recipe(keras.layers)
            layers[index] = _changed(layers[index], what_if.argument, value)
            batch = 4 if what_if.argument == "stateful" and value else None
            try:
                outputs = keras_chain(layers, shape, batch)
            except Exception:  # Keras refuses the model: the line must say which layer fails
                outputs = keras_chain(layers[: index + 1], shape, batch)
                assert what_if.breaks is not None, what_if
                if not what_if.output_shape.startswith("["):  # several tensors: no layer named
                    assert what_if.next_layer == _first_failing(layers, shape, batch).name
            else:
                assert what_if.breaks is None, what_if
                following = [k for k in layers[index + 1 :] if k.weights]
                if following:
                    assert what_if.next_params == following[0].count_params()
            expected = keras_shape(outputs[index]).replace("(4,", "(None,")
            assert what_if.output_shape == expected, what_if
            assert what_if.params == layers[index].count_params()
            assert what_if.output_shape in what_if.sentence
            assert f"{what_if.params:,} parameters" in what_if.sentence
            checked += 1
    assert checked >= 4


def _first_failing(layers: list[Any], shape: tuple[int, int], batch: int | None) -> Any:
    """The first of Keras's ``layers`` that cannot be called on what the ones before hand on."""
    for end in range(1, len(layers) + 1):
        fresh = [type(k).from_config(k.get_config()) for k in layers[:end]]
        try:
            keras_chain(fresh, shape, batch)
        except Exception:
            return layers[end - 1]
    raise AssertionError("Keras builds every layer")


def _changed(layer: Any, argument: str, value: Any) -> Any:
    config = layer.get_config()
    if type(layer).__name__ == "Bidirectional" and argument != "merge_mode":
        config["layer"]["config"][argument] = value
        if config.get("backward_layer"):
            config["backward_layer"]["config"][argument] = value
    else:
        config[argument] = value
    return type(layer).from_config(config)


def test_user_story_counterfactual_answers_the_thread() -> None:
    flow, _ = flow_of("question")
    first = {w.argument: w for w in flow.layers[0].what_ifs}
    last = {w.argument: w for w in flow.layers[1].what_ifs}
    assert last["return_sequences"].output_shape == "(None, 10, 32)"
    assert "many-to-many" in last["return_sequences"].sentence
    assert "h(10) and c(10)" in last["return_state"].sentence
    assert first["return_sequences"].breaks and "'lstm_1'" in first["return_sequences"].sentence


def _numbers(text: str) -> set[int]:
    return {int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)}


def test_connection_sentence_states_keras_kernel_shapes() -> None:
    flow, k_layers = flow_of("question")
    for lf, k in zip(flow.layers, k_layers):
        kernel = tuple(k.weights[0].shape)
        assert f"kernel {kernel}" in (lf.connection or "")
        assert set(kernel) <= _numbers(lf.connection or "")
    assert f"recurrent_kernel {tuple(k_layers[0].weights[1].shape)}" in (
        flow.layers[0].connection or ""
    )
