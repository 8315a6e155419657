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


def call_layer(layer: Any, inputs: Any, training: bool = False) -> np.ndarray:
    """``layer(inputs, training=...)`` on data: build for the input's shape, run the engine."""
    array = np.asarray(inputs)
    if layer.input_shape is None:
        layer.build((None, *array.shape[1:]))
    module = layer.module
    module.double() if array.dtype == np.float64 else module.float()
    module.train(training)
    with torch.no_grad():
        out = module(torch.as_tensor(array))
    module.train(False)
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
    call_kwargs: dict[str, Any] | None = None,
) -> None:
    """The parts of Keras's ``run_layer_test`` rnnlens has: config round trip, weight counts,
    output shape and values (``expected_output`` compared with Keras's 1e-6 tolerance)."""
    layer = cls(**init_kwargs)
    again = cls.from_config(layer.get_config())
    assert again.get_config() == layer.get_config()
    if input_data is None:
        assert input_shape is not None
        input_data = np.random.default_rng(0).random(input_shape).astype("float32")
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
