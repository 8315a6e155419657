"""A real notebook, executed headlessly, shows what a notebook user expects: a summary table,
an explanation panel, an inline SVG diagram, a progress bar and the loss curves; the HTML
export is then checked in headless Chromium."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from .support.page import chromium_page

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
nbconvert = pytest.importorskip("nbconvert")

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "notebook.ipynb"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    folder = tmp_path_factory.mktemp("notebook")
    # The kernel is a child process: it must import this checkout, as the tests do.
    source = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": folder}}
    )
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        client.execute()
    return notebook


def _outputs(notebook: Any, index: int) -> list[dict[str, Any]]:
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    return code_cells[index].outputs


def _rich(outputs: list[dict[str, Any]], mime: str) -> list[str]:
    return [o["data"][mime] for o in outputs if "data" in o and mime in o["data"]]


def test_model_shows_keras_summary_as_a_table(executed: Any) -> None:
    (table,) = _rich(_outputs(executed, 0), "text/html")
    assert (
        "<table" in table and "17,152" in table and "12,416" in table and "(None, 10, 64)" in table
    )


def test_explanation_is_an_html_panel(executed: Any) -> None:
    (panel,) = _rich(_outputs(executed, 1), "text/html")
    assert 'class="rnnlens-explain"' in panel
    assert "Flow(" not in panel  # not the dataclass repr


def test_diagram_is_inline_svg(executed: Any) -> None:
    outputs = _outputs(executed, 2)
    assert _rich(outputs, "image/svg+xml"), "the diagram should display as SVG, not as its source"


def test_fit_draws_a_progress_bar_and_history_its_curves(executed: Any) -> None:
    outputs = _outputs(executed, 3)
    bars = _rich(outputs, "text/html")
    assert bars and all("<progress" in bar for bar in bars)
    assert 'value="4" max="4"' in bars[-1]  # the last state: every batch done
    assert "<svg" in _rich(outputs, "image/svg+xml")[-1]


def test_exported_page_renders_each_view_in_chromium(executed: Any, tmp_path: Path) -> None:
    exporter = nbconvert.HTMLExporter(template_name="basic")
    body, _ = exporter.from_notebook_node(executed)
    page_file = tmp_path / "notebook.html"
    page_file.write_text(f"<!doctype html><meta charset='utf-8'><body>{body}</body>", "utf-8")
    with chromium_page() as (page, errors):
        page.goto(page_file.as_uri())
        counts = page.evaluate(
            """() => ({
                tables: document.querySelectorAll('table').length,
                panels: document.querySelectorAll('.rnnlens-explain').length,
                // nbconvert embeds SVG outputs as data: images; count those that decoded
                svgs: [...document.querySelectorAll('img[src^="data:image/svg+xml"]')]
                    .filter((img) => img.complete && img.naturalWidth > 0).length
                    + document.querySelectorAll('svg').length,
                bars: document.querySelectorAll('progress').length,
                panelHeight: document.querySelector('.rnnlens-explain')?.getBoundingClientRect().height ?? 0,
            })"""
        )
    assert errors == []
    assert counts["tables"] >= 1 and counts["panels"] == 1 and counts["bars"] >= 1
    assert counts["svgs"] >= 2  # the diagram and the loss curves
    assert counts["panelHeight"] > 100  # the panel is laid out, not collapsed
