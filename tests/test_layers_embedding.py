"""Embedding and the time-step mask it starts, against Keras 3 (torch backend).

The padded rows (zeros at the end, zeros at the start) make the mask matter: every test with
``mask_zero=True`` would fail if the recurrent layers read the padding.
"""

from __future__ import annotations

import numpy as np
import pytest

import rnnlens
from rnnlens.errors import ConfigError, InputDataError
from rnnlens.layers import LSTM, Dense, Embedding
from rnnlens.layers.embedding import LegacyArgumentWarning

from .layers_oracle import KERAS_WARNING, assert_same, assert_same_gradients, ids, twins

pytestmark = [
    pytest.mark.filterwarnings(KERAS_WARNING),
    # Keras says so when a layer that drops masks receives one; rnnlens drops it the same way.
    pytest.mark.filterwarnings("ignore:Layer .* does not support masking:UserWarning"),
]

V = 30  # vocabulary

MASKED = {
    "embedding": lambda L: [L.Embedding(V, 4)],
    "embedding-masked": lambda L: [L.Embedding(V, 4, mask_zero=True)],
    "lstm": lambda L: [L.Embedding(V, 4, mask_zero=True), L.LSTM(3)],
    "gru-seq": lambda L: [L.Embedding(V, 4, mask_zero=True), L.GRU(3, return_sequences=True)],
    "simple-rnn-backwards": lambda L: [
        L.Embedding(V, 4, mask_zero=True),
        L.SimpleRNN(3, go_backwards=True),
    ],
    "bidirectional-global-average": lambda L: [
        L.Embedding(V, 4, mask_zero=True),
        L.Bidirectional(L.LSTM(3, return_sequences=True)),
        L.GlobalAveragePooling1D(),
        L.Dense(1, activation="sigmoid"),
    ],
    "bidirectional-last": lambda L: [
        L.Embedding(V, 4, mask_zero=True),
        L.Bidirectional(L.GRU(3), merge_mode="sum"),
    ],
    "stacked-time-distributed": lambda L: [
        L.Embedding(V, 4, mask_zero=True),
        L.LSTM(5, return_sequences=True),
        L.LSTM(3, return_sequences=True),
        L.TimeDistributed(L.Dense(2)),
    ],
    "global-average-masked": lambda L: [
        L.Embedding(V, 4, mask_zero=True),
        L.GlobalAveragePooling1D(keepdims=True),
    ],
    "mask-through-activation-layernorm-dropout": lambda L: [
        L.Embedding(V, 4, mask_zero=True),
        L.Activation("tanh"),
        L.LayerNormalization(),
        L.SpatialDropout1D(0.3),
        L.Dropout(0.2),
        L.LSTM(3),
    ],
    "bidirectional-rnn-cell-masked": lambda L: [
        L.Embedding(V, 4, mask_zero=True),
        L.Bidirectional(L.RNN(L.SimpleRNNCell(3), return_sequences=True)),
        L.GlobalAveragePooling1D(),
    ],
    "rnn-cell-masked": lambda L: [
        L.Embedding(V, 4, mask_zero=True),
        L.RNN(L.LSTMCell(3), return_sequences=True),
        L.RNN([L.GRUCell(3), L.SimpleRNNCell(2)]),
    ],
    # Conv1D does not support masking in Keras 3: the mask stops there.
    "conv-drops-mask": lambda L: [
        L.Embedding(V, 4, mask_zero=True),
        L.Conv1D(5, 3, padding="same"),
        L.LSTM(3),
    ],
    "global-max-ignores-mask": lambda L: [
        L.Embedding(V, 4, mask_zero=True),
        L.GlobalMaxPooling1D(),
    ],
}


@pytest.mark.parametrize("recipe", list(MASKED.values()), ids=list(MASKED))
def test_embedding_and_mask_match_keras(recipe: object) -> None:
    assert_same(recipe, ids(4, 7, V))  # type: ignore[arg-type]


def test_mask_changes_the_answer() -> None:
    """Without the mask the padded rows give other numbers: the tests above can tell."""
    _, masked = twins(MASKED["lstm"], (7,))
    unmasked = rnnlens.Sequential([Embedding(V, 4, input_shape=(7,)), LSTM(3)])
    unmasked.set_weights(masked.get_weights())
    x = ids(4, 7, V)
    assert np.abs(masked.predict(x)[:2] - unmasked.predict(x)[:2]).max() > 1e-3
    np.testing.assert_allclose(masked.predict(x)[2:], unmasked.predict(x)[2:], atol=1e-6)


def test_batch_normalization_statistics_skip_masked_steps_in_training() -> None:
    from .layers_oracle import keras_outputs

    recipe = lambda L: [L.Embedding(V, 4, mask_zero=True), L.BatchNormalization(), L.LSTM(3)]  # noqa: E731
    k_model, r_model = twins(recipe, (7,))
    x = ids(4, 7, V)
    expected = keras_outputs(k_model, x, training=True)[0]
    module = r_model.module.train()
    import torch

    got = module(torch.tensor(x, dtype=torch.float32))
    np.testing.assert_allclose(got.detach().numpy(), expected, atol=1e-5)
    for want, have in zip(k_model.get_weights(), r_model.get_weights(), strict=True):
        np.testing.assert_allclose(have, want, atol=1e-6)  # moving statistics updated alike


@pytest.mark.parametrize(
    "recipe",
    [
        MASKED["lstm"],
        MASKED["bidirectional-global-average"],
        lambda L: [L.Embedding(V, 3, mask_zero=True), L.Conv1D(4, 2), L.GRU(2)],
    ],
    ids=["lstm", "bidirectional-global-average", "conv-gru"],
)
def test_embedding_gradients_float64(recipe: object) -> None:
    # Keras's masked step loop is not float64-exact (Keras 3 promotes float64 with float32
    # to float32 in places): on a mask with no padding it differs from its own unmasked
    # LSTM by 1.6e-8, where rnnlens's two paths agree to 0.0. Masked cases get 1e-7.
    assert_same_gradients(recipe, ids(3, 6, V).astype("float64"), atol=1e-7)  # type: ignore[arg-type]


def test_embedding_counts_and_shapes() -> None:
    layer = Embedding(1000, 64)
    layer.build((None, 20))
    assert layer.output_shape == (None, 20, 64)
    assert layer.count_params() == 64_000
    assert [(s.name, s.shape) for s in layer.weight_specs()] == [("embeddings", (1000, 64))]


def test_ids_outside_the_vocabulary_are_refused_with_the_fix() -> None:
    model = rnnlens.Sequential([Embedding(10, 2, input_shape=(3,)), Dense(1)])
    with pytest.raises(InputDataError, match=r"input_dim=10.*received ids from 1 to 10"):
        model.predict(np.array([[1, 2, 10]]))


def test_bad_embedding_arguments() -> None:
    # Keras raises ValueError("`input_dim` must be a positive integer") for these.
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ConfigError, match="input_dim"):
            Embedding(bad, 4)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="output_dim"):
        Embedding(10, 0)
    with pytest.raises(ConfigError, match="mask_zero"):
        Embedding(10, 2, mask_zero="yes")  # type: ignore[arg-type]


def test_input_length_is_read_with_a_warning() -> None:
    with pytest.warns(LegacyArgumentWarning, match="Keras 3 ignores"):
        layer = Embedding(100, 8, input_length=12)
    model = rnnlens.Sequential([layer, LSTM(4)])
    assert model.input_shape == (None, 12)
    assert "input_length" not in layer.get_config()  # Keras 3 configs have none
