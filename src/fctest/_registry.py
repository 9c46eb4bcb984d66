"""``ToolRegistry``: the tools a run may offer, each with the executor that runs it.

A registry maps a tool name to one ``RegisteredTool``: the ``Tool`` (what the model is told),
its executor, its owner (who provided it: a Python function, an MCP server, a service), a
version and an optional timeout. Names are unique: the model calls tools by name, so a second
tool under a taken name is refused with both owners named (respx's and vcrpy's registries do
the same), and ``replace`` is the explicit way to put a new version in.

The tool loop reads a snapshot of the registry at each step, so tools added or removed between
turns, even by a handler of the previous turn or by another thread, are what the next request
offers. Writers swap an immutable mapping under a lock; readers never lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ._exceptions import UsageError
from ._executors import FunctionExecutor, ToolExecutor, check_executor
from ._tools import Tool

__all__ = ["RegisteredTool", "ToolRegistry", "as_registry"]

_FUNCTIONS = FunctionExecutor()


@dataclass(frozen=True, slots=True)
class RegisteredTool:
    """One registry entry. ``timeout`` (seconds) overrides the run's ``tool_timeout``."""

    tool: Tool
    executor: ToolExecutor
    owner: str
    version: str | None = None
    timeout: float | None = None

    @property
    def name(self) -> str:
        return self.tool.name

    def describe(self) -> str:
        """``owner`` and version, as error messages and the audit trail name an entry."""
        return self.owner if self.version is None else f"{self.owner} (version {self.version})"


def _owner_of(tool: Tool, executor: ToolExecutor) -> str:
    own = getattr(executor, "owner", None)
    if isinstance(own, str) and own:
        return own
    if isinstance(executor, FunctionExecutor) and tool.handler is not None:
        fn = getattr(tool.handler, "__func__", tool.handler)
        module = getattr(fn, "__module__", None) or "?"
        qualname = getattr(fn, "__qualname__", None) or type(fn).__qualname__
        return f"{module}:{qualname}"
    return type(executor).__name__


def _entry(
    tool: Tool,
    executor: ToolExecutor | None,
    owner: str | None,
    version: str | None,
    timeout: float | None,
) -> RegisteredTool:
    if not isinstance(tool, Tool):
        raise UsageError(
            f"a registry holds fctest.Tool values, got {type(tool).__name__}: {tool!r}"
        )
    if executor is None:
        if tool.handler is None:
            raise UsageError(
                f"tool {tool.name!r} has no handler and no executor; the tool loop needs one "
                "(pass Tool(..., handler=fn), decorate a function with @fctest.tool, or "
                "registry.add(tool, executor=...))"
            )
        tool._require_handler()  # a method tool taken from the class, not an instance
        executor = _FUNCTIONS
    else:
        check_executor(executor, tool.name)
    if owner is not None and (not isinstance(owner, str) or not owner):
        raise UsageError(f"tool {tool.name!r}: owner must be a non-empty string, got {owner!r}")
    if version is not None and not isinstance(version, str):
        raise UsageError(f"tool {tool.name!r}: version must be a string, got {version!r}")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0
    ):
        raise UsageError(f"tool {tool.name!r}: timeout must be a positive number of seconds")
    return RegisteredTool(tool, executor, owner or _owner_of(tool, executor), version, timeout)


class ToolRegistry:
    """Tools by name, each with its executor; safe to change from any thread between turns.

    ``ToolRegistry([get_weather, search])`` registers tools with handlers;
    ``add(tool, executor=..., owner=..., version=..., timeout=...)`` registers one run by an
    executor (an MCP server, a remote service).
    """

    __slots__ = ("_entries", "_lock")

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._lock = threading.Lock()
        self._entries: Mapping[str, RegisteredTool] = MappingProxyType({})
        if isinstance(tools, (Tool, str)):
            raise UsageError("ToolRegistry takes a list of tools")
        for t in tools:
            self.add(t)

    def add(
        self,
        tool: Tool,
        *,
        executor: ToolExecutor | None = None,
        owner: str | None = None,
        version: str | None = None,
        timeout: float | None = None,
    ) -> RegisteredTool:
        """Register ``tool``; a name already taken is a ``UsageError`` naming both owners."""
        entry = _entry(tool, executor, owner, version, timeout)
        with self._lock:
            taken = self._entries.get(entry.name)
            if taken is not None:
                raise UsageError(
                    f"tool {entry.name!r} is already registered by {taken.describe()}; "
                    f"{entry.describe()} cannot register it too (tool names must be unique: "
                    "remove() the first, or replace() it with a new version)"
                )
            self._entries = MappingProxyType({**self._entries, entry.name: entry})
        return entry

    def replace(
        self,
        tool: Tool,
        *,
        executor: ToolExecutor | None = None,
        owner: str | None = None,
        version: str | None = None,
        timeout: float | None = None,
    ) -> RegisteredTool:
        """Put ``tool`` in place of the registered tool of the same name (a new version)."""
        entry = _entry(tool, executor, owner, version, timeout)
        with self._lock:
            self._require(entry.name)
            self._entries = MappingProxyType({**self._entries, entry.name: entry})
        return entry

    def remove(self, name: str) -> RegisteredTool:
        """Unregister ``name`` and return its entry."""
        with self._lock:
            entry = self._require(name)
            self._entries = MappingProxyType({k: v for k, v in self._entries.items() if k != name})
        return entry

    def get(self, name: str) -> RegisteredTool | None:
        return self._entries.get(name)

    def __getitem__(self, name: str) -> RegisteredTool:
        return self._require(name)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[RegisteredTool]:
        return iter(tuple(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def tools(self) -> tuple[Tool, ...]:
        return tuple(e.tool for e in self._entries.values())

    def snapshot(self) -> Mapping[str, RegisteredTool]:
        """The entries as they are now (an immutable mapping; later changes do not show)."""
        return self._entries

    def _require(self, name: str) -> RegisteredTool:
        entry = self._entries.get(name)
        if entry is None:
            known = ", ".join(sorted(self._entries)) or "none"
            raise UsageError(f"no tool {name!r} in the registry; registered: {known}")
        return entry

    def __repr__(self) -> str:
        return f"ToolRegistry({', '.join(self._entries)})"


def as_registry(tools: Iterable[Tool] | ToolRegistry) -> ToolRegistry:
    """What ``run`` takes for ``tools``: a registry as it is, a list as a new registry."""
    if isinstance(tools, ToolRegistry):
        return tools
    if isinstance(tools, (Tool, str)) or not isinstance(tools, Iterable):
        raise UsageError(
            f"run() takes a list of fctest.Tool or a fctest.ToolRegistry, got {tools!r}"
        )
    return ToolRegistry(tools)
