"""The shape of the package, checked: one home for each idea.

- A private module (``_name``) is imported only from inside the package that holds it: nothing
  outside ``fctest.dialect`` reaches into ``fctest.dialect._fit``, no provider package into
  another's modules, and so on.
- The reference server imports nothing from the pytest plugin (both sit on ``fctest._cassettes``).
- The module-level import graph has no cycles (imports under ``TYPE_CHECKING`` and inside
  functions are left out: they are how a lazy or typing-only dependency is written).
- Modules stay readable: at most 600 lines (a sync/async twin pair may share one, saying so in
  its docstring), functions at most 80 lines except data tables.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from conftest import REPO

SRC = REPO / "src"
PACKAGE = SRC / "fctest"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
# Functions that are data tables written as code (the scenario catalogue).
DATA_TABLES = {("fctest.scenarios", "_scenarios")}


def _name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    package = module if is_package else module.rpartition(".")[0]
    parts = package.split(".")
    base = parts[: len(parts) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _targets(base: str, names: list[str]) -> set[str]:
    """``from base import a, b``: ``base.a`` where that is a module, else ``base``."""
    found = {f"{base}.{n}" for n in names if f"{base}.{n}" in MODULES}
    return found or {base}


@cache
def imports(module: str, *, everywhere: bool) -> frozenset[str]:
    """The fctest modules ``module`` imports: at module level, or (``everywhere``) anywhere,
    ``TYPE_CHECKING`` blocks and function bodies included."""
    path = MODULES[module]
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(module, is_package, node)
                found.update(_targets(base, [a.name for a in node.names]))
            elif isinstance(node, ast.If) and _is_type_checking(node):
                if everywhere:
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if everywhere:
                    visit(node.body)
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                for block in ("body", "orelse", "finalbody", "handlers"):
                    for child in getattr(node, block, []):
                        visit(child.body if isinstance(child, ast.ExceptHandler) else [child])

    visit(tree.body)
    return frozenset(m for m in found if m == "fctest" or m.startswith("fctest."))


def test_every_module_is_seen() -> None:
    assert {"fctest.dialect._fit", "fctest.providers.openai._chat_request", "fctest.server"} <= (
        MODULES.keys()
    )


def _private_owner(target: str) -> str | None:
    """The package a private module belongs to (``fctest.dialect`` for ``fctest.dialect._fit``),
    or ``None`` when no part of the name is private."""
    parts = target.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    return None


@pytest.mark.parametrize("module", sorted(MODULES))
def test_private_modules_are_imported_only_from_their_own_package(module: str) -> None:
    strangers = []
    for target in imports(module, everywhere=True):
        owner = _private_owner(target)
        if owner is not None and not (module == owner or module.startswith(owner + ".")):
            strangers.append(target)
    assert strangers == [], f"{module} imports private modules of another package: {strangers}"


def test_the_server_imports_nothing_from_the_plugin() -> None:
    server = [m for m in MODULES if m == "fctest.server" or m.startswith("fctest._server")]
    assert server
    for module in server:
        plugin = [
            m for m in imports(module, everywhere=True) if m.startswith("fctest.pytest_plugin")
        ]
        assert plugin == [], f"{module} imports {plugin}"


def _graph() -> dict[str, set[str]]:
    """Module -> the modules importing it runs: its imports, and the packages above each of
    them that are not also above the importer (those are running already)."""
    graph: dict[str, set[str]] = {}
    for module in MODULES:
        edges: set[str] = set()
        for target in imports(module, everywhere=False):
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                prefix = ".".join(parts[:i])
                if prefix in MODULES and not (module == prefix or module.startswith(prefix + ".")):
                    edges.add(prefix)
        graph[module] = edges
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk meets, as the path from its first module back to it."""
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    return cycles


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_has_no_cycles() -> None:
    assert find_cycles(_graph()) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_and_functions_stay_small(module: str) -> None:
    path = MODULES[module]
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    lines = len(text.splitlines())
    docstring = ast.get_docstring(tree) or ""
    if lines > MAX_MODULE_LINES:
        assert "twin" in docstring, f"{module}: {lines} lines (at most {MAX_MODULE_LINES})"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
        and (module, node.name) not in DATA_TABLES
    ]
    assert long == [], f"{module}: functions over {MAX_FUNCTION_LINES} lines: {long}"
