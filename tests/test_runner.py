"""The tool loop: concurrency, error results fed back to the model, step limits."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel

import fctest
from fake_adapter import FakeAdapter, answer, script
from fctest import (
    AsyncClient,
    AsyncMockTransport,
    Client,
    HttpRequest,
    HttpResponse,
    Message,
    MockTransport,
    RunResult,
    Tool,
    ToolResult,
)
from fctest._runner import to_content
from fctest.errors import MaxStepsExceeded, UsageError

KEY = "fake-key-0123456789"
SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
    "required": ["city"],
    "additionalProperties": False,
}


def weather(city: str, days: int = 1) -> dict[str, Any]:
    return {"city": city, "days": days, "sky": "clear"}


WEATHER = Tool("weather", "Weather for a city.", SCHEMA, handler=weather)


def client(*answers: HttpResponse | BaseException) -> tuple[Client, MockTransport]:
    transport = MockTransport(script(*answers))
    return Client(FakeAdapter(), "fake-model", api_key=KEY, transport=transport), transport


def aclient(*answers: HttpResponse | BaseException) -> tuple[AsyncClient, AsyncMockTransport]:
    transport = AsyncMockTransport(script(*answers))
    return AsyncClient(FakeAdapter(), "fake-model", api_key=KEY, transport=transport), transport


def results_sent(request: HttpRequest) -> list[list[Any]]:
    """The tool results in the last message of a fake-format request."""
    return request.json()["messages"][-1]["results"]  # type: ignore[no-any-return]


# --- the happy path -----------------------------------------------------------------------
def test_loop_runs_the_call_and_returns_the_final_answer() -> None:
    c, transport = client(
        answer(None, [("c1", "weather", {"city": "Paris", "days": 2})]),
        answer("Sunny in Paris."),
    )
    result = c.run("Weather in Paris?", [WEATHER])
    assert isinstance(result, RunResult)
    assert result.text == "Sunny in Paris."
    assert result.steps == 2
    assert [m.role for m in result.messages] == ["user", "assistant", "tool", "assistant"]
    assert result.tool_results == (
        ToolResult("c1", "weather", {"city": "Paris", "days": 2, "sky": "clear"}),
    )
    assert results_sent(transport.requests[1]) == [
        ["c1", {"city": "Paris", "days": 2, "sky": "clear"}, False]
    ]
    # Both model calls declared the tool.
    assert [r.json()["tools"] for r in transport.requests] == [["weather"], ["weather"]]


def test_results_go_back_in_call_order_in_one_tool_message() -> None:
    def slow(city: str, days: int = 1) -> str:
        time.sleep(0.1 if city == "A" else 0.0)
        return city

    tool = Tool("weather", "", SCHEMA, handler=slow)
    c, transport = client(
        answer(None, [("c1", "weather", {"city": "A"}), ("c2", "weather", {"city": "B"})]),
        answer("done"),
    )
    result = c.run("go", [tool])
    tool_messages = [m for m in result.messages if m.role == "tool"]
    assert len(tool_messages) == 1
    assert [r.call_id for r in tool_messages[0].tool_results] == ["c1", "c2"]
    assert results_sent(transport.requests[1]) == [["c1", "A", False], ["c2", "B", False]]


def _two_sleepers() -> list[Tool]:
    def nap(seconds: float) -> str:
        time.sleep(seconds)
        return threading.current_thread().name

    schema = {"type": "object", "properties": {"seconds": {"type": "number"}}}
    return [Tool("nap_a", "", schema, handler=nap), Tool("nap_b", "", schema, handler=nap)]


TWO_CALLS = answer(None, [("a", "nap_a", {"seconds": 0.2}), ("b", "nap_b", {"seconds": 0.2})])


def test_sync_calls_of_one_turn_run_at_once() -> None:
    c, _ = client(TWO_CALLS, answer("rested"))
    started = time.perf_counter()
    result = c.run("nap twice", _two_sleepers())
    elapsed = time.perf_counter() - started
    assert elapsed < 0.35, f"two 0.2 s handlers took {elapsed:.3f} s: not concurrent"
    assert result.text == "rested"
    threads = {r.content for r in result.tool_results}
    assert len(threads) == 2  # two worker threads


def test_async_calls_of_one_turn_run_at_once_sync_handlers() -> None:
    c, _ = aclient(TWO_CALLS, answer("rested"))

    async def main() -> tuple[RunResult, float]:
        started = time.perf_counter()
        result = await c.run("nap twice", _two_sleepers())
        return result, time.perf_counter() - started

    result, elapsed = asyncio.run(main())
    assert elapsed < 0.35, f"two 0.2 s handlers took {elapsed:.3f} s: not concurrent"
    assert [r.is_error for r in result.tool_results] == [False, False]


def test_async_calls_of_one_turn_run_at_once_async_handlers() -> None:
    async def nap(seconds: float) -> str:
        await asyncio.sleep(seconds)
        return "ok"

    schema = {"type": "object", "properties": {"seconds": {"type": "number"}}}
    tools = [Tool("nap_a", "", schema, handler=nap), Tool("nap_b", "", schema, handler=nap)]
    c, _ = aclient(TWO_CALLS, answer("rested"))

    async def main() -> tuple[RunResult, float]:
        started = time.perf_counter()
        result = await c.run("nap twice", tools)
        return result, time.perf_counter() - started

    result, elapsed = asyncio.run(main())
    assert elapsed < 0.35
    assert [r.content for r in result.tool_results] == ["ok", "ok"]


def test_async_handler_in_the_sync_client() -> None:
    async def add(a: int, b: int) -> int:
        await asyncio.sleep(0)
        return a + b

    schema = {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}}
    c, _ = client(answer(None, [("c1", "add", {"a": 2, "b": 3})]), answer("5"))
    result = c.run("add", [Tool("add", "", schema, handler=add)])
    assert result.tool_results == (ToolResult("c1", "add", 5),)


def test_async_handler_in_the_sync_client_called_from_a_running_loop() -> None:
    async def ping() -> str:
        return "pong"

    c, _ = client(answer(None, [("c1", "ping", {})]), answer("ok"))

    async def main() -> RunResult:
        return c.run("ping", [Tool("ping", "", {"type": "object"}, handler=ping)])

    assert asyncio.run(main()).tool_results == (ToolResult("c1", "ping", "pong"),)


def test_decorated_function_tools_get_converted_arguments() -> None:
    @fctest.tool
    def shout(text: str, times: int = 1) -> str:
        """Repeat text loudly."""
        return (text.upper() + " ") * times

    c, _ = client(answer(None, [("c1", "shout", {"text": "hi", "times": 2})]), answer("ok"))
    result = c.run("shout", [shout])
    assert result.tool_results[0].content == "HI HI "


# --- errors go back to the model ----------------------------------------------------------
def test_invalid_arguments_become_an_error_result_naming_the_pointers() -> None:
    c, transport = client(
        answer(None, [("c1", "weather", {"days": 0, "extra": True})]),
        answer("sorry"),
    )
    result = c.run("go", [WEATHER])
    (r,) = result.tool_results
    assert r.is_error
    assert isinstance(r.content, str)
    assert "'city' is a required property" in r.content
    assert "/days:" in r.content
    assert "Additional properties" in r.content
    assert results_sent(transport.requests[1])[0][2] is True  # the error flag went to the model


def test_handler_exception_becomes_an_error_result() -> None:
    def broken(city: str, days: int = 1) -> str:
        raise RuntimeError("weather service down")

    c, _ = client(answer(None, [("c1", "weather", {"city": "X"})]), answer("sorry"))
    result = c.run("go", [Tool("weather", "", SCHEMA, handler=broken)])
    (r,) = result.tool_results
    assert r.is_error
    assert "RuntimeError: weather service down" in str(r.content)
    assert result.text == "sorry"


def test_unknown_tool_becomes_an_error_result_naming_the_known_tools() -> None:
    other = Tool("clock", "", {"type": "object"}, handler=lambda: "noon")
    c, _ = client(
        answer(None, [("c1", "wether", {"city": "X"}), ("c2", "clock", {})]),
        answer("ok"),
    )
    result = c.run("go", [WEATHER, other])
    unknown, fine = result.tool_results
    assert unknown.is_error
    assert "unknown tool 'wether'" in str(unknown.content)
    assert "clock, weather" in str(unknown.content)
    assert fine == ToolResult("c2", "clock", "noon")


def test_malformed_arguments_become_an_error_result_quoting_the_text() -> None:
    c, _ = client(answer(None, [("c1", "weather", '{"city": "Par')]), answer("ok"))
    result = c.run("go", [WEATHER])
    (r,) = result.tool_results
    assert r.is_error
    assert "not a JSON object" in str(r.content)
    assert '{"city": "Par' in str(r.content)


def test_every_error_kind_in_one_turn_async() -> None:
    async def boom(city: str, days: int = 1) -> str:
        raise ValueError("nope")

    c, _ = aclient(
        answer(
            None,
            [
                ("c1", "weather", {"city": 3}),
                ("c2", "nothing", {}),
                ("c3", "weather", "not json"),
                ("c4", "weather", {"city": "ok"}),
            ],
        ),
        answer("ok"),
    )
    result = asyncio.run(c.run("go", [Tool("weather", "", SCHEMA, handler=boom)]))
    contents = [str(r.content) for r in result.tool_results]
    assert all(r.is_error for r in result.tool_results)
    assert "/city: 3 is not of type 'string'" in contents[0]
    assert "unknown tool 'nothing'" in contents[1]
    assert "not a JSON object" in contents[2]
    assert "ValueError: nope" in contents[3]


def test_tool_timeout_sync_and_async() -> None:
    def sleepy(city: str, days: int = 1) -> str:
        time.sleep(0.3)
        return "late"

    async def asleepy(city: str, days: int = 1) -> str:
        await asyncio.sleep(5)
        return "late"

    c, _ = client(answer(None, [("c1", "weather", {"city": "X"})]), answer("ok"))
    started = time.perf_counter()
    result = c.run("go", [Tool("weather", "", SCHEMA, handler=sleepy)], tool_timeout=0.05)
    assert time.perf_counter() - started < 0.25
    assert "no result within 0.05 s" in str(result.tool_results[0].content)

    ac, _ = aclient(answer(None, [("c1", "weather", {"city": "X"})]), answer("ok"))
    started = time.perf_counter()
    aresult = asyncio.run(
        ac.run("go", [Tool("weather", "", SCHEMA, handler=asleepy)], tool_timeout=0.05)
    )
    assert time.perf_counter() - started < 1
    assert aresult.tool_results[0].is_error
    assert "no result within 0.05 s" in str(aresult.tool_results[0].content)


def test_a_handlers_own_timeout_error_is_not_taken_for_ours() -> None:
    async def fails(city: str, days: int = 1) -> str:
        raise TimeoutError("upstream timed out")

    ac, _ = aclient(answer(None, [("c1", "weather", {"city": "X"})]), answer("ok"))
    result = asyncio.run(ac.run("go", [Tool("weather", "", SCHEMA, handler=fails)], tool_timeout=5))
    assert "upstream timed out" in str(result.tool_results[0].content)


# --- limits and mistakes ------------------------------------------------------------------
def test_max_steps_exceeded_carries_a_resumable_transcript() -> None:
    call = answer(None, [("c1", "weather", {"city": "X"})])
    call2 = answer(None, [("c2", "weather", {"city": "Y"})])
    c, transport = client(call, call2)
    with pytest.raises(MaxStepsExceeded) as info:
        c.run("loop", [WEATHER], max_steps=2)
    transcript = info.value.transcript
    assert info.value.max_steps == 2
    assert [m.role for m in transcript] == ["user", "assistant", "tool", "assistant", "tool"]
    assert len(transport.requests) == 2
    # The transcript is a valid history: it can be sent again as is.
    fctest.Request(model="m", messages=transcript)


def test_max_steps_async() -> None:
    ac, _ = aclient(answer(None, [("c1", "weather", {"city": "X"})]))
    with pytest.raises(MaxStepsExceeded):
        asyncio.run(ac.run("loop", [WEATHER], max_steps=1))


def test_tool_choice_applies_to_the_first_call_only() -> None:
    c, transport = client(answer(None, [("c1", "weather", {"city": "X"})]), answer("ok"))
    c.run("go", [WEATHER], tool_choice="required")
    assert [r.json()["tool_choice"] for r in transport.requests] == ["required", "auto"]
    c2, transport2 = client(answer(None, [("c1", "weather", {"city": "X"})]), answer("ok"))
    c2.run("go", [WEATHER])
    assert [r.json()["tool_choice"] for r in transport2.requests] == [None, None]


def test_run_checks_its_tools_before_sending() -> None:
    c, transport = client()
    with pytest.raises(UsageError, match="no handler"):
        c.run("go", [Tool("weather", "", SCHEMA)])
    with pytest.raises(UsageError, match="at least one tool"):
        c.run("go", [])
    with pytest.raises(UsageError, match="max_steps"):
        c.run("go", [WEATHER], max_steps=0)
    assert transport.requests == []


def test_run_continues_a_given_history_with_a_system_prompt() -> None:
    c, transport = client(answer("hello again"))
    history = [Message.user("hi"), Message.assistant("hello"), Message.user("again")]
    result = c.run(history, [WEATHER], system="Be brief.")
    assert [m.role for m in result.messages] == ["system", "user", "assistant", "user", "assistant"]
    assert transport.requests[0].json()["messages"][0] == {
        "role": "system",
        "text": "Be brief.",
        "calls": [],
        "results": [],
    }


# --- results and events -------------------------------------------------------------------
class Forecast(BaseModel):
    sky: str


@dataclass
class Reading:
    celsius: float


def test_handler_return_values_become_json_content() -> None:
    assert to_content("text") == "text"
    assert to_content(None) == ""
    assert to_content({"a": [1, 2]}) == {"a": [1, 2]}
    assert to_content(Forecast(sky="grey")) == {"sky": "grey"}
    assert to_content(Reading(21.5)) == {"celsius": 21.5}
    assert to_content({"when": time.struct_time((2026, 1, 1, 0, 0, 0, 0, 1, 0))}) == {
        "when": [2026, 1, 1, 0, 0, 0, 0, 1, 0]
    }
    odd = to_content({"obj": object()})
    assert isinstance(odd, dict)
    assert str(odd["obj"]).startswith("<object object")
    json.dumps(odd)


def test_tool_calls_are_audited_with_duration(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="fctest.audit")
    seen: list[tuple[str, dict[str, Any]]] = []
    c, _ = client(
        answer(None, [("c1", "weather", {"city": "X"}), ("c2", "weather", {"city": 1})]),
        answer("done"),
    )
    c._core.events.callbacks = (lambda name, fields: seen.append((name, fields)),)
    c.run("go", [WEATHER], run_id="run-1")
    tool_records = [r for r in caplog.records if getattr(r, "event", None) == "tool_call"]
    assert [(r.tool, r.call_id, r.outcome, r.step, r.run_id) for r in tool_records] == [  # type: ignore[attr-defined]
        ("weather", "c2", "invalid", 1, "run-1"),
        ("weather", "c1", "ok", 1, "run-1"),
    ]
    assert all(isinstance(r.duration_ms, float) for r in tool_records)  # type: ignore[attr-defined]
    assert [name for name, _ in seen if name not in ("request", "response")] == [
        "run_started",
        "model_call",
        "tool_call",
        "tool_call",
        "model_call",
        "run_finished",
    ]
    invalid = next(f for name, f in seen if name == "tool_call" and f["outcome"] == "invalid")
    assert invalid["error"].startswith("invalid arguments for 'weather'")
