"""``rnnlens convert IN OUT``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import rnnlens as rl
from rnnlens.cli import main
from tests.io_support import build, sample


def test_convert_native_to_keras_and_back(tmp_path: Path, capsys) -> None:
    model = build("bi_sum")
    model.save(tmp_path / "m.rnnlens")
    assert main(["convert", str(tmp_path / "m.rnnlens"), str(tmp_path / "m.keras")]) == 0
    assert "wrote" in capsys.readouterr().out
    assert main(["convert", str(tmp_path / "m.keras"), str(tmp_path / "n.rnnlens")]) == 0
    np.testing.assert_array_equal(
        rl.load(tmp_path / "n.rnnlens").predict(sample()), model.predict(sample())
    )


def test_convert_to_torch_safetensors(tmp_path: Path) -> None:
    from safetensors.torch import load_file

    build("lstm_story").save(tmp_path / "m.rnnlens")
    assert main(["convert", str(tmp_path / "m.rnnlens"), str(tmp_path / "t.safetensors")]) == 0
    state = load_file(tmp_path / "t.safetensors")
    assert state["blocks.0.rnn.weight_ih_l0"].shape == (24, 3)  # torch layout (4U, D)


def test_convert_errors_are_one_line(tmp_path: Path, capsys) -> None:
    assert main(["convert", str(tmp_path / "a.rnnlens"), str(tmp_path / "b.h5")]) == 2
    assert "(.h5 is read-only: write .keras)" in capsys.readouterr().err
    assert main(["convert", str(tmp_path / "a.rnnlens"), str(tmp_path / "b.keras")]) == 2
    assert "no such file" in capsys.readouterr().err
