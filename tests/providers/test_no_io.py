"""Providers are sans-I/O (h11's idea): no module under ``fctest.providers`` imports a network,
process or environment module, or the parts of fctest that do I/O, so one adapter serves the
sync and async clients, cassette replay and the property tests alike."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PROVIDERS = SRC / "fctest" / "providers"
MODULES = sorted(PROVIDERS.rglob("*.py"))

FORBIDDEN = {"httpx", "httpx2", "asyncio", "os", "socket", "subprocess", "threading"}
FORBIDDEN_FCTEST = ("fctest._transports", "fctest._client", "fctest._settings", "fctest.server")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved to absolute names."""
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def test_every_provider_module_is_checked() -> None:
    names = {_module_name(p) for p in MODULES}
    assert {"fctest.providers.openai._chat_request", "fctest.providers.gemini._decode"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PROVIDERS)))
def test_no_provider_module_does_io(path: Path) -> None:
    imported = _imports(path)
    assert not {m.split(".")[0] for m in imported} & FORBIDDEN, path
    assert not [m for m in imported if m.startswith(FORBIDDEN_FCTEST)], path
