"""Guards before any handler runs: the allow-list, approval, limits, timeouts, containment.

Every guard is checked through both clients (``each`` runs a scenario with ``Client.run`` and
with ``AsyncClient.run``), because the two loops are separate code over one state machine.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from fake_adapter import FakeAdapter, answer, script
from fctest import (
    Allow,
    AsyncClient,
    AsyncMockTransport,
    Client,
    Deny,
    Edit,
    HttpResponse,
    Limits,
    MockTransport,
    RunResult,
    Tool,
    ToolCall,
    ToolRegistry,
)
from fctest.errors import MaxStepsExceeded, RunLimitExceeded, UsageError

KEY = "fake-key-0123456789"
CITY = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
    "additionalProperties": False,
}


class Handlers:
    """Handlers that record what reached them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()

    def tool(self, name: str, *, side_effects: bool = False, result: Any = "ok") -> Tool:
        def handler(**arguments: Any) -> Any:
            with self.lock:
                self.calls.append((name, arguments))
            return result(**arguments) if callable(result) else result

        return Tool(name, "", CITY, handler=handler, side_effects=side_effects)


Runner = Callable[..., RunResult]


def _sync(answers: list[HttpResponse], tools: Any, **options: Any) -> RunResult:
    transport = MockTransport(script(*answers))
    client = Client(FakeAdapter(), "fake-model", api_key=KEY, transport=transport)
    return client.run("go", tools, **options)


def _async(answers: list[HttpResponse], tools: Any, **options: Any) -> RunResult:
    async def main() -> RunResult:
        transport = AsyncMockTransport(script(*answers))
        client = AsyncClient(FakeAdapter(), "fake-model", api_key=KEY, transport=transport)
        return await client.run("go", tools, **options)

    return asyncio.run(main())


@pytest.fixture(params=["sync", "async"])
def each(request: pytest.FixtureRequest) -> Runner:
    """Runs the loop with ``Client`` and with ``AsyncClient``."""
    return _sync if request.param == "sync" else _async  # type: ignore[return-value]


def calls(*items: tuple[str, str, Any]) -> HttpResponse:
    return answer(None, list(items))


def results(result: RunResult) -> list[tuple[str, bool, str]]:
    return [(r.call_id, r.is_error, str(r.content)) for r in result.tool_results]


# --- the allow-list ---------------------------------------------------------------------------


def test_a_tool_the_run_did_not_grant_is_not_offered_and_its_calls_are_refused(
    each: Runner,
) -> None:
    h = Handlers()
    registry = ToolRegistry([h.tool("read"), h.tool("delete")])
    answers = [calls(("c1", "delete", {"city": "x"}), ("c2", "read", {"city": "x"})), answer("ok")]
    result = each(answers, registry, allow=["read"])
    assert h.calls == [("read", {"city": "x"})]
    (denied, allowed) = results(result)
    assert denied[:2] == ("c1", True)
    assert (
        "tool 'delete' is not available in this run; the tools you can call are: read" in denied[2]
    )
    assert allowed == ("c2", False, "ok")


def test_the_offered_tools_are_the_granted_ones() -> None:
    h = Handlers()
    transport = MockTransport(script(answer("no tools needed")))
    client = Client(FakeAdapter(), "fake-model", api_key=KEY, transport=transport)
    client.run("go", [h.tool("read"), h.tool("delete")], allow=["read"])
    assert transport.requests[0].json()["tools"] == ["read"]


def test_allow_and_limits_naming_unregistered_tools_are_typos() -> None:
    h = Handlers()
    with pytest.raises(UsageError, match="allow names tools that are not registered: raed"):
        _sync([], [h.tool("read")], allow=["raed"])
    with pytest.raises(UsageError, match="max_calls_per_tool names tools that are not registered"):
        _sync([], [h.tool("read")], limits=Limits(max_calls_per_tool={"reed": 1}))
    with pytest.raises(UsageError, match="allow takes a list of tool names"):
        _sync([], [h.tool("read")], allow="read")


def test_option_typos_name_the_nearest_option() -> None:
    h = Handlers()
    client = Client(FakeAdapter(), "fake-model", api_key=KEY, transport=MockTransport(script()))
    with pytest.raises(
        UsageError, match="run\\(\\) got an unknown option 'max_step'; did you mean 'max_steps'"
    ):
        client.run("go", [h.tool("read")], max_step=3)  # type: ignore[call-arg]
    with pytest.raises(UsageError, match="complete\\(\\) got an unknown option 'tempreature'"):
        client.complete("go", tempreature=0.2)  # type: ignore[call-arg]
    with pytest.raises(UsageError, match="stream\\(\\) got an unknown option"):
        client.stream("go", max_steps=2)  # type: ignore[call-arg]


# --- approval ---------------------------------------------------------------------------------


def test_side_effect_tools_need_an_approve_hook_before_anything_is_sent() -> None:
    h = Handlers()
    with pytest.raises(UsageError, match="tools with side effects need an approve= hook: pay"):
        _sync([], [h.tool("pay", side_effects=True), h.tool("read")])
    # Not granted, not needed.
    _sync([answer("fine")], [h.tool("pay", side_effects=True), h.tool("read")], allow=["read"])


def test_approve_allows_denies_and_edits(each: Runner) -> None:
    h = Handlers()
    seen: list[ToolCall] = []

    def approve(call: ToolCall) -> Any:
        seen.append(call)
        city = call.arguments["city"]
        if city == "Oslo":
            return Allow(by="alice")
        if city == "Rome":
            return Deny("payments to Rome are frozen")
        return Edit({"city": city.title()})

    answers = [
        calls(
            ("c1", "pay", {"city": "Oslo"}),
            ("c2", "pay", {"city": "Rome"}),
            ("c3", "pay", {"city": "paris"}),
            ("c4", "read", {"city": "x"}),
        ),
        answer("ok"),
    ]
    result = each(answers, [h.tool("pay", side_effects=True), h.tool("read")], approve=approve)
    assert [c.id for c in seen] == ["c1", "c2", "c3"]  # tools without side effects skip it
    assert sorted(h.calls, key=repr) == [
        ("pay", {"city": "Oslo"}),
        ("pay", {"city": "Paris"}),
        ("read", {"city": "x"}),
    ]
    by_id = {r.call_id: r for r in result.tool_results}
    assert by_id["c2"].is_error
    assert by_id["c2"].content == "the call was denied: payments to Rome are frozen"
    assert not by_id["c1"].is_error
    assert not by_id["c3"].is_error


def test_an_async_approve_hook_works_in_both_clients(each: Runner) -> None:
    h = Handlers()

    async def approve(call: ToolCall) -> bool:
        await asyncio.sleep(0)
        return call.arguments["city"] != "Rome"

    answers = [
        calls(("c1", "pay", {"city": "Oslo"}), ("c2", "pay", {"city": "Rome"})),
        answer("ok"),
    ]
    result = each(answers, [h.tool("pay", side_effects=True)], approve=approve)
    assert h.calls == [("pay", {"city": "Oslo"})]
    assert results(result)[1] == ("c2", True, "the call was denied: the call was not approved")


def test_an_edit_that_fails_the_schema_is_refused(each: Runner) -> None:
    h = Handlers()
    answers = [calls(("c1", "pay", {"city": "Oslo"})), answer("ok")]
    result = each(
        answers, [h.tool("pay", side_effects=True)], approve=lambda call: Edit({"town": "Oslo"})
    )
    assert h.calls == []
    (only,) = results(result)
    assert only[1]
    assert only[2].startswith("the approver's edit was refused: invalid arguments")


def test_an_approve_hook_that_raises_denies_the_call(each: Runner) -> None:
    h = Handlers()

    def approve(call: ToolCall) -> bool:
        raise ConnectionError("ticket system down")

    answers = [calls(("c1", "pay", {"city": "Oslo"})), answer("ok")]
    result = each(answers, [h.tool("pay", side_effects=True)], approve=approve)
    assert h.calls == []
    assert results(result) == [
        ("c1", True, "the approval failed: ConnectionError: ticket system down")
    ]


def test_an_approve_hook_returning_nonsense_is_a_usage_error() -> None:
    h = Handlers()
    answers = [calls(("c1", "pay", {"city": "Oslo"}))]
    with pytest.raises(UsageError, match=r"approve\('pay'\) returned 'yes'"):
        _sync(answers, [h.tool("pay", side_effects=True)], approve=lambda call: "yes")


# --- limits -----------------------------------------------------------------------------------


def test_max_tool_calls_and_max_calls_per_tool(each: Runner) -> None:
    h = Handlers()
    answers = [
        calls(("c1", "a", {"city": "1"}), ("c2", "a", {"city": "2"}), ("c3", "b", {"city": "3"})),
        calls(("c4", "b", {"city": "4"}), ("c5", "b", {"city": "5"})),
        answer("ok"),
    ]
    result = each(
        answers,
        [h.tool("a"), h.tool("b")],
        limits=Limits(max_tool_calls=3, max_calls_per_tool={"a": 1}),
    )
    assert sorted(h.calls, key=repr) == [
        ("a", {"city": "1"}),
        ("b", {"city": "3"}),
        ("b", {"city": "4"}),
    ]
    refused = {r.call_id: r.content for r in result.tool_results if r.is_error}
    assert refused == {
        "c2": "the limit of 1 calls to 'a' is reached",
        "c5": "the run's limit of 3 tool calls is reached",
    }


def test_max_steps_shortcut_and_limits(each: Runner) -> None:
    h = Handlers()
    answers = [calls(("c1", "a", {"city": "1"})), calls(("c2", "a", {"city": "2"}))]
    with pytest.raises(MaxStepsExceeded) as info:
        each(answers, [h.tool("a")], limits=Limits(max_steps=5), max_steps=2)
    assert info.value.limit == "max_steps"
    assert info.value.max_steps == 2
    assert info.value.transcript[-1].role == "tool"


def test_max_time_ends_the_run_before_the_next_model_call(each: Runner) -> None:
    def slow(city: str) -> str:
        time.sleep(0.3)
        return city

    tool = Tool("slow", "", CITY, handler=slow)
    answers = [calls(("c1", "slow", {"city": "x"})), answer("too late")]
    with pytest.raises(RunLimitExceeded) as info:
        each(answers, [tool], limits=Limits(max_time=0.2))
    assert info.value.limit == "max_time"
    # The call itself was cut at what the run had left.
    (result,) = info.value.transcript[-1].tool_results
    assert result.is_error
    assert "no result within" in str(result.content)


def test_max_argument_bytes_refuses_huge_arguments(each: Runner) -> None:
    h = Handlers()
    huge = {"city": "x" * 5000}
    answers = [calls(("c1", "a", huge), ("c2", "a", {"city": "ok"})), answer("ok")]
    result = each(answers, [h.tool("a")], limits=Limits(max_argument_bytes=1000))
    assert h.calls == [("a", {"city": "ok"})]
    assert results(result)[0][2].startswith(
        "the arguments for 'a' are 5012 bytes; the limit is 1000"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_steps", 0),
        ("max_tool_calls", -1),
        ("max_calls_per_tool", {"a": 0}),
        ("max_time", 0),
        ("tool_timeout", "5"),
        ("max_argument_bytes", True),
    ],
)
def test_nonsense_limits_are_usage_errors(field: str, value: Any) -> None:
    with pytest.raises(UsageError, match=f"Limits.{field}"):
        Limits(**{field: value})


def test_limits_must_be_limits() -> None:
    h = Handlers()
    with pytest.raises(UsageError, match=r"limits must be a fctest\.Limits"):
        _sync([], [h.tool("a")], limits={"max_steps": 2})


# --- timeouts ---------------------------------------------------------------------------------


def test_there_is_a_default_tool_timeout_and_an_entry_timeout_wins(each: Runner) -> None:
    assert Limits().tool_timeout == 60.0
    release = threading.Event()

    def stuck(city: str) -> str:
        release.wait(5)
        return "late"

    registry = ToolRegistry()
    registry.add(Tool("stuck", "", CITY, handler=stuck), timeout=0.1)
    registry.add(Tool("quick", "", CITY, handler=lambda city: "quick"))
    answers = [calls(("c1", "stuck", {"city": "x"}), ("c2", "quick", {"city": "x"})), answer("ok")]
    try:
        result = each(answers, registry)
    finally:
        release.set()
    assert results(result) == [
        ("c1", True, "tool 'stuck' failed: no result within 0.1 s"),
        ("c2", False, "quick"),
    ]


# --- containment ------------------------------------------------------------------------------


def _exits(city: str) -> str:
    sys.exit(3)


def _cancels(city: str) -> str:
    raise asyncio.CancelledError("cancelled from inside")


async def _async_exits(city: str) -> str:
    raise SystemExit(4)


async def _async_cancels(city: str) -> str:
    raise asyncio.CancelledError


@pytest.mark.parametrize(
    ("handler", "text"),
    [
        (_exits, "SystemExit: 3"),
        (_cancels, "CancelledError: cancelled from inside"),
        (_async_exits, "SystemExit: 4"),
        (_async_cancels, "CancelledError"),
    ],
)
def test_system_exit_and_cancelled_error_are_contained(
    each: Runner, handler: Callable[..., Any], text: str
) -> None:
    h = Handlers()
    answers = [
        calls(("c1", "bad", {"city": "x"}), ("c2", "good", {"city": "y"})),
        answer("still here"),
    ]
    result = each(answers, [Tool("bad", "", CITY, handler=handler), h.tool("good")])
    assert result.text == "still here"
    assert results(result) == [("c1", True, text), ("c2", False, "ok")]
    assert h.calls == [("good", {"city": "y"})]


def test_cancelling_the_run_itself_still_cancels() -> None:
    started = asyncio.Event()

    async def forever(city: str) -> str:
        started.set()
        await asyncio.sleep(30)
        return "never"

    async def main() -> None:
        transport = AsyncMockTransport(script(calls(("c1", "forever", {"city": "x"}))))
        client = AsyncClient(FakeAdapter(), "fake-model", api_key=KEY, transport=transport)
        task = asyncio.ensure_future(client.run("go", [Tool("forever", "", CITY, handler=forever)]))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(asyncio.wait_for(main(), 5))
