"""Functional models through files: .rnnlens round trips, Keras .keras files both ways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keras
import numpy as np
import pytest

import rnnlens as rl
from rnnlens.io.keras import from_keras, to_keras
from rnnlens.io.native import load_model

from .test_graph_keras import _build, _data

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.fixture(autouse=True)
def _fresh_keras_names() -> Iterator[None]:
    # Keras numbers layers per session: leave none of ours behind for the next test.
    yield
    keras.backend.clear_session()


NAMES = ["seq2seq_initial_state", "shared_layer", "two_outputs", "additive_attention_masked"]
# Keras writes Masking + Bidirectional as extra NotEqual/Any operations, which rnnlens refuses
# by name; the Keras-file direction uses a graph without Masking instead.
FROM_KERAS = [*NAMES[:3], "attention_causal_key"]


def _outputs(model: object, x: list[np.ndarray]) -> list[np.ndarray]:
    out = model.predict(x if len(x) > 1 else x[0])  # type: ignore[attr-defined]
    return out if isinstance(out, list) else [out]


@pytest.mark.parametrize("name", NAMES)
def test_native_round_trip_keeps_graph_and_outputs(name: str, tmp_path: Path) -> None:
    _, model = _build(name)
    x = _data(model)
    model.save(tmp_path / "m.rnnlens")
    loaded = load_model(tmp_path / "m.rnnlens")
    assert type(loaded) is rl.Model
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert loaded.get_config() == model.get_config()
    for ours, theirs in zip(_outputs(loaded, x), _outputs(model, x), strict=True):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("name", FROM_KERAS)
def test_keras_functional_file_read_by_rnnlens(name: str, tmp_path: Path) -> None:
    k_model, _ = _build(name)
    rng = np.random.default_rng(2)
    k_model.set_weights(
        [rng.normal(0, 0.5, w.shape).astype("float32") for w in k_model.get_weights()]
    )
    k_model.save(tmp_path / "k.keras")
    model = from_keras(tmp_path / "k.keras")
    assert [layer.name for layer in model.layers] == [layer.name for layer in k_model.layers]
    x = _data(model)
    want = k_model.predict(x if len(x) > 1 else x[0], verbose=0)
    for ours, theirs in zip(
        _outputs(model, x), want if isinstance(want, list) else [want], strict=True
    ):
        np.testing.assert_allclose(ours, theirs, atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_rnnlens_export_loads_in_keras(name: str, tmp_path: Path) -> None:
    _, model = _build(name)
    to_keras(model, tmp_path / "r.keras")
    k_model = keras.saving.load_model(tmp_path / "r.keras")
    assert [layer.name for layer in k_model.layers] == [layer.name for layer in model.layers]
    x = _data(model)
    want = k_model.predict(x if len(x) > 1 else x[0], verbose=0)
    for ours, theirs in zip(
        _outputs(model, x), want if isinstance(want, list) else [want], strict=True
    ):
        np.testing.assert_allclose(ours, theirs, atol=1e-5)
