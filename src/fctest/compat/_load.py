"""The tools a ``fctest check`` target names: a JSON file of tool definitions, or a Python
import path to a ``Tool``, a list of them, or a module that defines some.

Private: ``load_tools`` is public as ``fctest.compat.load_tools``. Every failure is a
``UsageError`` saying what was looked for where (``fctest check`` exits 2 on it).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

from .._exceptions import UsageError
from .._tools import Tool

__all__ = ["load_tools"]


def load_tools(target: str) -> tuple[Tool, ...]:
    """The tools ``target`` names.

    ``target`` is a JSON file of tool definitions (OpenAI style
    ``[{"type": "function", "function": {...}}]``, the flat ``[{"name", "description",
    "parameters"}]``, Anthropic's ``input_schema`` or MCP's ``inputSchema``, or an object with a
    ``"tools"`` list), or a Python import path: ``pkg.mod:attr`` / ``pkg.mod.attr`` naming a
    ``Tool`` or a list of them, or ``pkg.mod`` (every ``Tool`` defined at its top level).
    """
    path = Path(target)
    if target.endswith(".json") or path.is_file():
        return _tools_from_json(path)
    return _tools_from_python(target)


def _tools_from_json(path: Path) -> tuple[Tool, ...]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"{path} is not JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("tools"), list):
        data = data["tools"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise UsageError(f"{path}: expected a list of tool definitions")
    out = []
    for i, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise UsageError(f"{path}: entry {i} is not an object")
        spec = (
            entry.get("function")
            if entry.get("type") == "function" and "function" in entry
            else entry
        )
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise UsageError(f"{path}: entry {i} has no 'name'")
        schema = next(
            (spec[k] for k in ("parameters", "input_schema", "inputSchema") if k in spec),
            {"type": "object", "properties": {}},
        )
        strict = spec.get("strict")
        out.append(
            Tool(
                spec["name"],
                spec.get("description") or "",
                schema,
                strict=strict if isinstance(strict, bool) else None,
            )
        )
    return tuple(out)


def _tools_from_python(target: str) -> tuple[Tool, ...]:
    module_name, _, attr = target.partition(":")
    value: Any
    if attr:
        value = _attribute(_import(module_name, target), attr, target)
    else:
        try:
            value = importlib.import_module(target)
        except ModuleNotFoundError as exc:
            if exc.name is None or not target.startswith(exc.name) or "." not in target:
                raise UsageError(f"cannot import {target!r}: {exc}") from None
            module_name, _, attr = target.rpartition(".")
            value = _attribute(_import(module_name, target), attr, target)
    if isinstance(value, Tool):
        return (value,)
    if isinstance(value, ModuleType):
        found = [v for v in vars(value).values() if isinstance(v, Tool)]
        unique = list({id(t): t for t in found}.values())
        if not unique:
            raise UsageError(f"module {value.__name__!r} defines no fctest.Tool at its top level")
        return tuple(unique)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Tool) for v in value):
        return tuple(value)
    raise UsageError(
        f"{target!r} is not a fctest.Tool, a list of them, or a module (got {type(value).__name__})"
    )


def _import(module_name: str, target: str) -> ModuleType:
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise UsageError(f"cannot import {module_name!r} (from {target!r}): {exc}") from None


def _attribute(module: ModuleType, attr: str, target: str) -> Any:
    value: Any = module
    for part in attr.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise UsageError(f"{target!r}: {module.__name__!r} has no attribute {attr!r}") from None
    return value
