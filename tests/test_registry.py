"""ToolRegistry and ToolExecutor: registration, owners, versions, executors, dynamic tools."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from fake_adapter import FakeAdapter, answer, script
from fctest import (
    AsyncClient,
    AsyncMockTransport,
    Client,
    FunctionExecutor,
    MockTransport,
    Tool,
    ToolCall,
    ToolExecutor,
    ToolRegistry,
    tool,
)
from fctest.errors import UsageError

KEY = "fake-key-0123456789"
CITY = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


@tool
def weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


class RemoteService(ToolExecutor):
    """A team's own service: only ``execute`` is written, ``aexecute`` comes with the base."""

    owner = "billing-service"

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def execute(self, call: ToolCall, tool: Tool) -> Any:
        self.seen.append((tool.name, call.arguments))
        return {"invoice": call.arguments["city"].upper()}


class Neither(ToolExecutor):
    """Subclasses the protocol and implements nothing: refused at registration."""


class AsyncOnly(ToolExecutor):
    async def aexecute(self, call: ToolCall, tool: Tool) -> Any:
        await asyncio.sleep(0)
        return f"async {call.arguments['city']}"


INVOICE = Tool("invoice", "Bill a city.", CITY)


def sync_client(*answers: Any) -> tuple[Client, MockTransport]:
    transport = MockTransport(script(*answers))
    return Client(FakeAdapter(), "fake-model", api_key=KEY, transport=transport), transport


def async_client(*answers: Any) -> tuple[AsyncClient, AsyncMockTransport]:
    transport = AsyncMockTransport(script(*answers))
    return AsyncClient(FakeAdapter(), "fake-model", api_key=KEY, transport=transport), transport


# --- the registry -----------------------------------------------------------------------------


def test_a_registry_adds_looks_up_lists_and_removes() -> None:
    registry = ToolRegistry([weather])
    entry = registry.add(INVOICE, executor=RemoteService(), version="2")
    assert registry.names() == ("weather", "invoice")
    assert registry.tools() == (weather, INVOICE)
    assert "invoice" in registry
    assert len(registry) == 2
    assert registry["invoice"] is entry
    assert registry.get("nope") is None
    assert entry.owner == "billing-service"
    assert entry.version == "2"
    assert registry["weather"].owner == f"{__name__}:weather"
    assert isinstance(registry["weather"].executor, FunctionExecutor)
    assert registry.remove("weather").tool is weather
    assert registry.names() == ("invoice",)
    with pytest.raises(UsageError, match=r"no tool 'weather' in the registry; registered: invoice"):
        registry.remove("weather")


def test_a_duplicate_name_is_refused_naming_both_owners() -> None:
    registry = ToolRegistry()
    registry.add(INVOICE, executor=RemoteService(), version="1")
    with pytest.raises(UsageError) as info:
        registry.add(INVOICE, executor=AsyncOnly(), owner="mcp:billing")
    message = str(info.value)
    assert "already registered by billing-service (version 1)" in message
    assert "mcp:billing cannot register it too" in message


def test_a_list_with_a_duplicate_name_is_refused_naming_both_functions() -> None:
    def other(city: str) -> str:
        return city

    with pytest.raises(UsageError, match=r"already registered by .*:weather; .*other cannot"):
        ToolRegistry([weather, Tool.from_function(other, name="weather")])


def test_replace_puts_a_new_version_in() -> None:
    registry = ToolRegistry()
    registry.add(INVOICE, executor=RemoteService(), version="1")
    registry.replace(INVOICE, executor=RemoteService(), version="2")
    assert registry["invoice"].version == "2"
    with pytest.raises(UsageError, match="no tool 'absent'"):
        registry.replace(Tool("absent"), executor=RemoteService())


def test_snapshots_do_not_change_when_the_registry_does() -> None:
    registry = ToolRegistry([weather])
    before = registry.snapshot()
    registry.add(INVOICE, executor=RemoteService())
    assert list(before) == ["weather"]
    assert list(registry.snapshot()) == ["weather", "invoice"]


def test_concurrent_registration_loses_nothing() -> None:
    registry = ToolRegistry()
    service = RemoteService()

    def add(i: int) -> None:
        registry.add(Tool(f"t{i}", "", CITY), executor=service)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(registry.names()) == sorted(f"t{i}" for i in range(64))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tool": Tool("bare")}, "has no handler and no executor"),
        ({"tool": "weather"}, "a registry holds fctest.Tool values"),
        ({"tool": INVOICE, "executor": object()}, "has no execute\\(\\)/aexecute\\(\\)"),
        ({"tool": INVOICE, "executor": Neither()}, "Neither implements neither"),
        ({"tool": weather, "timeout": 0}, "timeout must be a positive number"),
        ({"tool": weather, "owner": ""}, "owner must be a non-empty string"),
        ({"tool": weather, "version": 2}, "version must be a string"),
    ],
)
def test_bad_registrations_are_usage_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        ToolRegistry().add(**kwargs)


def test_run_takes_a_list_or_a_registry_and_nothing_else() -> None:
    c, _ = sync_client()
    with pytest.raises(UsageError, match=r"takes a list of fctest\.Tool or a fctest\.ToolRegistry"):
        c.run("go", weather)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="needs at least one tool"):
        c.run("go", ToolRegistry())


# --- executors in the loop --------------------------------------------------------------------


def test_an_executor_runs_its_tools_in_the_sync_and_async_loop() -> None:
    service = RemoteService()
    registry = ToolRegistry()
    registry.add(INVOICE, executor=service)
    registry.add(Tool("remote_async", "", CITY), executor=AsyncOnly())
    calls = [("c1", "invoice", {"city": "Oslo"}), ("c2", "remote_async", {"city": "Rome"})]

    c, _ = sync_client(answer(None, calls), answer("done"))
    result = c.run("go", registry)
    assert [r.content for r in result.tool_results] == [{"invoice": "OSLO"}, "async Rome"]

    a, _ = async_client(answer(None, calls), answer("done"))
    result = asyncio.run(a.run("go", registry))
    assert [r.content for r in result.tool_results] == [{"invoice": "OSLO"}, "async Rome"]
    assert service.seen == [("invoice", {"city": "Oslo"})] * 2


def test_tools_added_and_removed_between_turns_are_what_the_next_request_offers() -> None:
    registry = ToolRegistry()

    @tool
    def unlock(city: str) -> str:
        """Unlock the invoice tool."""
        registry.add(INVOICE, executor=RemoteService())
        registry.remove("unlock")
        return "unlocked"

    registry.add(unlock)
    c, transport = sync_client(
        answer(None, [("c1", "unlock", {"city": "x"})]),
        answer(None, [("c2", "invoice", {"city": "Oslo"}), ("c3", "unlock", {"city": "x"})]),
        answer("done"),
    )
    result = c.run("go", registry)
    assert [r.json()["tools"] for r in transport.requests] == [
        ["unlock"],
        ["invoice"],
        ["invoice"],
    ]
    second = result.tool_results[1:]
    assert second[0].content == {"invoice": "OSLO"}
    assert second[1].is_error
    assert "unknown tool 'unlock'" in str(second[1].content)
