"""The floors: a room imports only rooms on its own floor or below, not even lazily.

Every ``import`` statement in ``src/rnnlens`` is read with ``ast`` — at module level, inside
functions and under ``if TYPE_CHECKING:`` alike — and its target's floor compared with the
importing module's. The order is the one ``docs/architecture.md`` states.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "rnnlens"

# Lowest first. A room may import its own floor and every floor below it.
FLOORS: list[tuple[str, tuple[str, ...]]] = [
    (
        "spec",
        (
            "errors",
            "naming",
            "shapes",
            "hooks",
            "version",
            "extras",
            "symbolic",
            "nodes",
            "layers",
            "graph",
        ),
    ),
    ("engine", ("engine",)),
    (
        "capabilities",
        ("explain", "summary", "train", "io", "report", "trace", "interpret", "pytorch", "data"),
    ),
    ("facade", ("__init__", "model", "runtime", "api", "parse", "readers")),
    ("cli", ("cli", "bench")),
]
FLOOR_OF = {room: level for level, (_, rooms) in enumerate(FLOORS) for room in rooms}
FLOOR_NAME = [name for name, _ in FLOORS]


def _room(module: str) -> str:
    """``rnnlens.engine.build`` -> ``engine``; ``rnnlens`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    relative = Path(*dotted.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative).is_dir()


def _imports(path: Path, name: str | None = None) -> list[tuple[int, str]]:
    """Every rnnlens module ``path`` (module ``name``) imports, with its line."""
    name = name or _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # `from . import layers` names a module, `from .. import Sequential` the package.
            names = [target]
            if not node.module:
                names = [
                    f"{target}.{a.name}" if _is_module(f"{target}.{a.name}") else target
                    for a in node.names
                ]
            found += [(node.lineno, t) for t in names]
    return [(line, t) for line, t in found if t == "rnnlens" or t.startswith("rnnlens.")]


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_room_has_a_floor() -> None:
    rooms = {_room(_module_name(path)) for path in SOURCES}
    missing = sorted(rooms - set(FLOOR_OF))
    assert not missing, f"add these rooms to FLOORS in {__file__} (and docs/architecture.md)"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_room_imports_a_higher_floor(path: Path, name: str | None = None) -> None:
    name = name or _module_name(path)
    own = FLOOR_OF[_room(name)]
    upward = []
    for line, target in _imports(path, name):
        room = _room(target)
        if room in FLOOR_OF and FLOOR_OF[room] > own:
            upward.append(f"line {line}: {target} ({FLOOR_NAME[FLOOR_OF[room]]})")
    assert not upward, f"{FLOOR_NAME[own]} module imports a higher floor: {upward}"


@pytest.mark.parametrize(
    "path",
    [p for p in SOURCES if FLOOR_OF.get(_room(_module_name(p))) == 0],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_the_spec_never_names_torch(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [n for n in names if n.split(".")[0] == "torch"]


def test_the_checker_sees_a_lazy_upward_import(tmp_path: Path) -> None:
    # The scan must find an import hidden in a function body (the mistake it exists for).
    fake = tmp_path / "probe.py"
    fake.write_text(
        "def f():\n    from ..engine.build import build_module\n    from .. import Sequential\n",
        encoding="utf-8",
    )
    name = "rnnlens.layers.probe"
    assert _imports(fake, name) == [(2, "rnnlens.engine.build"), (3, "rnnlens")]
    with pytest.raises(AssertionError, match=r"engine\.build \(engine\).*rnnlens \(facade\)"):
        test_no_room_imports_a_higher_floor(fake, name)
