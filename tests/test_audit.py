"""The audit trail: a record per model call and per tool call, through logging, ``on_event`` and
the JSON-lines sink, with no key in it in any encoding."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from fake_adapter import FakeAdapter, answer, script
from fctest import (
    AsyncClient,
    AsyncMockTransport,
    Client,
    Deny,
    HttpResponse,
    JsonLinesSink,
    MockTransport,
    Tool,
    ToolCall,
)
from fctest.errors import AuthenticationError, UsageError

KEY = "sk-audit-test-key-0123456789abcdef"
SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "api_key": {"type": "string"}},
    "required": ["city"],
}


def three_steps() -> list[Any]:
    return [
        answer(None, [("c1", "weather", {"city": "Paris"}), ("c2", "weather", {"city": "Lima"})]),
        answer(None, [("c3", "book", {"city": "Lima", "api_key": KEY})]),
        answer("Booked Lima."),
    ]


def tools() -> list[Tool]:
    return [
        Tool("weather", "", SCHEMA, handler=lambda city, api_key=None: f"sunny in {city}"),
        Tool("book", "", SCHEMA, handler=lambda city, api_key=None: "booked", side_effects=True),
    ]


def approve(call: ToolCall) -> Any:
    return True


def encodings(secret: str) -> list[str]:
    raw = secret.encode()
    return [
        secret,
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode(),
        urllib.parse.quote(secret),
        json.dumps(secret)[1:-1],
        raw.hex(),
    ]


def assert_no_key(text: str) -> None:
    for form in encodings(KEY):
        assert form not in text, f"the key leaked as {form!r}"


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("audit_arguments", [False, True])
def test_the_sink_records_every_step_of_a_three_step_run_with_no_key(
    tmp_path: Path, audit_arguments: bool
) -> None:
    path = tmp_path / "audit.jsonl"
    with JsonLinesSink(path) as sink:
        transport = MockTransport(script(*three_steps()))
        client = Client(
            FakeAdapter(),
            "fake-model",
            api_key=KEY,
            transport=transport,
            on_event=sink,
            audit_arguments=audit_arguments,
        )
        result = client.run("go", tools(), approve=approve, run_id="run-42")
    assert result.steps == 3
    assert result.run_id == "run-42"
    text = path.read_text()
    assert_no_key(text)
    records = _records(path)
    assert [(r["event"], r.get("step")) for r in records] == [
        ("run_started", None),
        ("model_call", 1),
        ("tool_call", 1),
        ("tool_call", 1),
        ("model_call", 2),
        ("tool_call", 2),
        ("model_call", 3),
        ("run_finished", None),
    ]
    assert {r["run_id"] for r in records} == {"run-42"}
    model_calls = [r for r in records if r["event"] == "model_call"]
    assert [(m["outcome"], m["tool_calls"], m["attempts"]) for m in model_calls] == [
        ("ok", 2, 1),
        ("ok", 1, 1),
        ("ok", 0, 1),
    ]
    tool_calls = {r["call_id"]: r for r in records if r["event"] == "tool_call"}
    book = tool_calls["c3"]
    assert book["outcome"] == "ok"
    assert book["decision"] == "allow"
    assert book["approver"] == "approve"
    assert book["owner"].endswith("<lambda>")
    assert book["arguments_digest"].startswith("sha256:")
    assert all(isinstance(r["duration_ms"], float) for r in tool_calls.values())
    if audit_arguments:
        assert book["arguments"] == {"city": "Lima", "api_key": "<redacted>"}
        assert tool_calls["c1"]["arguments"] == {"city": "Paris"}
    else:
        assert "arguments" not in book
    assert records[-1]["outcome"] == "ok"
    assert records[-1]["tool_calls"] == 3


def test_the_digest_is_the_same_for_the_same_arguments() -> None:
    stream = io.StringIO()
    answers = [
        answer(None, [("c1", "weather", {"city": "Paris"}), ("c2", "weather", {"city": "Paris"})]),
        answer("done"),
    ]
    client = Client(
        FakeAdapter(),
        "fake-model",
        api_key=KEY,
        transport=MockTransport(script(*answers)),
        on_event=JsonLinesSink(stream),
    )
    client.run("go", tools()[:1])
    digests = [json.loads(line).get("arguments_digest") for line in stream.getvalue().splitlines()]
    found = [d for d in digests if d]
    assert len(found) == 2
    assert found[0] == found[1]


def test_refused_calls_are_audited_with_their_outcome() -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    answers = [
        answer(None, [("c1", "book", {"city": "Rome"}), ("c2", "nope", {}), ("c3", "weather", {})]),
        answer("done"),
    ]
    client = Client(
        FakeAdapter(),
        "fake-model",
        api_key=KEY,
        transport=MockTransport(script(*answers)),
        on_event=lambda name, fields: seen.append((name, fields)),
    )
    client.run("go", tools(), approve=lambda call: Deny("not today", by="bob"))
    outcomes = {
        f["call_id"]: (f["outcome"], f["approver"], f["decision"])
        for n, f in seen
        if n == "tool_call"
    }
    assert outcomes == {
        "c1": ("denied", "bob", "deny"),
        "c2": ("unknown", None, None),
        "c3": ("invalid", None, None),
    }


def test_a_failed_model_call_and_run_are_audited_without_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="fctest.audit")
    body = json.dumps({"error": f"Incorrect API key provided: {KEY}"}).encode()
    transport = MockTransport(script(HttpResponse(401, {}, body)))
    client = Client(FakeAdapter(), "fake-model", api_key=KEY, transport=transport)
    with pytest.raises(AuthenticationError):
        client.run("go", tools()[:1])
    records = [r for r in caplog.records if r.name == "fctest.audit"]
    assert [r.event for r in records] == ["run_started", "model_call", "run_finished"]  # type: ignore[attr-defined]
    assert records[1].outcome == "error"
    assert records[1].status == 401
    assert records[2].outcome == "error"  # type: ignore[attr-defined]
    assert_no_key("\n".join(f"{r.getMessage()} {r.__dict__}" for r in records))


def test_the_async_client_writes_the_same_records(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"

    async def main() -> None:
        with JsonLinesSink(path) as sink:
            transport = AsyncMockTransport(script(*three_steps()))
            client = AsyncClient(
                FakeAdapter(), "fake-model", api_key=KEY, transport=transport, on_event=[sink]
            )
            await client.run("go", tools(), approve=approve)

    asyncio.run(main())
    assert_no_key(path.read_text())
    assert [r["event"] for r in _records(path)].count("tool_call") == 3


def test_a_plain_complete_is_audited_too() -> None:
    stream = io.StringIO()
    client = Client(
        FakeAdapter(),
        "fake-model",
        api_key=KEY,
        transport=MockTransport(script(answer("hi"))),
        on_event=JsonLinesSink(stream),
    )
    client.complete("hello")
    (record,) = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert record["event"] == "model_call"
    assert record["run_id"] is None
    assert record["status"] == 200


def test_sink_and_callback_mistakes_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="JsonLinesSink takes a path or a text stream"):
        JsonLinesSink(3)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="on_event takes a callable or a list of them"):
        Client(FakeAdapter(), "fake-model", api_key=KEY, on_event=["not callable"])  # type: ignore[list-item]
    with pytest.raises(UsageError, match="audit_arguments must be True or False"):
        Client(FakeAdapter(), "fake-model", api_key=KEY, audit_arguments="yes")  # type: ignore[arg-type]
