"""Round trips native <-> Keras <-> torch <-> ONNX over a grid of stacks, comparing outputs.

Every hop is checked against the original model's predictions, and what we write in Keras's
format is opened by the real ``keras`` package (torch backend).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

import rnnlens as rl  # noqa: E402
from tests.io_support import NOT_TORCH, STACKS, assert_same, build, sample  # noqa: E402

# Keras 3.15 calls np.array(variable), which numpy 2 flags; not ours to fix.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.mark.parametrize("name", list(STACKS))
def test_native_keras_torch_round_trip(name: str, tmp_path) -> None:
    model = build(name)
    x = sample()
    want = model.predict(x)

    model.save(tmp_path / "m.rnnlens")
    native = rl.load(tmp_path / "m.rnnlens")
    assert native.get_config() == rl.io.native.load_config(tmp_path / "m.rnnlens").get_config()
    assert_same(native.predict(x), want, atol=0)

    rl.to_keras(native, tmp_path / "m.keras")
    keras.backend.clear_session()
    real = keras.saving.load_model(tmp_path / "m.keras")
    assert_same(real(x), want)
    assert real.count_params() == model.count_params()

    back = rl.from_keras(tmp_path / "m.keras")
    assert [layer.name for layer in back.layers] == [layer.name for layer in model.layers]
    assert_same(back.predict(x), want, atol=0)

    if name in NOT_TORCH:
        with pytest.raises(rl.ConfigError, match="torch"):
            rl.to_torch(back)
        return
    stack = rl.to_torch(back)
    with torch.no_grad():
        assert_same(stack(torch.from_numpy(x)), want)
    again = rl.from_torch(stack)
    assert_same(again.predict(x), want)


@pytest.mark.parametrize(
    "name", ["lstm_story", "bi_ave", "bi_none", "gru_state", "gru_backwards_td"]
)
def test_onnx_matches_rnnlens_with_other_batch_and_time(name: str, tmp_path) -> None:
    import onnxruntime

    model = build(name)
    path = rl.to_onnx(model, tmp_path / "m.onnx")
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    # A model declared with a free time axis reads any length; the ONNX graph must too.
    free = rl.Sequential.from_config(
        {
            **model.get_config(),
            "layers": [
                {"class_name": "Input", "config": {"shape": [None, 3]}},
                *model.get_config()["layers"][1:],
            ],
        }
    )
    free.set_weights(model.get_weights())
    for batch, time in ((1, 1), (4, 9)):
        x = np.random.default_rng(batch).normal(size=(batch, time, 3)).astype("float32")
        assert_same(session.run(None, {"x": x}), free.predict(x))
