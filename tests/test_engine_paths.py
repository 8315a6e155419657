"""The fused path (torch's kernels) and the reference step loop compute the same function.

In float64, forward outputs, final states and gradients with respect to the input and to
every parameter agree within 1e-6, for every layer the fused path accepts, Bidirectional's
single two-direction call included. Also: forcing the fused path where it is not exact is an
error, training mode with dropout runs for every layer type, and every tensor the engine
creates follows the input's device (checked on torch's "meta" device).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import rnnlens
from rnnlens.engine.bidirectional import BidirectionalModule
from rnnlens.engine.fused import packed
from rnnlens.engine.recurrent import RecurrentModule
from rnnlens.engine.sequential import set_path
from rnnlens.errors import ConfigError
from rnnlens.layers import (
    GRU,
    LSTM,
    Bidirectional,
    Dense,
    Dropout,
    Input,
    Masking,
    RepeatVector,
    SimpleRNN,
    TimeDistributed,
)

TOL = 1e-6


def float64_model(layers: list[Any], input_shape: tuple[int, int] = (5, 3)) -> rnnlens.Sequential:
    """A model with non-trivial float64 weights (biases included)."""
    model = rnnlens.Sequential([Input(input_shape), *layers])
    rng = np.random.default_rng(11)
    model.module.double()
    model.set_weights([rng.normal(0, 0.4, w.shape) for w in model.get_weights()])
    return model


def outputs_and_grads(
    model: rnnlens.Sequential, x: torch.Tensor, path: str
) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Forward outputs on ``path`` and d(sum of outputs · fixed weights)/d(input, parameters)."""
    set_path(model, path)
    x = x.clone().requires_grad_(True)
    outs = model.module(x)
    outs = outs if isinstance(outs, list) else [outs]
    # A fixed random projection, so each output element gets its own weight in the loss.
    generator = torch.Generator().manual_seed(3)
    loss = sum((o * torch.randn(o.shape, generator=generator, dtype=o.dtype)).sum() for o in outs)
    params = list(model.module.parameters())
    grads = torch.autograd.grad(loss, [x, *params])
    return [o.detach() for o in outs], list(grads)


FUSABLE: dict[str, Callable[[], list[Any]]] = {
    "lstm": lambda: [LSTM(4, return_sequences=True), LSTM(3, return_state=True)],
    "lstm-backwards-no-bias": lambda: [LSTM(4, go_backwards=True, use_bias=False)],
    "gru": lambda: [GRU(4, return_sequences=True, go_backwards=True), GRU(2, return_state=True)],
    "gru-no-bias": lambda: [GRU(4, use_bias=False, return_sequences=True)],
    "simple_rnn-tanh": lambda: [SimpleRNN(4, return_sequences=True, return_state=True)],
    "simple_rnn-relu-backwards": lambda: [SimpleRNN(4, activation="relu", go_backwards=True)],
    "bidirectional-lstm-concat": lambda: [Bidirectional(LSTM(4, return_sequences=True))],
    "bidirectional-gru-state": lambda: [Bidirectional(GRU(3, return_state=True), merge_mode="mul")],
    "bidirectional-rnn-none": lambda: [
        Bidirectional(SimpleRNN(3, return_sequences=True, return_state=True), merge_mode=None)
    ],
    "encoder-decoder": lambda: [
        LSTM(4),
        RepeatVector(3),
        GRU(3, return_sequences=True),
        TimeDistributed(Dense(2)),
    ],
}


@pytest.mark.parametrize("case", list(FUSABLE))
@pytest.mark.parametrize(("batch", "time"), [(1, 1), (3, 5)])
def test_fused_equals_reference_forward_and_gradients(case: str, batch: int, time: int) -> None:
    model = float64_model(FUSABLE[case](), input_shape=(time, 3))
    x = torch.randn(batch, time, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    fused_out, fused_grads = outputs_and_grads(model, x, "fused")
    ref_out, ref_grads = outputs_and_grads(model, x, "reference")
    assert len(fused_out) == len(ref_out)
    for a, b in zip(fused_out, ref_out, strict=True):
        torch.testing.assert_close(a, b, atol=TOL, rtol=0)
    for a, b in zip(fused_grads, ref_grads, strict=True):
        torch.testing.assert_close(a, b, atol=TOL, rtol=0)
    # The gradients are not trivially zero: every parameter takes part (the recurrent
    # kernels only from the second step on: the first step starts from h = 0).
    if time > 1:
        assert all(g.abs().sum() > 0 for g in fused_grads)


def test_bidirectional_uses_one_fused_call_equal_to_two_runs() -> None:
    model = float64_model([Bidirectional(LSTM(4, return_sequences=True, return_state=True))])
    module = model.layers[0].module
    assert isinstance(module, BidirectionalModule)
    x = torch.randn(2, 5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    assert module._one_fused_call(None, False)
    pair_out, pair_grads = outputs_and_grads(model, x, "auto")
    # Two separate fused runs, merged by hand as Keras does: the backward one flipped onto time.
    x_leaf = x.clone().requires_grad_(True)
    fw = module.forward_layer.run(x_leaf)
    bw = module.backward_layer.run(x_leaf)
    separate = [torch.cat([fw.sequence, bw.sequence.flip(1)], dim=-1), *fw.states, *bw.states]
    for a, b in zip(pair_out, separate, strict=True):
        torch.testing.assert_close(a, b.detach(), atol=TOL, rtol=0)
    _, ref_grads = outputs_and_grads(model, x, "reference")
    for a, b in zip(pair_grads, ref_grads, strict=True):
        torch.testing.assert_close(a, b, atol=TOL, rtol=0)


NOT_FUSABLE: dict[str, Callable[[], list[Any]]] = {
    "gru-reset_before": lambda: [GRU(3, reset_after=False)],
    "lstm-hard_sigmoid": lambda: [LSTM(3, recurrent_activation="hard_sigmoid")],
    "simple_rnn-sigmoid": lambda: [SimpleRNN(3, activation="sigmoid")],
    "masked": lambda: [Masking(0.0), LSTM(3)],
}


@pytest.mark.parametrize("case", list(NOT_FUSABLE))
def test_forcing_fused_where_it_is_not_exact_is_an_error(case: str) -> None:
    model = float64_model(NOT_FUSABLE[case]())
    x = torch.randn(2, 5, 3, dtype=torch.float64)
    set_path(model, "fused")
    with pytest.raises(ConfigError, match="path='fused' cannot compute"):
        model.module(x)
    set_path(model, "auto")  # the automatic choice computes it (on the reference path)
    assert model.module(x).shape == (2, 3)


def test_auto_path_picks_fused_when_exact() -> None:
    model = float64_model([LSTM(3, return_sequences=True), GRU(3, reset_after=False)])
    first, second = (layer.module for layer in model.layers)
    assert isinstance(first, RecurrentModule) and isinstance(second, RecurrentModule)
    assert first.uses_fused(None) and not second.uses_fused(None)
    assert not first.uses_fused(torch.ones(2, 5, dtype=torch.bool))


def test_packed_weights_are_one_buffer_with_the_same_values_and_gradients() -> None:
    weights = [torch.randn(8, 3, requires_grad=True), torch.randn(8, 2, requires_grad=True).t()]
    views = packed(weights)
    assert len({v.untyped_storage().data_ptr() for v in views}) == 1
    assert all(v.is_contiguous() for v in views)
    for view, weight in zip(views, weights, strict=True):
        torch.testing.assert_close(view, weight)
    grads = torch.autograd.grad(sum((v * (i + 1)).sum() for i, v in enumerate(views)), weights)
    torch.testing.assert_close(grads[1], torch.full((2, 8), 2.0))


@pytest.mark.parametrize("layer", [LSTM, SimpleRNN, GRU])
def test_a_training_step_hands_the_kernel_its_weights_without_transposing_copies(
    layer: Callable[..., Any],
) -> None:
    """Kernels are stored torch's way round (``layout.torch_major``): with gradients on, the
    fused kernel gets the parameters themselves (LSTM, SimpleRNN) or whole-row reorders
    (GRU), the gradients land in the parameters' own strides (no copy in AccumulateGrad), and
    ``get_weights`` still hands out ordinary C-ordered Keras arrays."""
    model = float64_model([layer(4)])
    module = model.module.layers[0]
    assert isinstance(module, RecurrentModule)
    module.train()
    w_ih, w_hh, *_ = module.torch_weights()
    if layer is GRU:  # Keras z, r, h -> torch r, z, n: row blocks, each one contiguous copy
        torch.testing.assert_close(w_ih[:4], module.kernel[:, 4:8].t())
        torch.testing.assert_close(w_hh[8:], module.recurrent_kernel[:, 8:].t())
    else:
        assert w_ih.data_ptr() == module.kernel.data_ptr()
        assert w_hh.data_ptr() == module.recurrent_kernel.data_ptr()
    assert w_ih.is_contiguous() and w_hh.is_contiguous()
    model.module(torch.randn(2, 5, 3, dtype=torch.float64)).sum().backward()
    for parameter in (module.kernel, module.recurrent_kernel):
        assert parameter.grad is not None and parameter.grad.stride() == parameter.stride()
    kernel, recurrent, _ = model.get_weights()
    assert kernel.flags.c_contiguous and recurrent.flags.c_contiguous
    np.testing.assert_array_equal(kernel, module.kernel.detach().numpy())


# ------------------------------------------------------------------- training mode
TRAINING: dict[str, Callable[[], list[Any]]] = {
    "lstm": lambda: [LSTM(4, dropout=0.3, recurrent_dropout=0.3, return_sequences=True)],
    "lstm-input-dropout-fused": lambda: [LSTM(4, dropout=0.5)],
    "gru": lambda: [GRU(4, dropout=0.3, recurrent_dropout=0.3)],
    "gru-reset_before": lambda: [GRU(4, reset_after=False, dropout=0.2, recurrent_dropout=0.4)],
    "simple_rnn": lambda: [SimpleRNN(4, dropout=0.3, recurrent_dropout=0.3, go_backwards=True)],
    "bidirectional": lambda: [
        Bidirectional(LSTM(3, dropout=0.3, recurrent_dropout=0.2, return_sequences=True)),
        Dropout(0.5, noise_shape=(None, 1, 6)),
        TimeDistributed(Dense(2)),
    ],
    "bidirectional-fused-dropout": lambda: [Bidirectional(GRU(3, dropout=0.4), merge_mode="sum")],
}


@pytest.mark.parametrize("case", list(TRAINING))
def test_training_mode_with_dropout_runs_and_differs_from_inference(case: str) -> None:
    model = float64_model([Masking(99.0), *TRAINING[case]()] if case == "gru" else TRAINING[case]())
    x = torch.randn(4, 5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    model.module.eval()
    inference = model.module(x)
    model.module.train()
    torch.manual_seed(0)
    first = model.module(x.requires_grad_(True))
    first.sum().backward()
    torch.manual_seed(0)
    again = model.module(x)
    model.module.eval()
    assert torch.isfinite(first).all() and x.grad is not None and torch.isfinite(x.grad).all()
    torch.testing.assert_close(again, first)  # the masks come from torch's generator
    assert not torch.allclose(first, inference)  # dropout did drop something
    torch.testing.assert_close(model.module(x), inference)  # and inference is deterministic


# -------------------------------------------------------------------------- devices
DEVICE_CASES: dict[str, Callable[[], list[Any]]] = {
    "fused-stack": lambda: [
        LSTM(4, return_sequences=True, dropout=0.2),
        Bidirectional(GRU(3, return_sequences=True)),
        TimeDistributed(Dense(2)),
    ],
    "reference-masked": lambda: [
        Masking(0.0),
        Bidirectional(GRU(3, reset_after=False, recurrent_dropout=0.3, return_sequences=True)),
        Dropout(0.5, noise_shape=(None, 1, 6)),
        SimpleRNN(2, dropout=0.1, recurrent_dropout=0.1, go_backwards=True),
        RepeatVector(2),
        LSTM(2, stateful=True, return_state=True),
    ],
}


@pytest.mark.parametrize("case", list(DEVICE_CASES))
@pytest.mark.parametrize("training", [False, True])
def test_every_tensor_follows_the_input_device(case: str, training: bool) -> None:
    """On "meta", any tensor the engine made on the CPU instead would raise a device error."""
    model = rnnlens.Sequential([Input((5, 3), batch_size=2), *DEVICE_CASES[case]()])
    module = model.module.to("meta")
    module.train(training)
    out = module(torch.empty(2, 5, 3, device="meta"))
    outs = out if isinstance(out, list) else [out]
    assert all(o.device.type == "meta" for o in outs)
    if case == "reference-masked":
        again = module(torch.empty(2, 5, 3, device="meta"))  # the stored state, on meta too
        assert isinstance(again, list) and again[0].shape == (2, 2)
