"""Translations of the Keras test helpers the ported tests use (``keras/src/testing``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch


def variable(value: Any, name: str = "") -> torch.nn.Parameter:
    """``backend.Variable(value, name=...)``: a float32 parameter that carries a name."""
    parameter = torch.nn.Parameter(torch.tensor(value, dtype=torch.float32))
    parameter.keras_name = name  # type: ignore[attr-defined]  # read by exclude_from_weight_decay
    return parameter


def tensor(value: Any) -> torch.Tensor:
    """``ops.array(...)`` / ``ops.arange`` / ``ops.full``."""
    return torch.as_tensor(np.asarray(value), dtype=torch.float32)


def assert_all_close(actual: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-6) -> None:
    """``self.assertAllClose`` with Keras's default tolerances (1e-6)."""
    if isinstance(actual, torch.Tensor):
        actual = actual.detach().numpy()
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def run_class_serialization_test(obj: Any) -> None:
    """``run_class_serialization_test``: ``from_config(get_config())`` rebuilds an equal config."""
    config = obj.get_config()
    again = type(obj).from_config(config)
    assert again.get_config() == config


def call_layer(
    layer: Any,
    inputs: Any,
    training: bool = False,
    mask: Any = None,
    initial_state: Any = None,
) -> Any:
    """``layer(inputs, training=..., mask=..., initial_state=...)`` on data.

    Keras builds a layer on its first call; here the layer is built for the input's shape
    (batch excluded), then its engine module runs. Returns numpy (a list for several outputs).
    """
    array = np.asarray(inputs)
    if layer.input_shape is None:
        layer.build((None, *array.shape[1:]))
    module = layer.module
    dtype = torch.float64 if array.dtype == np.float64 else torch.float32
    module.to(dtype)
    module.train(training)
    # token ids stay integers for an Embedding; every other layer casts inputs to floats
    integer = array.dtype.kind in "iu" and type(layer).__name__ == "Embedding"
    arguments: list[Any] = [torch.as_tensor(array, dtype=torch.long if integer else dtype)]
    if mask is not None or initial_state is not None:
        arguments.append(None if mask is None else torch.as_tensor(np.asarray(mask)))
    if initial_state is not None:
        if isinstance(initial_state, np.ndarray):  # Keras takes one state as a bare tensor
            initial_state = [initial_state]
        arguments.append([torch.as_tensor(np.asarray(s), dtype=dtype) for s in initial_state])
    with torch.no_grad():
        out = module(*arguments)
    module.train(False)
    if isinstance(out, (list, tuple)):
        return [o.numpy() for o in out]
    return out.numpy()


def run_layer_test(
    cls: Any,
    init_kwargs: dict[str, Any],
    input_data: Any = None,
    input_shape: tuple[int, ...] | None = None,
    expected_output: Any = None,
    expected_output_shape: tuple[int, ...] | None = None,
    expected_num_trainable_weights: int | None = None,
    expected_num_non_trainable_weights: int | None = None,
    expected_num_losses: int | None = None,
    expected_num_non_trainable_variables: int | None = None,
    expected_num_seed_generators: int | None = None,
    assert_built_after_instantiation: bool = False,
    input_dtype: str | None = None,
    call_kwargs: dict[str, Any] | None = None,
    supports_masking: bool | None = None,
) -> None:
    """The parts of Keras's ``run_layer_test`` rnnlens has: config round trip, weight counts,
    output shape and values (``expected_output`` compared with Keras's 1e-6 tolerance)."""
    layer = cls(**init_kwargs)
    if assert_built_after_instantiation:
        assert layer.built
    again = cls.from_config(layer.get_config())
    assert again.get_config() == layer.get_config()
    if input_data is None:
        assert input_shape is not None
        rng = np.random.default_rng(0)
        if input_dtype is not None and input_dtype.startswith("int"):
            input_data = rng.integers(0, 2, size=input_shape).astype(input_dtype)
        else:
            input_data = rng.random(input_shape).astype("float32")
    training = bool((call_kwargs or {}).get("training", False))
    output = call_layer(layer, input_data, training=training)
    if expected_output_shape is not None:
        assert output.shape == tuple(expected_output_shape)
    if expected_output is not None:
        assert_all_close(output, np.asarray(expected_output))
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights
    if expected_num_non_trainable_weights is not None:
        assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights
    if expected_num_non_trainable_variables is not None:
        # Keras counts its SeedGenerator's state as a variable: one per layer that draws
        # dropout masks. rnnlens keeps that state in a torch generator, so it is counted here.
        draws = getattr(layer, "dropout", 0) or getattr(layer, "recurrent_dropout", 0)
        count = len(layer.non_trainable_weights) + (1 if draws else 0)
        assert count == expected_num_non_trainable_variables
    if expected_num_seed_generators is not None:  # a layer that draws masks owns one
        rates = [getattr(layer, k, 0) for k in ("rate", "dropout", "recurrent_dropout")]
        assert (1 if any(rates) else 0) == expected_num_seed_generators
    if expected_num_losses is not None:  # Keras's layer.losses: the weight penalties
        from rnnlens.train.regularizers import weight_penalties

        assert len(weight_penalties([layer])) == expected_num_losses
    if supports_masking is not None:
        assert layer.supports_masking == supports_masking


def needs(*names: str, issue: str = "issue 13, layers helper") -> Any:
    """``xfail(strict=True)`` while a layer rnnlens is gaining is absent; the test runs (and
    must pass, or it fails loudly) as soon as ``rnnlens.layers`` has every name."""
    import pytest

    import rnnlens.layers

    missing = [name for name in names if not hasattr(rnnlens.layers, name)]
    return pytest.mark.xfail(
        bool(missing), strict=True, reason=f"needs {', '.join(missing) or names} ({issue})"
    )


#: For tests whose Keras original defines its own layer or cell class in Python.
CUSTOM_CODE = (
    "defines a custom Python layer/cell class: rnnlens models are specs of the layers it "
    "knows and never run user code (README, 'What rnnlens does not do')"
)
