"""BatchNormalization and LayerNormalization against Keras 3 (torch backend).

Weights are drawn in (0.5, 1.5) so that the moving variances are valid variances.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnnlens
from rnnlens.errors import ConfigError, ShapeError
from rnnlens.layers import LSTM, BatchNormalization, Dense, LayerNormalization

from .layers_oracle import (
    KERAS_WARNING,
    assert_same,
    data,
    keras_outputs,
    twins,
)

pytestmark = pytest.mark.filterwarnings(KERAS_WARNING)

CASES = {
    "bn": lambda L: [L.BatchNormalization()],
    "bn-options": lambda L: [L.BatchNormalization(momentum=0.9, epsilon=1e-5)],
    "bn-no-center": lambda L: [L.BatchNormalization(center=False)],
    "bn-no-scale": lambda L: [L.BatchNormalization(scale=False, axis=2)],
    "bn-after-lstm": lambda L: [L.LSTM(5), L.BatchNormalization(), L.Dense(1)],
    "ln": lambda L: [L.LayerNormalization()],
    "ln-options": lambda L: [L.LayerNormalization(epsilon=1e-6, center=False)],
    "ln-no-scale": lambda L: [L.LayerNormalization(scale=False, axis=-1)],
    "ln-between-lstms": lambda L: [
        L.LSTM(6, return_sequences=True),
        L.LayerNormalization(),
        L.LSTM(3),
    ],
}


@pytest.mark.parametrize("recipe", list(CASES.values()), ids=list(CASES))
def test_inference_matches_keras(recipe: object) -> None:
    assert_same(recipe, data(4, 5, 3), positive=True)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["bn", "bn-options", "bn-no-scale", "bn-after-lstm"])
def test_training_uses_batch_statistics_and_updates_moving_ones(name: str) -> None:
    k_model, r_model = twins(CASES[name], (5, 3), positive=True)
    module = r_model.module.train()
    for seed in (1, 2):  # two steps: the second starts from the first's moving statistics
        x = data(4, 5, 3, seed=seed) * 2 + 1
        expected = keras_outputs(k_model, x, training=True)[0]
        got = module(torch.tensor(x)).detach().numpy()
        # Keras computes the batch variance as E[x²] − E[x]² in float32, rnnlens as E[(x − μ)²]
        # (as torch.nn.BatchNorm1d): the same math (the float64 test below holds it to
        # 1e-10), a few float32 digits apart after the LSTM's small-variance outputs.
        np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-4)
        for want, have in zip(k_model.get_weights(), r_model.get_weights(), strict=True):
            np.testing.assert_allclose(have, want, atol=1e-6, rtol=1e-5)
    before = [w.copy() for w in r_model.get_weights()]
    module.eval()
    module(torch.tensor(data(4, 5, 3, seed=3)))
    for want, have in zip(before, r_model.get_weights(), strict=True):
        np.testing.assert_array_equal(have, want)  # inference leaves the statistics alone


def test_frozen_batch_normalization_uses_moving_statistics_in_training() -> None:
    recipe = lambda L: [L.BatchNormalization(trainable=False)]  # noqa: E731
    k_model, r_model = twins(recipe, (5, 3), positive=True)
    x = data(4, 5, 3, seed=1)
    expected = keras_outputs(k_model, x, training=True)[0]
    got = r_model.module.train()(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert r_model.count_params() == k_model.count_params() == 12


# Keras cannot be the float64 oracle here: both layers compute in
# backend.result_type(x.dtype, "float32"), which Keras 3 says is float32 even for float64 x
# (its output is 2e-7 away from the float64 formula). torch.nn.functional is the reference.
@pytest.mark.parametrize("kind", ["batch", "layer"])
@pytest.mark.parametrize("center", [True, False])
def test_gradients_float64_against_torch(kind: str, center: bool) -> None:
    cls = BatchNormalization if kind == "batch" else LayerNormalization
    model = rnnlens.Sequential([cls(center=center, input_shape=(5, 3))])
    rng = np.random.default_rng(3)
    model.set_weights([rng.uniform(0.5, 1.5, w.shape) for w in model.get_weights()])
    x = torch.tensor(data(4, 5, 3, seed=5), dtype=torch.float64)
    module = model.module.double().train()
    out = module(x)
    params = [p for p in module.layers[0].keras_parameters() if p.requires_grad]  # type: ignore[operator]
    grads = torch.autograd.grad((out**2).sum(), params)
    reference = [p.detach().clone().requires_grad_() for p in params]
    gamma, beta = reference[0], reference[1] if center else None
    if kind == "batch":
        expected = torch.nn.functional.batch_norm(
            x.reshape(-1, 3), None, None, gamma, beta, training=True, eps=1e-3
        ).reshape(4, 5, 3)
    else:
        expected = torch.nn.functional.layer_norm(x, (3,), gamma, beta, eps=1e-3)
    expected_grads = torch.autograd.grad((expected**2).sum(), reference)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), atol=1e-12)
    assert len(grads) == (2 if center else 1)
    for want, got in zip(expected_grads, grads, strict=True):
        np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-10)


def test_summary_counts_moving_statistics_as_non_trainable() -> None:
    k_model, r_model = twins(CASES["bn-after-lstm"], (5, 3), positive=True)
    lines: list[str] = []
    r_model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    trainable = sum(int(np.prod(w.shape)) for w in k_model.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in k_model.non_trainable_weights)
    assert frozen == 10
    assert f"Trainable params: {trainable:,}" in text
    assert f"Non-trainable params: {frozen:,}" in text
    # Only the trainable weights get gradients (and so optimizer updates).
    with_grad = [p for p in r_model.module.parameters() if p.requires_grad]
    assert sum(p.numel() for p in with_grad) == trainable


def test_fit_leaves_moving_statistics_to_the_momentum_rule() -> None:
    model = rnnlens.Sequential([LSTM(3, input_shape=(5, 2)), BatchNormalization(), Dense(1)])
    model.compile("sgd", "mse")
    x, y = data(8, 5, 2), data(8, 1)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    bn = model.layers[1].get_weights()
    assert not np.allclose(bn[2], 0) and not np.allclose(bn[3], 1)  # updated by the batch


def test_bad_arguments() -> None:
    with pytest.raises(ConfigError, match="last axis"):
        BatchNormalization(axis=1).build((None, 5, 3))
    with pytest.raises(ShapeError, match="out of bounds"):
        LayerNormalization(axis=3).build((None, 5, 3))
    with pytest.raises(ConfigError, match="momentum"):
        BatchNormalization(momentum=1.5)
    with pytest.raises(ConfigError, match="renorm"):
        BatchNormalization(renorm=True)
    with pytest.raises(ConfigError, match="rms_scaling"):
        LayerNormalization(rms_scaling=True)
    with pytest.raises(ConfigError, match="unknown beta_initializer"):
        LayerNormalization(beta_initializer="nope")
