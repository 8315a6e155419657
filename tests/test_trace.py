"""``rl.trace``: recorded states and gates agree with the fused outputs, with Keras and with
the cell equations."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import rnnlens as rl
from rnnlens.layers import GRU, LSTM, Bidirectional, Dense, Masking, SimpleRNN


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


@pytest.fixture
def story() -> rl.Sequential:
    import torch

    torch.manual_seed(0)
    return rl.Sequential([LSTM(64, return_sequences=True, input_shape=(10, 2)), LSTM(32)])


def test_trace_of_the_user_story_equals_the_fused_prediction(story: rl.Sequential) -> None:
    x = np.random.default_rng(0).normal(size=(4, 10, 2)).astype(np.float32)
    t = rl.trace(story, x)
    np.testing.assert_allclose(t.output, story.predict(x), atol=1e-5)
    first, second = t["lstm"], t["lstm_1"]
    assert first["h"].shape == (4, 10, 64) and first.forward.axes == ("batch", "time", "unit")
    assert second["c"].shape == (4, 10, 32) and second.input_axes == ("batch", "time", "features")
    # The hand-off the user story asks about: the second layer reads h of the first at every step.
    np.testing.assert_array_equal(second.inputs, first["h"])
    np.testing.assert_array_equal(second.inputs, first.output)
    np.testing.assert_array_equal(second.output, second["h"][:, -1])


def test_lstm_gates_follow_the_cell_equations(story: rl.Sequential) -> None:
    x = np.random.default_rng(1).normal(size=(3, 10, 2))
    t = rl.trace(story, x)
    layer = t["lstm"]
    kernel, recurrent, bias = (w.astype(np.float64) for w in story.layers[0].get_weights())
    u = 64
    # Step 0 starts from h = c = 0, so each gate is its activation of x0 · kernel + bias.
    z = x[:, 0] @ kernel + bias
    np.testing.assert_allclose(layer["i"][:, 0], sigmoid(z[:, :u]), atol=1e-5)
    np.testing.assert_allclose(layer["f"][:, 0], sigmoid(z[:, u : 2 * u]), atol=1e-5)
    np.testing.assert_allclose(layer["c_hat"][:, 0], np.tanh(z[:, 2 * u : 3 * u]), atol=1e-5)
    np.testing.assert_allclose(layer["o"][:, 0], sigmoid(z[:, 3 * u :]), atol=1e-5)
    # Step 5 from the recorded h and c of step 4.
    z5 = x[:, 5] @ kernel + layer["h"][:, 4] @ recurrent + bias
    np.testing.assert_allclose(layer["f"][:, 5], sigmoid(z5[:, u : 2 * u]), atol=1e-5)
    c = layer["f"][:, 1:] * layer["c"][:, :-1] + layer["i"][:, 1:] * layer["c_hat"][:, 1:]
    np.testing.assert_allclose(layer["c"][:, 1:], c, atol=1e-5)
    np.testing.assert_allclose(layer["h"], layer["o"] * np.tanh(layer["c"]), atol=1e-5)


def test_gru_and_simple_rnn_record_their_gates() -> None:
    model = rl.Sequential(
        [GRU(6, return_sequences=True, input_shape=(7, 3)), SimpleRNN(4), Dense(2)]
    )
    x = np.random.default_rng(2).normal(size=(5, 7, 3)).astype(np.float32)
    t = rl.trace(model, x)
    gru = t["gru"]
    assert list(gru.forward.arrays) == ["z", "r", "h_hat", "h"]
    h_prev = np.concatenate([np.zeros((5, 1, 6)), gru["h"][:, :-1]], axis=1)
    np.testing.assert_allclose(
        gru["h"], gru["z"] * h_prev + (1 - gru["z"]) * gru["h_hat"], atol=1e-5
    )
    assert list(t["simple_rnn"].forward.arrays) == ["h"]
    assert not t["dense"].recurrent and t["dense"].output.shape == (5, 2)
    np.testing.assert_allclose(t.output, model.predict(x), atol=1e-5)


def test_bidirectional_records_both_directions_on_input_time() -> None:
    model = rl.Sequential(
        [Bidirectional(LSTM(5, return_sequences=True), input_shape=(6, 3)), LSTM(4)]
    )
    x = np.random.default_rng(3).normal(size=(2, 6, 3)).astype(np.float32)
    t = rl.trace(model, x)
    bi = t["bidirectional"]
    assert bi.kind == "Bidirectional(LSTM)"
    assert [d.direction for d in bi.directions] == ["forward", "backward"]
    np.testing.assert_allclose(
        bi.output, np.concatenate([bi["h"], bi.backward["h"]], -1), atol=1e-6
    )
    # The backward direction has read the whole sequence once it reaches input step 0.
    _, h_back, c_back = _keras_like_final_states(model, x)
    np.testing.assert_allclose(bi.backward["h"][:, 0], h_back, atol=1e-5)
    np.testing.assert_allclose(bi.backward["c"][:, 0], c_back, atol=1e-5)
    np.testing.assert_allclose(t.output, model.predict(x), atol=1e-5)


def _keras_like_final_states(model: rl.Sequential, x: np.ndarray) -> tuple:
    """The backward layer's final (h, c), from an independent run with return_state."""
    import torch

    module = model.layers[0].module.backward_layer
    with torch.no_grad():
        result = module.run(torch.as_tensor(x))
    return result.last, result.states[0].numpy(), result.states[1].numpy()


def test_masked_steps_carry_the_state_and_the_mask_is_recorded() -> None:
    model = rl.Sequential([Masking(0.0, input_shape=(5, 2)), LSTM(3, return_sequences=True)])
    x = np.ones((2, 5, 2), dtype=np.float32)
    x[0, 3:] = 0.0  # sample 0 has 3 real steps
    t = rl.trace(model, x)
    lstm = t["lstm"]
    assert lstm.mask.tolist()[0] == [True, True, True, False, False]
    np.testing.assert_array_equal(lstm["h"][0, 4], lstm["h"][0, 2])
    np.testing.assert_array_equal(lstm["c"][0, 3], lstm["c"][0, 2])
    np.testing.assert_allclose(t.output, model.predict(x), atol=1e-6)


def test_go_backwards_records_on_input_time() -> None:
    model = rl.Sequential([LSTM(3, return_sequences=True, go_backwards=True, input_shape=(4, 1))])
    x = np.arange(8, dtype=np.float32).reshape(2, 4, 1)
    t = rl.trace(model, x)
    # Keras returns the sequence in processing order (last step first).
    np.testing.assert_allclose(t.output, model.predict(x), atol=1e-6)
    np.testing.assert_array_equal(t["lstm"]["h"][:, ::-1], t.output)


def test_trace_equals_keras_with_the_same_weights() -> None:
    keras = pytest.importorskip("keras")
    kmodel = keras.Sequential(
        [
            keras.Input((8, 3)),
            keras.layers.LSTM(6, return_sequences=True),
            keras.layers.Bidirectional(keras.layers.GRU(4, return_sequences=True)),
            keras.layers.LSTM(5),
            keras.layers.Dense(1),
        ]
    )
    model = _imported(kmodel, keras)
    x = np.random.default_rng(4).normal(size=(3, 8, 3)).astype(np.float32)
    t = rl.trace(model, x)
    with warnings.catch_warnings():  # Keras 3.15 on numpy 2.4: a DeprecationWarning of its own
        warnings.simplefilter("ignore", DeprecationWarning)
        outputs = keras.Model(kmodel.inputs[0], [layer.output for layer in kmodel.layers])(x)
    expected = [np.asarray(o.detach().cpu()) for o in outputs]
    np.testing.assert_allclose(t[0]["h"], expected[0], atol=1e-5)
    np.testing.assert_allclose(t[1].output, expected[1], atol=1e-5)
    np.testing.assert_allclose(t[1].backward["h"], expected[1][..., 4:], atol=1e-5)
    np.testing.assert_allclose(t[2].output, expected[2], atol=1e-5)
    np.testing.assert_allclose(t.output, expected[3], atol=1e-5)


def _imported(kmodel, keras) -> rl.Sequential:
    """The Keras model in rnnlens, through a real .keras file: trace must work on imports."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        with warnings.catch_warnings():  # Keras 3.15 on numpy 2.4: its own DeprecationWarning
            warnings.simplefilter("ignore", DeprecationWarning)
            kmodel.save(path)
        return rl.from_keras(path)
