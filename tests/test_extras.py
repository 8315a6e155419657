"""A missing optional package is one line naming the extra, in the library and on the CLI."""

from __future__ import annotations

import importlib
import sys

import pytest

import rnnlens as rl
from rnnlens.cli import main
from rnnlens.errors import MissingExtraError
from rnnlens.extras import require
from rnnlens.layers import LSTM, Dense


def test_require_names_the_extra_and_the_pip_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now fails as if absent
    with pytest.raises(MissingExtraError) as caught:
        require("onnx", extra="onnx", feature="ONNX export")
    message = str(caught.value)
    assert "ONNX export" in message and "pip install 'rnnlens[onnx]'" in message
    assert "\n" not in message
    assert isinstance(caught.value, ImportError)  # `except ImportError` keeps working


def test_require_lets_a_broken_dependency_of_the_package_speak(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The package is installed but one of *its* imports fails: that error says more than ours.
    def broken(name: str, *args: object, **kwargs: object) -> object:
        raise ModuleNotFoundError("No module named 'inner_dep'", name="inner_dep")

    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(ModuleNotFoundError, match="inner_dep"):
        require("onnx", extra="onnx", feature="ONNX export")


def test_cli_convert_to_onnx_without_onnx_is_one_line(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    model = rl.Sequential([LSTM(3, input_shape=(4, 2)), Dense(1)])
    model.save(folder / "m.rnnlens")
    monkeypatch.setitem(sys.modules, "onnx", None)
    code = main(["convert", str(folder / "m.rnnlens"), str(folder / "m.onnx")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "pip install 'rnnlens[onnx]'" in err
    assert not (folder / "m.onnx").exists()


def test_keras_weights_without_h5py_name_the_keras_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "rnnlens.io.keras_weights", raising=False)
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(MissingExtraError, match=r"rnnlens\[keras\]"):
        importlib.import_module("rnnlens.io.keras_weights")


def test_tensorboard_callback_without_tensorboard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tensorboard", None)
    with pytest.raises(MissingExtraError, match=r"rnnlens\[tensorboard\]"):
        rl.callbacks.TensorBoard("logs")
