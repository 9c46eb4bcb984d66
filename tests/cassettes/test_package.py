"""The package's boundaries: every exported name resolves, nothing heavy is imported before it is
asked for, and the plugin and the server use the package, never its modules or each other."""

from __future__ import annotations

import ast
import subprocess
import sys

import fctest._cassettes
from conftest import REPO

SRC = REPO / "src" / "fctest"


def test_every_exported_name_resolves() -> None:
    assert set(fctest._cassettes._HOMES) <= set(fctest._cassettes.__all__)
    for name in fctest._cassettes.__all__:
        assert getattr(fctest._cassettes, name) is not None, name


def _loaded_after(statement: str) -> list[str]:
    code = (
        f"import sys\n{statement}\n"
        "print(','.join(sorted(m for m in ('pytest', 'vcr', 'hypothesis', 'yaml')"
        " if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def test_importing_the_package_the_plugin_or_the_server_costs_no_test_tools() -> None:
    assert _loaded_after("import fctest._cassettes, fctest.pytest_plugin") == []
    assert _loaded_after("import fctest, fctest.server") == []
    # vcrpy comes with the cassette class, and only with it.
    assert _loaded_after("from fctest._cassettes import CassetteIndex, load_cassette") == []
    assert "vcr" in _loaded_after("from fctest._cassettes import Cassette")


def _imports(path: str) -> list[str]:
    """The absolute names of the modules ``path`` imports (relative imports resolved)."""
    file = SRC / path
    package = ["fctest", *file.relative_to(SRC).parent.parts]
    names = []
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            names.append(".".join([*base, *([node.module] if node.module else [])]))
    return names


def test_the_plugin_and_the_server_import_the_package_not_its_modules() -> None:
    users = [p.relative_to(SRC).as_posix() for p in (SRC / "pytest_plugin").glob("*.py")]
    users += [p.relative_to(SRC).as_posix() for p in (SRC / "_server").glob("*.py")]
    users.append("server.py")
    for path in users:
        for name in _imports(path):
            assert not name.startswith("fctest._cassettes."), (path, name)
            if not path.startswith("pytest_plugin/"):
                assert not name.startswith("fctest.pytest_plugin"), (path, name)
