"""Keras 3 (torch backend) twins for the layer tests: one recipe, two models, Keras's weights.

A recipe is a function of a layers namespace (``L.Conv1D`` is Keras's in one model and
rnnlens's in the other), so both models are built from the same text. Weights are drawn
once, set in Keras, and copied into rnnlens with ``get_weights()`` / ``set_weights()``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras
import torch

import rnnlens
import rnnlens.layers as rl_layers

Recipe = Callable[[Any], list[Any]]
ATOL = 1e-5
# Keras 3.15 calls np.array(variable) in get_weights(), which numpy 2 flags as deprecated.
KERAS_WARNING = "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"


def twins(
    recipe: Recipe,
    input_shape: tuple[int | None, ...],
    *,
    positive: bool = False,
    seed: int = 7,
    keras_recipe: Recipe | None = None,
) -> tuple[Any, rnnlens.Sequential]:
    """The Keras and rnnlens models of ``recipe`` with the same random weights.

    ``positive`` draws weights in (0.5, 1.5), for variances and the like. ``keras_recipe``
    builds the Keras side from another (equivalent) recipe.
    """
    keras.backend.clear_session(free_memory=False)
    rnnlens.clear_session()
    k_layers = (keras_recipe or recipe)(keras.layers)
    k_model = keras.Sequential([keras.Input(input_shape), *k_layers])
    r_model = rnnlens.Sequential([rl_layers.Input(input_shape), *recipe(rl_layers)])
    rng = np.random.default_rng(seed)
    if positive:
        weights = [rng.uniform(0.5, 1.5, w.shape).astype("float32") for w in k_model.get_weights()]
    else:
        weights = [rng.normal(0, 0.5, w.shape).astype("float32") for w in k_model.get_weights()]
    k_model.set_weights(weights)
    r_model.set_weights(k_model.get_weights())
    return k_model, r_model


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def keras_outputs(model: Any, x: np.ndarray, training: bool = False) -> list[np.ndarray]:
    return [np.asarray(t.detach().cpu()) for t in as_list(model(x, training=training))]


def shape_text(shape: Any) -> str:
    """Keras's nested tuples/lists of shapes and rnnlens's, in one comparable spelling."""
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return "[" + ", ".join(shape_text(s) for s in shape) + "]"
    return str(tuple(shape))


def assert_structure(k_model: Any, r_model: rnnlens.Sequential) -> None:
    """Names, parameter counts and output shapes, layer by layer (Keras's summary numbers)."""
    assert r_model.count_params() == k_model.count_params()
    for k_layer, r_layer in zip(k_model.layers, r_model.layers, strict=True):
        assert r_layer.name == k_layer.name
        assert type(r_layer).__name__ == type(k_layer).__name__
        assert r_layer.count_params() == k_layer.count_params(), r_layer.name
        k_shape = keras.tree.map_structure(lambda t: tuple(t.shape), k_layer.output)
        assert shape_text(r_layer.output_shape) == shape_text(k_shape), r_layer.name


def assert_same(
    recipe: Recipe, x: np.ndarray, *, positive: bool = False, atol: float = ATOL
) -> None:
    """Build both models of ``recipe`` and compare structure, weights and outputs on ``x``."""
    k_model, r_model = twins(recipe, x.shape[1:], positive=positive)
    assert_structure(k_model, r_model)
    for want, got in zip(k_model.get_weights(), r_model.get_weights(), strict=True):
        np.testing.assert_array_equal(got, want)
    expected = keras_outputs(k_model, x)
    received = as_list(r_model.predict(x))
    assert len(received) == len(expected)
    for want, got in zip(expected, received):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, atol=atol, rtol=0)


def data(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def ids(batch: int, time: int, vocabulary: int, *, pad: bool = True, seed: int = 0) -> np.ndarray:
    """Token ids in [1, vocabulary), with zero padding at the end (row 1 at the start)."""
    x = np.random.default_rng(seed).integers(1, vocabulary, size=(batch, time))
    if pad:
        x[0, time // 2 :] = 0
        if batch > 1:
            x[1, : time // 3] = 0
    return x.astype("int64")


def assert_same_gradients(
    recipe: Recipe, x: np.ndarray, *, atol: float = 1e-10, keras_recipe: Recipe | None = None
) -> None:
    """Float64 gradients of sum(output²) by every trainable weight: Keras's autograd vs rnnlens.

    Both run in training mode (``training=True`` / ``module.train()``). ``keras_recipe``
    gives Keras an equivalent model where Keras's own layer is not float64-exact.
    """
    previous = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        k_model, r_model = twins(recipe, x.shape[1:], keras_recipe=keras_recipe)
    finally:
        keras.config.set_floatx(previous)
    k_vars = [w.value for w in k_model.trainable_weights]
    k_out = k_model(torch.tensor(x, dtype=torch.float64), training=True)
    k_grads = torch.autograd.grad((k_out**2).sum(), k_vars)
    module = r_model.module.double().train()
    r_params = [
        p
        for layer in r_model.layers
        for p in layer.module.keras_parameters()  # type: ignore[operator]
        if p.requires_grad
    ]
    r_out = module(torch.tensor(x, dtype=torch.float64))
    assert isinstance(r_out, torch.Tensor)
    r_grads = torch.autograd.grad((r_out**2).sum(), r_params)
    np.testing.assert_allclose(r_out.detach().numpy(), k_out.detach().numpy(), atol=atol, rtol=0)
    assert len(r_grads) == len(k_grads) > 0
    for want, got in zip(k_grads, r_grads, strict=True):
        assert got.shape == want.shape
        np.testing.assert_allclose(got.numpy(), want.numpy(), atol=atol, rtol=1e-9)
