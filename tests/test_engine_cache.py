"""The inference-time weight layout cache must never serve weights older than the parameters.

``predict`` reuses the Keras->torch converted weights between calls (see
:class:`rnnlens.engine.layout.LayoutCache`). Every way of changing the weights after a
``predict`` is followed by another ``predict`` that must agree with a model that never
cached anything, and with the step-by-step reference path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import rnnlens
from rnnlens.engine.fused import is_packed, packed
from rnnlens.engine.recurrent import RecurrentModule
from rnnlens.engine.sequential import set_path
from rnnlens.layers import GRU, LSTM, Bidirectional, Dense, Dropout, Input

STEPS, FEATURES = 5, 3

BUILDERS: dict[str, Callable[[], list[Any]]] = {
    "lstm": lambda: [LSTM(6, return_sequences=True), LSTM(4), Dense(2)],
    "gru": lambda: [GRU(5, return_sequences=True), GRU(3), Dense(1)],
    "bidirectional": lambda: [Bidirectional(LSTM(4, return_sequences=True)), LSTM(3)],
    "bidirectional-last": lambda: [Bidirectional(GRU(4)), Dense(2)],
}


def build(case: str, seed: int = 0) -> rnnlens.Sequential:
    torch.manual_seed(seed)
    return rnnlens.Sequential([Input(shape=(STEPS, FEATURES)), *BUILDERS[case]()])


def inputs(seed: int = 1, batch: int = 4) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((batch, STEPS, FEATURES)).astype("float32")


def fresh_prediction(model: rnnlens.Sequential, x: np.ndarray, case: str) -> np.ndarray:
    """What a model that never cached anything predicts with ``model``'s current weights."""
    other = build(case, seed=99)
    other.set_weights(model.get_weights())
    return np.asarray(other.predict(x))


def reference_prediction(model: rnnlens.Sequential, x: np.ndarray) -> np.ndarray:
    set_path(model, "reference")
    try:
        return np.asarray(model.predict(x))
    finally:
        set_path(model, "auto")


def assert_current(model: rnnlens.Sequential, x: np.ndarray, case: str) -> np.ndarray:
    model.predict(x)  # the cache is built on the second call with the same weights
    got = np.asarray(model.predict(x))
    np.testing.assert_allclose(got, fresh_prediction(model, x, case), rtol=0, atol=1e-6)
    np.testing.assert_allclose(got, reference_prediction(model, x), rtol=0, atol=1e-5)
    return got


@pytest.mark.parametrize("case", list(BUILDERS))
def test_set_weights_after_predict_is_seen(case: str) -> None:
    model, x = build(case), inputs()
    before = assert_current(model, x, case)
    model.set_weights(build(case, seed=7).get_weights())
    after = assert_current(model, x, case)
    assert not np.allclose(before, after)


@pytest.mark.parametrize("case", list(BUILDERS))
def test_optimizer_step_after_predict_is_seen(case: str) -> None:
    model, x = build(case), inputs()
    y = np.ones((len(x), *model.output_shape[1:]), dtype="float32")  # type: ignore[misc]
    model.compile(optimizer="sgd", loss="mse", learning_rate=0.5)
    before = assert_current(model, x, case)
    model.train_on_batch(x, y)
    after = assert_current(model, x, case)
    assert not np.allclose(before, after)


def test_manual_optimizer_step_in_eval_mode_is_seen() -> None:
    """A step that never puts the module in training mode is seen through the versions."""
    model, x = build("bidirectional-last"), inputs()
    before = assert_current(model, x, "bidirectional-last")
    optimizer = torch.optim.SGD(model.module.parameters(), lr=0.5)
    model.module(torch.as_tensor(x)).sum().backward()
    optimizer.step()
    after = assert_current(model, x, "bidirectional-last")
    assert not np.allclose(before, after)


def test_in_place_write_under_no_grad_is_seen() -> None:
    model, x = build("lstm"), inputs()
    before = assert_current(model, x, "lstm")
    kernel = model.layers[0].module.kernel  # type: ignore[union-attr]
    with torch.no_grad():
        kernel.mul_(-1.0)
    after = assert_current(model, x, "lstm")
    assert not np.allclose(before, after)


def test_replaced_parameter_data_is_seen() -> None:
    model, x = build("gru"), inputs()
    assert_current(model, x, "gru")
    model.module.double()  # replaces every parameter's .data with a float64 copy
    got = model.predict(x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, reference_prediction(model, x), rtol=0, atol=1e-12)


def weights_after_predict() -> tuple[rnnlens.Sequential, RecurrentModule, list[torch.Tensor]]:
    """An LSTM stack after one predict, its first layer, and what that layer now converts to."""
    model = build("lstm")
    layer = model.layers[0].module
    assert isinstance(layer, RecurrentModule)
    model.predict(inputs())
    with torch.inference_mode():
        return model, layer, layer.torch_weights()


def test_repeated_predict_reuses_the_converted_weights() -> None:
    model, layer, first = weights_after_predict()
    model.predict(inputs())
    with torch.inference_mode():
        again = layer.torch_weights()
    assert all(a is b for a, b in zip(first, again))
    assert all(w.is_contiguous() and not w.requires_grad for w in first)


def test_training_converts_through_autograd() -> None:
    layer = build("lstm").layers[0].module
    assert isinstance(layer, RecurrentModule)
    weights = layer.torch_weights()  # grad enabled, parameters require grad
    assert all(w.requires_grad for w in weights[:3])
    weights[0].sum().backward()
    assert layer.kernel.grad is not None and layer.kernel.grad.abs().sum() > 0


def test_input_gradient_through_frozen_cached_weights() -> None:
    """Saliency on frozen weights uses the cache built by predict (under inference_mode):
    the cached tensors must be plain tensors autograd can save."""
    model, x = build("bidirectional"), inputs()
    module = model.module
    xt = torch.tensor(x, requires_grad=True)
    module(xt).sum().backward()
    expected = xt.grad.clone()  # type: ignore[union-attr]
    model.predict(x)
    for p in module.parameters():
        p.requires_grad_(False)
    xt.grad = None
    module(xt).sum().backward()
    torch.testing.assert_close(xt.grad, expected)


def test_entering_training_mode_drops_the_cache() -> None:
    model, layer, cached = weights_after_predict()
    model.module.train()
    model.module.eval()
    with torch.inference_mode():
        assert layer.torch_weights()[0] is not cached[0]


def test_train_keeps_nn_module_semantics() -> None:
    module = build("bidirectional").module
    module.layers[0].train()  # one submodule out of step with the root
    module.eval()
    assert not any(m.training for m in module.modules())
    module.train()
    assert all(m.training for m in module.modules())
    with pytest.raises(ValueError, match="boolean"):
        module.train("yes")  # type: ignore[arg-type]


def test_bidirectional_concat_returns_the_kernel_output() -> None:
    model, x = build("bidirectional"), inputs()
    bidirectional = model.layers[0].module
    xt = torch.as_tensor(x)
    with torch.inference_mode():
        merged = bidirectional(xt)
        fw, bw = bidirectional.run(xt)  # type: ignore[operator]
    torch.testing.assert_close(merged, torch.cat([fw.sequence, bw.sequence], dim=-1))


def test_is_packed() -> None:
    weights = [torch.randn(8, 3), torch.randn(8, 2), torch.randn(8)]
    assert not is_packed(weights)
    assert is_packed(packed(weights))
    assert not is_packed(packed(weights)[::-1])


def test_predict_returns_arrays_of_its_own() -> None:
    """An output may be the input itself (a trailing Dropout returns it as is in inference)
    or share memory with another output (the LSTM's last output and its final h): predict
    copies them apart."""
    x = inputs()
    passthrough = rnnlens.Sequential([Input(shape=(STEPS, FEATURES)), Dropout(0.5)])
    out = passthrough.predict(x)
    np.testing.assert_array_equal(out, x)
    assert not np.shares_memory(out, x)

    torch.manual_seed(0)
    stateful = rnnlens.Sequential([Input(shape=(STEPS, FEATURES)), LSTM(4, return_state=True)])
    last, h, c = stateful.predict(x)
    np.testing.assert_array_equal(last, h)
    assert not np.shares_memory(last, h) and not np.shares_memory(h, c)


def test_first_parameter_gives_dtype_and_device() -> None:
    model = build("gru")
    assert model.module.first_parameter() is next(model.module.parameters())
    empty = rnnlens.Sequential([Input(shape=(STEPS, FEATURES)), Dropout(0.1)])
    assert empty.module.first_parameter() is None
    assert empty.predict(inputs()).dtype == np.float32


@pytest.mark.parametrize("case", ["lstm", "bidirectional"])
def test_large_calls_keep_no_copy_of_the_weights(case: str) -> None:
    """Above CACHE_MAX_ROWS (batch × time) the conversion is negligible next to the kernel,
    so no converted copy is kept: a model holds its weights once."""
    from rnnlens.engine.layout import CACHE_MAX_ROWS

    model = build(case)
    big = inputs(batch=CACHE_MAX_ROWS // STEPS + 1)
    for _ in range(3):
        model.predict(big, batch_size=None)
    caches = [m.layout_cache for m in model.module.modules() if hasattr(m, "layout_cache")]
    assert caches and all(cache._key is None for cache in caches)
    np.testing.assert_allclose(
        model.predict(big, batch_size=None), reference_prediction(model, big), rtol=0, atol=1e-5
    )
    model.predict(inputs(), batch_size=None)
    model.predict(inputs(), batch_size=None)  # small calls still use it
    assert any(cache._key is not None for cache in caches)


def test_a_model_first_used_inside_inference_mode_still_trains_and_caches() -> None:
    """Weights are built on first use; inside the caller's torch.inference_mode() they must
    still be ordinary tensors (version counters for the cache, autograd for training)."""
    model, x = build("lstm"), inputs()
    with torch.inference_mode():
        inside = model.predict(x)
        again = model.predict(x)
    assert not any(p.is_inference() for p in model.module.parameters())
    np.testing.assert_array_equal(inside, again)
    np.testing.assert_allclose(model.predict(x), reference_prediction(model, x), atol=1e-5)
    model.compile(optimizer="sgd", loss="mse")
    model.train_on_batch(x, np.zeros((len(x), 2), dtype="float32"))
    assert not np.allclose(model.predict(x), inside)
