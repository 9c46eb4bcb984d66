"""Executors: what runs a tool call once the loop has admitted it.

The tool loop checks every call first (known tool, granted to the run, arguments that are a
JSON object of an allowed size and pass the schema, limits, approval), so an executor gets only
calls it may run, with their final arguments. Local Python functions are one executor
(``FunctionExecutor``, the default for a ``Tool`` with a handler); an MCP server is another; a
team's own remote service a third (docs/guide.md shows one).

An executor implements ``execute`` or ``aexecute`` (or both). Subclassing ``ToolExecutor``
supplies the other: ``aexecute`` then runs ``execute`` in a worker thread, and ``execute`` runs
``aexecute`` in an event loop of its own, so one executor serves ``Client`` and ``AsyncClient``.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol, runtime_checkable

from ._exceptions import UsageError
from ._messages import ToolCall
from ._tools import Tool

__all__ = ["FunctionExecutor", "ToolExecutor", "check_executor"]


@runtime_checkable
class ToolExecutor(Protocol):
    """Runs one admitted tool call; the return value becomes the result's content.

    ``call.arguments`` passed the tool's schema (and are the approver's edit, if it made one).
    Raising makes an error result the model sees (the exception's type and text), as does
    running past the run's tool timeout.
    """

    def execute(self, call: ToolCall, tool: Tool) -> Any:
        return asyncio.run(self.aexecute(call, tool))

    async def aexecute(self, call: ToolCall, tool: Tool) -> Any:
        return await asyncio.to_thread(self.execute, call, tool)


def check_executor(executor: object, tool: str) -> ToolExecutor:
    """``executor`` if it can run calls, else ``UsageError`` naming the tool."""
    cls = type(executor)
    if not isinstance(executor, ToolExecutor):
        raise UsageError(
            f"tool {tool!r}: executor {executor!r} has no execute()/aexecute(); "
            "subclass fctest.ToolExecutor and implement one of them"
        )
    inherited = getattr(cls, "execute", None) is ToolExecutor.execute and (
        getattr(cls, "aexecute", None) is ToolExecutor.aexecute
    )
    if inherited:
        raise UsageError(
            f"tool {tool!r}: {cls.__name__} implements neither execute() nor aexecute()"
        )
    return executor


class FunctionExecutor(ToolExecutor):
    """Runs a tool's own handler (``Tool(handler=...)``, ``@fctest.tool``) in this process.

    Sync handlers run in the caller's worker thread; async handlers are awaited (or, in the
    sync client, run in an event loop of their own).
    """

    __slots__ = ()

    def execute(self, call: ToolCall, tool: Tool) -> Any:
        if tool._is_async:
            return asyncio.run(tool.acall_validated(call.arguments))
        return tool.call_validated(call.arguments)

    async def aexecute(self, call: ToolCall, tool: Tool) -> Any:
        if tool._is_async:
            return await tool.acall_validated(call.arguments)
        return await asyncio.to_thread(tool.call_validated, call.arguments)

    def __repr__(self) -> str:
        return "FunctionExecutor()"
