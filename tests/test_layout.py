"""The package's layers, checked on the source: imports point one way only.

    cli  ->  api  ->  review | events | bindings  ->  engine  ->  store  ->  config  ->  errors

A module may import from its own layer and from any layer below it, never from one above, and the
three middle packages (review, events, bindings) do not import one another. Imports inside functions
count as much as those at the top: they are how the CLI keeps start-up fast, not a way round the
rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cwscodegen"

# Lower number = lower layer. Siblings share a number but may not import each other.
LAYER = {
    "errors": 0,
    "config": 1,
    "store": 2,
    "engine": 3,
    "review": 4,
    "events": 4,
    "bindings": 4,
    "api": 5,
    "cli": 6,
    "__main__": 7,
}


def _component(module: str) -> str | None:
    """The layer name of a `cwscodegen.*` module (None for the package itself and outsiders)."""
    parts = module.split(".")
    if parts[0] != "cwscodegen" or len(parts) < 2:
        return None
    return parts[1]


def _own_component(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py") if len(relative.parts) == 1 else relative.parts[0]


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "cwscodegen":
                found += [(node.lineno, f"cwscodegen.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def violations() -> list[str]:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "__init__.py":
            continue
        own = _own_component(path)
        for line, module in _imports(path):
            target = _component(module)
            if target is None or target == own:
                continue
            if target not in LAYER:
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {module} is in no layer")
            elif LAYER[target] > LAYER[own] or (LAYER[target] == LAYER[own] and target != own):
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {own} imports {module}")
    return problems


def test_every_module_belongs_to_a_layer() -> None:
    components = {_own_component(path) for path in PACKAGE.rglob("*.py") if path != PACKAGE / "__init__.py"}
    assert components <= set(LAYER), sorted(components - set(LAYER))


def test_imports_point_down_only() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("own", "source", "expected"),
    [
        ("engine", "from cwscodegen.review import render\n", "engine imports cwscodegen.review"),
        (
            "store",
            "def f():\n    from cwscodegen.engine.compare import diff\n",
            "store imports cwscodegen.engine.compare",
        ),
        ("review", "from cwscodegen import events\n", "review imports cwscodegen.events"),
    ],
)
def test_the_check_catches_an_upward_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own: str, source: str, expected: str
) -> None:
    fake = tmp_path / "cwscodegen"
    (fake / own).mkdir(parents=True)
    (fake / own / "bad.py").write_text(source)
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", fake)
    assert any(expected in problem for problem in violations())
