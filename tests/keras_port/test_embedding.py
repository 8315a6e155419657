"""Port of ``keras/src/layers/core/embedding_test.py``: the tests of features rnnlens gains.

Embedding comes with the layers helper (issue 13); until it is merged each test is a strict
xfail (``support.needs``), and it runs, and must pass, once ``rnnlens.layers.Embedding``
exists. Not ported: quantization, LoRA, sparse and ragged inputs (outside rnnlens).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnnlens.layers as layers
from rnnlens.layers.objects import NonNeg
from tests.keras_port.support import assert_all_close, call_layer, needs, run_layer_test

pytestmark = needs("Embedding")


# keras/src/layers/core/embedding_test.py::EmbeddingTest::test_embedding_basics
def test_embedding_basics():
    run_layer_test(
        layers.Embedding,
        {"input_dim": 4, "output_dim": 3},
        input_shape=(2,),
        input_dtype="int32",
        expected_output_shape=(2, 3),
        expected_num_trainable_weights=1,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        expected_num_losses=0,
        supports_masking=False,
    )
    run_layer_test(
        layers.Embedding,
        {"input_dim": 5, "output_dim": 4, "mask_zero": True},
        input_shape=(2, 3),
        input_dtype="int64",
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=1,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        expected_num_losses=0,
        supports_masking=True,
    )


# keras/src/layers/core/embedding_test.py::EmbeddingTest::test_correctness
def test_correctness():
    layer = layers.Embedding(input_dim=3, output_dim=2)
    layer.build((None,))
    layer.set_weights([np.array([[0.0, 0.0], [2.0, 2.0], [3.0, 3.0]])])  # embeddings.assign
    out = call_layer(layer, np.array([2, 1, 0]))
    assert_all_close(out, np.array([[3.0, 3.0], [2.0, 2.0], [0.0, 0.0]]))


# keras/src/layers/core/embedding_test.py::EmbeddingTest::test_masking
def test_masking():
    layer = layers.Embedding(input_dim=3, output_dim=2, mask_zero=True)
    layer.build((None,))
    # Keras's layer.compute_mask(x): the mask the engine hands to the next layer
    out = layer.module.next_mask(torch.as_tensor(np.array([2, 1, 0])), None)
    assert_all_close(out.numpy(), np.array([True, True, False]))


# keras/src/layers/core/embedding_test.py::EmbeddingTest::test_compute_mask_no_masking
def test_compute_mask_no_masking():
    layer = layers.Embedding(input_dim=3, output_dim=2, mask_zero=False)
    layer.build((None,))
    input_data = np.array([2, 1, 0])
    mask = layer.module.next_mask(torch.as_tensor(input_data), None)
    assert mask is None


# keras/src/layers/core/embedding_test.py::EmbeddingTest::test_embedding_constraints
def test_embedding_constraints():
    layer = layers.Embedding(3, 2, embeddings_constraint="non_neg")
    layer.build((None, 2))
    assert isinstance(layer.embeddings_constraint, NonNeg)  # Keras: embeddings.constraint


# keras/src/layers/core/embedding_test.py::EmbeddingTest::test_invalid_input_dim
def test_invalid_input_dim():
    for bad_value in (3.7, 4.0, "3", None, True, False, -1, 0):
        with pytest.raises(ValueError, match="`input_dim` must be a positive integer"):
            layers.Embedding(input_dim=bad_value, output_dim=8)
    with pytest.raises(TypeError, match="`input_dim` must be a positive integer"):
        layers.Embedding.from_config({"input_dim": 3.7, "output_dim": 8})


# keras/src/layers/core/embedding_test.py::EmbeddingTest::test_invalid_output_dim
def test_invalid_output_dim():
    for bad_value in (3.7, 4.0, "3", None, True, False, -1, 0):
        with pytest.raises(ValueError, match="`output_dim` must be a positive integer"):
            layers.Embedding(input_dim=10, output_dim=bad_value)
    with pytest.raises(TypeError, match="`output_dim` must be a positive integer"):
        layers.Embedding.from_config({"input_dim": 10, "output_dim": 3.7})


# keras/src/layers/core/embedding_test.py::EmbeddingTest::test_weights_constructor_arg
def test_weights_constructor_arg():
    layer = layers.Embedding(3, 4, weights=np.ones((3, 4)))
    layer.build((None,))
    assert_all_close(layer.get_weights()[0], np.ones((3, 4)))
    layer = layers.Embedding(3, 4, weights=[np.ones((3, 4))])
    layer.build((None,))
    assert_all_close(layer.get_weights()[0], np.ones((3, 4)))
