"""The package as a user meets it: its version, its names, its config formats."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pytest
import tomllib

import rnnlens as rl
from rnnlens.cli import main
from rnnlens.cli.train import load_toml

ROOT = Path(__file__).resolve().parents[1]


def test_version_has_one_source_pyproject() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert rl.__version__ == metadata.version("rnnlens") == declared


def test_cli_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"rnnlens {rl.__version__}"


def test_changelog_has_an_entry_for_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## {rl.__version__}" in changelog


def test_dir_lists_the_lazily_imported_names() -> None:
    names = dir(rl)
    for lazy in ("from_torch", "trace", "data", "load", "callbacks", "to_onnx"):
        assert lazy in names
    assert names == sorted(names)


def test_toml_configs_read_without_tomllib_as_on_python_310(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("tomli")  # a dev dependency; on Python 3.10 a core one
    text = 'epochs = 3\n[data]\nname = "sunspots"\n'
    expected = tomllib.loads(text)
    monkeypatch.setitem(sys.modules, "tomllib", None)  # Python 3.10 has no tomllib
    assert load_toml(text) == expected
    assert "tomli" in sys.modules
