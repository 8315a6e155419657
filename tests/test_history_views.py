"""History's views: a DataFrame, matplotlib plots, and the SVG chart a notebook shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from rnnlens.train.history import History


def _history() -> History:
    history = History()
    for epoch, (loss, val) in enumerate([(1.0, 1.4), (0.6, 0.9), (0.4, 0.7)]):
        history.append(epoch, {"loss": loss, "val_loss": val})
    return history


def test_to_pandas_holds_every_log_by_epoch() -> None:
    pytest.importorskip("pandas")
    frame = _history().to_pandas()
    assert list(frame.index) == [0, 1, 2] and frame.index.name == "epoch"
    assert frame["loss"].tolist() == [1.0, 0.6, 0.4]
    assert frame["val_loss"].tolist() == [1.4, 0.9, 0.7]


def test_plot_with_matplotlib_draws_each_loss_curve() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    axes = _history().plot()
    lines = {line.get_label(): list(line.get_ydata()) for line in axes.get_lines()}
    assert lines == {"loss": [1.0, 0.6, 0.4], "val_loss": [1.4, 0.9, 0.7]}
    assert all(list(line.get_xdata()) == [1, 2, 3] for line in axes.get_lines())


def test_plot_to_png_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = _history().plot(tmp_path / "curves.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_svg_stays_dependency_free_and_is_the_notebook_view(tmp_path: Path) -> None:
    history = _history()
    path = history.plot(tmp_path / "curves.svg")
    text = path.read_text()
    assert text.startswith("<svg") and "val_loss" in text
    assert history._repr_svg_() == text
