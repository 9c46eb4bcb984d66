"""The OpenAI Responses adapter (``openai-responses``): request bodies, decoding, streams, errors.

Oracles: request bodies validate against openai-python's ``ResponseCreateParams*`` TypedDicts
(unknown keys reported); decoded responses equal what the SDK's client parses
(``construct_type``), and streams equal what the SDK's ``ResponseStreamState`` accumulates.
The rules tested are those of docs/dialects.md for ``responses``.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openai._models import construct_type
from openai._streaming import SSEDecoder as SDKSSEDecoder
from openai._types import omit
from openai.lib.streaming.responses._responses import ResponseStreamState
from openai.types.responses import Response as SDKResponse
from openai.types.responses import ResponseStreamEvent
from openai.types.responses.response_create_params import (
    ResponseCreateParamsNonStreaming,
    ResponseCreateParamsStreaming,
)

from fctest import (
    HttpResponse,
    Message,
    OutputSchema,
    ProviderPart,
    Request,
    Response,
    TextDelta,
    Tool,
    ToolCall,
    ToolCallDelta,
    ToolCallFinished,
    ToolCallStarted,
    ToolResult,
    Usage,
)
from fctest.errors import (
    AuthenticationError,
    BadRequestError,
    ContextLengthError,
    ProtocolError,
    RateLimitError,
    ServerError,
    UsageError,
)
from fctest.providers import Config, get_adapter
from fctest.providers.openai import OpenAIResponsesAdapter
from oracles import typeddict_problems

ADAPTER = OpenAIResponsesAdapter()
CONFIG = Config(api_key="sk-test")

WEATHER_SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["c", "f"]},
    },
    "required": ["city"],
}
WEATHER = Tool("get_weather", "Current weather for a city.", WEATHER_SCHEMA)
STRICT_WEATHER = Tool("get_weather", "Current weather for a city.", WEATHER_SCHEMA, strict=True)
TIME = Tool("get_time", "", {"type": "object", "properties": {}})


# --- oracles ---------------------------------------------------------------------------------

Summary = tuple[str | None, list[tuple[str, str, Any]], str | None, tuple[int, int] | None]


def summary(response: Response) -> Summary:
    """(text, [(call id, name, arguments)], raw finish reason, usage) as fctest decoded it."""
    calls = [
        (c.id, c.name, c.raw_arguments if c.malformed else c.arguments) for c in response.tool_calls
    ]
    usage = response.usage
    pair = None if usage is None else (usage.input_tokens or 0, usage.output_tokens or 0)
    return response.text, calls, response.raw_finish_reason, pair


def _sdk_summary(resp: SDKResponse) -> Summary:
    calls = []
    for item in resp.output:
        if item.type != "function_call":
            continue
        raw = item.arguments
        try:
            arguments: Any = json.loads(raw) if raw.strip() else {}
        except ValueError:
            arguments = raw
        if not isinstance(arguments, dict) or item.status == "incomplete":
            arguments = raw
        calls.append((item.call_id, item.name, arguments))
    status = resp.status
    if status == "incomplete":
        reason = resp.incomplete_details.reason if resp.incomplete_details else None
        status = f"incomplete:{reason}" if reason else "incomplete"
    usage = None if resp.usage is None else (resp.usage.input_tokens, resp.usage.output_tokens)
    return resp.output_text or None, calls, status, usage


def sdk_parse(body: bytes) -> Summary:
    """What openai-python's client makes of a non-streamed ``Response`` body."""
    return _sdk_summary(construct_type(type_=SDKResponse, value=json.loads(body)))


def sdk_stream(body: bytes) -> Summary:
    """What openai-python's ``responses.stream()`` state machine accumulates from SSE bytes."""
    state: ResponseStreamState[Any] = ResponseStreamState(input_tools=omit, text_format=omit)
    final = None
    for sse in SDKSSEDecoder().iter_bytes(iter([body])):
        for event in state.handle_event(
            construct_type(type_=ResponseStreamEvent, value=sse.json())  # type: ignore[arg-type]
        ):
            if event.type in ("response.completed", "response.incomplete"):
                final = event.response
    assert final is not None, "the SDK saw no final response"
    return _sdk_summary(final)


# --- building wire bytes -----------------------------------------------------------------------


def sse(events: list[dict[str, Any]]) -> bytes:
    """Events as OpenAI sends them: ``event: <type>`` and one ``data:`` line each."""
    return b"".join(
        f"event: {e['type']}\ndata: {json.dumps(e, ensure_ascii=False)}\n\n".encode()
        for e in events
    )


def response_json(
    output: list[dict[str, Any]],
    *,
    status: str = "completed",
    reason: str | None = None,
    usage: tuple[int, int] | None = (12, 7),
) -> dict[str, Any]:
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": 1757687263,
        "status": status,
        "error": None,
        "incomplete_details": {"reason": reason} if reason else None,
        "model": "gpt-4o-2024-08-06",
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": None
        if usage is None
        else {
            "input_tokens": usage[0],
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": usage[1],
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": sum(usage),
        },
    }


def fc(n: int, name: str, arguments: str, status: str = "completed") -> dict[str, Any]:
    return {
        "id": f"fc_{n:04d}",
        "type": "function_call",
        "status": status,
        "arguments": arguments,
        "call_id": f"call_{n:04d}",
        "name": name,
    }


def msg(text: str, n: int = 0) -> dict[str, Any]:
    return {
        "id": f"msg_{n:04d}",
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
    }


REASONING = {"id": "rs_0001", "type": "reasoning", "summary": [], "encrypted_content": "gAAA"}


def stream_events(final: dict[str, Any], *, piece: int = 3) -> list[dict[str, Any]]:
    """The event sequence OpenAI sends for ``final``: created, per item added / deltas /
    done, then completed (or incomplete). Deltas are ``piece`` characters long."""
    seq = itertools.count()
    start = {**final, "status": "in_progress", "output": [], "usage": None}
    start["incomplete_details"] = None
    events: list[dict[str, Any]] = [
        {"type": "response.created", "sequence_number": next(seq), "response": start},
        {"type": "response.in_progress", "sequence_number": next(seq), "response": start},
    ]
    for i, item in enumerate(final["output"]):
        base = {"output_index": i}
        if item["type"] == "function_call":
            added = {**item, "arguments": "", "status": "in_progress"}
            events.append({"type": "response.output_item.added", **base, "item": added})
            args = item["arguments"]
            for k in range(0, len(args), piece):
                events.append(
                    {
                        "type": "response.function_call_arguments.delta",
                        **base,
                        "item_id": item["id"],
                        "delta": args[k : k + piece],
                    }
                )
            if item["status"] == "completed":
                events.append(
                    {
                        "type": "response.function_call_arguments.done",
                        **base,
                        "item_id": item["id"],
                        "arguments": args,
                    }
                )
        elif item["type"] == "message":
            added = {**item, "content": [], "status": "in_progress"}
            events.append({"type": "response.output_item.added", **base, "item": added})
            for j, part in enumerate(item["content"]):
                empty = {**part, "text": ""}
                where = {**base, "item_id": item["id"], "content_index": j}
                events.append({"type": "response.content_part.added", **where, "part": empty})
                text = part["text"]
                for k in range(0, len(text), piece):
                    events.append(
                        {
                            "type": "response.output_text.delta",
                            **where,
                            "delta": text[k : k + piece],
                            "logprobs": [],
                        }
                    )
                events.append(
                    {"type": "response.output_text.done", **where, "text": text, "logprobs": []}
                )
                events.append({"type": "response.content_part.done", **where, "part": part})
        else:
            events.append({"type": "response.output_item.added", **base, "item": item})
        if item.get("status", "completed") == "completed":
            events.append({"type": "response.output_item.done", **base, "item": item})
    last = "response.completed" if final["status"] == "completed" else "response.incomplete"
    events.append({"type": last, "response": final})
    for e in events:
        e["sequence_number"] = next(seq)
    return events


def body_of(request: Request) -> dict[str, Any]:
    http = ADAPTER.build_request(request, CONFIG)
    body: dict[str, Any] = json.loads(http.body)
    oracle = ResponseCreateParamsStreaming if request.stream else ResponseCreateParamsNonStreaming
    assert typeddict_problems(body, oracle) == []
    return body


def decode(output: list[dict[str, Any]], request: Request | None = None, **kw: Any) -> Response:
    raw = json.dumps(response_json(output, **kw)).encode()
    return ADAPTER.parse_response(HttpResponse(200, {}, raw), request)


def decode_stream(data: bytes, request: Request | None = None, chunk: int = 0) -> Response:
    decoder = ADAPTER.stream_decoder(request)
    if chunk:
        for i in range(0, len(data), chunk):
            decoder.feed(data[i : i + chunk])
    else:
        decoder.feed(data)
    return decoder.close()


# --- registry and request basics ------------------------------------------------------------


def test_registered_under_its_name() -> None:
    assert isinstance(get_adapter("openai-responses"), OpenAIResponsesAdapter)


def test_request_url_headers_and_exact_body() -> None:
    request = Request(
        "gpt-4o",
        [Message.system("Be brief."), Message.user("Weather in Paris?")],
        tools=[WEATHER],
        tool_choice="auto",
        temperature=0.5,
        max_output_tokens=300,
    )
    http = ADAPTER.build_request(request, CONFIG)
    assert http.method == "POST"
    assert http.url == "https://api.openai.com/v1/responses"
    assert http.headers["Authorization"] == "Bearer sk-test"
    assert http.headers["Content-Type"] == "application/json"
    assert http.body == (
        b'{"model":"gpt-4o","input":[{"role":"system","content":"Be brief."},'
        b'{"role":"user","content":"Weather in Paris?"}],'
        b'"tools":[{"type":"function","name":"get_weather",'
        b'"description":"Current weather for a city.","parameters":{"type":"object",'
        b'"properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["c","f"]}},'
        b'"required":["city"]},"strict":false}],"tool_choice":"auto",'
        b'"temperature":0.5,"max_output_tokens":300}'
    )
    assert typeddict_problems(json.loads(http.body), ResponseCreateParamsNonStreaming) == []


def test_base_url_override_and_no_key() -> None:
    http = ADAPTER.build_request(
        Request("m", [Message.user("hi")]), Config(base_url="http://127.0.0.1:8080/v1/")
    )
    assert http.url == "http://127.0.0.1:8080/v1/responses"
    assert "Authorization" not in http.headers
    assert http.body == b'{"model":"m","input":[{"role":"user","content":"hi"}]}'


def test_stream_request_body() -> None:
    body = body_of(Request("gpt-4o", [Message.user("hi")], stream=True))
    assert body == {"model": "gpt-4o", "input": [{"role": "user", "content": "hi"}], "stream": True}


def test_extra_body_is_merged_last() -> None:
    body = body_of(
        Request(
            "gpt-5",
            [Message.user("hi")],
            max_output_tokens=50,
            extra_body={"reasoning": {"effort": "low"}, "store": False},
        )
    )
    assert list(body) == ["model", "input", "max_output_tokens", "reasoning", "store"]


def test_thinking_budget_is_refused_with_the_alternative() -> None:
    with pytest.raises(UsageError, match="reasoning"):
        ADAPTER.build_request(Request("gpt-5", [Message.user("hi")], thinking_budget=1024), CONFIG)


def test_wrong_config_type_is_refused() -> None:
    class Other(Config):
        pass

    # A subclass is a Config, so it is accepted; a non-Config is not.
    ADAPTER.build_request(Request("m", [Message.user("hi")]), Other())
    with pytest.raises(UsageError, match="expected Config"):
        ADAPTER.build_request(Request("m", [Message.user("hi")]), object())  # type: ignore[arg-type]


class _VendorResponses(OpenAIResponsesAdapter):
    """What Azure's Responses route does: its own name, URL and auth header."""

    name = "vendor-responses"

    def url(self, request: Request, config: Config) -> str:
        return "https://res.example.com/openai/responses?api-version=preview"

    def headers(self, config: Config) -> dict[str, str]:
        return {"Content-Type": "application/json", "api-key": config.api_key or ""}


def test_a_vendor_subclass_changes_only_url_auth_and_name() -> None:
    vendor = _VendorResponses()
    request = Request("deployment", [Message.user("hi")], tools=[WEATHER])
    http = vendor.build_request(request, CONFIG)
    assert http.url == "https://res.example.com/openai/responses?api-version=preview"
    assert http.headers == {"Content-Type": "application/json", "api-key": "sk-test"}
    assert http.body == ADAPTER.build_request(request, CONFIG).body
    response = vendor.parse_response(
        HttpResponse(200, {}, json.dumps(response_json([fc(1, "get_weather", "{}")])).encode())
    )
    assert response.provider == "vendor-responses"
    assert {p.provider for p in response.opaque} == {"vendor-responses"}
    assert vendor.parse_error(HttpResponse(500, {}, b"")).provider == "vendor-responses"
    # Items recorded by another service are not replayed with their ids.
    items = body_of(Request("m", [Message.user("q"), response.to_message()]))["input"]
    assert "id" not in items[1]


# --- tools: strict, parallel, tool_choice --------------------------------------------------------


def test_unmarked_tool_is_sent_with_explicit_strict_false() -> None:
    [tool] = body_of(Request("gpt-4o", [Message.user("hi")], tools=[WEATHER]))["tools"]
    assert tool["strict"] is False
    assert tool["parameters"] == WEATHER_SCHEMA  # non-strict: sent as written


def test_strict_tool_is_made_strict() -> None:
    body = body_of(Request("gpt-4o", [Message.user("hi")], tools=[STRICT_WEATHER]))
    assert body["tools"] == [
        {
            "type": "function",
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "unit": {"type": ["string", "null"], "enum": ["c", "f", None]},
                },
                "required": ["city", "unit"],
                "additionalProperties": False,
            },
            "strict": True,
        }
    ]


def test_strict_tools_send_parallel_false() -> None:
    body = body_of(Request("gpt-4o", [Message.user("hi")], tools=[STRICT_WEATHER]))
    assert body["parallel_tool_calls"] is False
    with pytest.raises(UsageError, match="parallel_tool_calls"):
        ADAPTER.build_request(
            Request(
                "gpt-4o", [Message.user("hi")], tools=[STRICT_WEATHER], parallel_tool_calls=True
            ),
            CONFIG,
        )


@pytest.mark.parametrize(
    ("tools", "parallel", "expected"),
    [
        ((), False, None),
        ((), True, None),
        ((WEATHER,), None, None),
        ((WEATHER,), False, False),
        ((WEATHER,), True, True),
    ],
)
def test_parallel_tool_calls_only_with_tools(
    tools: tuple[Tool, ...], parallel: bool | None, expected: bool | None
) -> None:
    body = body_of(
        Request("gpt-4o", [Message.user("hi")], tools=tools, parallel_tool_calls=parallel)
    )
    assert body.get("parallel_tool_calls") == expected
    assert ("parallel_tool_calls" in body) is (expected is not None)


@pytest.mark.parametrize("mode", ["auto", "none", "required"])
def test_tool_choice_modes_are_strings(mode: str) -> None:
    body = body_of(Request("gpt-4o", [Message.user("hi")], tools=[WEATHER], tool_choice=mode))
    assert body["tool_choice"] == mode


def test_tool_choice_left_out_when_not_set_or_without_tools() -> None:
    assert "tool_choice" not in body_of(Request("gpt-4o", [Message.user("hi")], tools=[WEATHER]))
    assert "tool_choice" not in body_of(Request("gpt-4o", [Message.user("hi")], tool_choice="none"))


def test_named_tool_choice_is_flat() -> None:
    body = body_of(
        Request("gpt-4o", [Message.user("hi")], tools=[WEATHER, TIME], tool_choice="get_time")
    )
    assert body["tool_choice"] == {"type": "function", "name": "get_time"}


def test_renamed_tool_round_trip() -> None:
    dotted = Tool("weather.get", "w", {"type": "object", "properties": {"q": {"type": "string"}}})
    request = Request("gpt-4o", [Message.user("hi")], tools=[dotted], tool_choice="weather.get")
    body = body_of(request)
    wire = body["tools"][0]["name"]
    assert wire != "weather.get"
    assert body["tool_choice"] == {"type": "function", "name": wire}
    response = decode([fc(1, wire, '{"q":"x"}')], request)
    assert response.tool_calls[0].name == "weather.get"
    # Replayed history goes back under the wire name.
    follow = Request(
        "gpt-4o",
        [
            Message.user("hi"),
            response.to_message(),
            Message.tool(ToolResult("call_0001", "weather.get", "sunny")),
        ],
        tools=[dotted],
    )
    items = body_of(follow)["input"]
    assert items[1]["name"] == wire


def test_strict_optional_null_is_restored_to_omitted() -> None:
    request = Request("gpt-4o", [Message.user("hi")], tools=[STRICT_WEATHER])
    call = decode([fc(1, "get_weather", '{"city":"Paris","unit":null}')], request).tool_calls[0]
    assert call.arguments == {"city": "Paris"}
    assert call.raw_arguments == '{"city":"Paris","unit":null}'
    streamed = decode_stream(
        sse(stream_events(response_json([fc(1, "get_weather", '{"city":"Paris","unit":null}')]))),
        request,
    )
    assert streamed.tool_calls[0].arguments == {"city": "Paris"}


def test_structured_output_goes_in_text_format() -> None:
    output = OutputSchema(
        "CityLocation",
        {
            "type": "object",
            "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
            "required": ["city"],
        },
        description="Where the city is.",
    )
    body = body_of(Request("gpt-4o", [Message.user("hi")], output=output))
    assert body["text"] == {
        "format": {
            "type": "json_schema",
            "name": "CityLocation",
            "schema": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "country": {"type": ["string", "null"]},
                },
                "required": ["city", "country"],
                "additionalProperties": False,
            },
            "strict": True,
            "description": "Where the city is.",
        }
    }
    loose = OutputSchema("Loose", {"type": "object"}, strict=False)
    fmt = body_of(Request("gpt-4o", [Message.user("hi")], output=loose))["text"]["format"]
    assert fmt == {
        "type": "json_schema",
        "name": "Loose",
        "schema": {"type": "object"},
        "strict": False,
    }


# --- history -------------------------------------------------------------------------------------


def _follow_up(response: Response, *results: ToolResult) -> list[dict[str, Any]]:
    messages = [Message.user("q"), response.to_message()]
    if results:
        messages.append(Message.tool(*results))
    messages.append(Message.user("next"))
    items: list[dict[str, Any]] = body_of(Request("gpt-4o", messages, tools=[WEATHER, TIME]))[
        "input"
    ]
    return items


def test_results_use_call_id_never_the_item_id() -> None:
    response = decode([fc(1, "get_weather", '{"city":"Paris"}'), fc(2, "get_time", "")])
    assert [c.id for c in response.tool_calls] == ["call_0001", "call_0002"]
    assert response.tool_calls[0].opaque == ProviderPart("openai-responses", {"id": "fc_0001"})
    items = _follow_up(
        response,
        ToolResult("call_0001", "get_weather", {"temp": 21}),
        ToolResult("call_0002", "get_time", "12:00"),
    )
    assert items == [
        {"role": "user", "content": "q"},
        {
            "type": "function_call",
            "id": "fc_0001",
            "call_id": "call_0001",
            "name": "get_weather",
            "arguments": '{"city":"Paris"}',
        },
        {
            "type": "function_call",
            "id": "fc_0002",
            "call_id": "call_0002",
            "name": "get_time",
            "arguments": "",
        },
        {"type": "function_call_output", "call_id": "call_0001", "output": '{"temp": 21}'},
        {"type": "function_call_output", "call_id": "call_0002", "output": "12:00"},
        {"role": "user", "content": "next"},
    ]
    outputs = [i["call_id"] for i in items if i.get("type") == "function_call_output"]
    assert not any(cid.startswith("fc_") for cid in outputs)


def test_reasoning_item_is_replayed_before_its_call() -> None:
    response = decode([REASONING, fc(1, "get_weather", '{"city":"Paris"}')])
    items = _follow_up(response, ToolResult("call_0001", "get_weather", "sunny"))
    assert items[1] == REASONING
    assert items[2]["type"] == "function_call"
    assert items[2]["id"] == "fc_0001"


def test_reasoning_then_message_replays_the_message_with_its_id() -> None:
    # The server answered 400 "Item 'rs_...' of type 'reasoning' was provided without its
    # required following item" when the message after a reasoning item went back without its
    # id (corpus: pydantic-ai test_openai_responses_thinking_with_modified_history.yaml).
    response = decode([REASONING, msg("The answer is 42.")])
    items = _follow_up(response)
    assert items[1:3] == [REASONING, msg("The answer is 42.")]
    assert (
        typeddict_problems({"model": "m", "input": items}, ResponseCreateParamsNonStreaming) == []
    )


def test_edited_text_is_sent_as_a_plain_message() -> None:
    response = decode([msg("original")])
    edited = Message.assistant("edited", opaque=response.opaque)
    items = body_of(Request("gpt-4o", [Message.user("q"), edited, Message.user("next")]))["input"]
    assert items[1] == {"role": "assistant", "content": "edited"}
    assert len(items) == 3


def test_history_from_another_provider_has_no_item_ids() -> None:
    foreign = Message.assistant(
        "Let me check.",
        [ToolCall("toolu_01A", "get_weather", {"city": "Oslo", "unit": "c"})],
        opaque=[ProviderPart("anthropic", {"type": "thinking", "signature": "x"})],
    )
    items = body_of(
        Request(
            "gpt-4o",
            [
                Message.user("q"),
                foreign,
                Message.tool(ToolResult("toolu_01A", "get_weather", "cold", is_error=True)),
            ],
        )
    )["input"]
    assert items == [
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "Let me check."},
        {
            "type": "function_call",
            "call_id": "toolu_01A",
            "name": "get_weather",
            "arguments": '{"city":"Oslo","unit":"c"}',
        },
        {"type": "function_call_output", "call_id": "toolu_01A", "output": "Error: cold"},
    ]


@pytest.mark.parametrize("call_id", ["x" * 65, "tooluse_a.b:c", "id with spaces"])
def test_ids_that_do_not_fit_are_remapped_the_same_for_call_and_result(call_id: str) -> None:
    items = body_of(
        Request(
            "gpt-4o",
            [
                Message.user("q"),
                Message.assistant(tool_calls=[ToolCall(call_id, "get_time", {})]),
                Message.tool(ToolResult(call_id, "get_time", "noon")),
            ],
        )
    )["input"]
    sent, answered = items[1]["call_id"], items[2]["call_id"]
    assert sent == answered
    assert sent != call_id
    assert 1 <= len(sent) <= 64


def test_unknown_output_items_are_kept_and_replayed() -> None:
    search = {
        "id": "ws_1",
        "type": "web_search_call",
        "status": "completed",
        "action": {"type": "search", "query": "weather"},
    }
    response = decode([search, msg("Found it.")])
    assert response.tool_calls == ()
    assert response.text == "Found it."
    assert _follow_up(response)[1:3] == [search, msg("Found it.")]


# --- decoding ------------------------------------------------------------------------------------


def test_decodes_calls_text_usage_like_the_sdk() -> None:
    output = [
        REASONING,
        msg("Checking both."),
        fc(1, "get_weather", '{"city":"Paris"}'),
        fc(2, "get_time", ""),
    ]
    raw = json.dumps(response_json(output)).encode()
    response = ADAPTER.parse_response(HttpResponse(200, {}, raw))
    assert summary(response) == sdk_parse(raw)
    assert response.tool_calls[1].arguments == {}  # a zero-argument call is {}, not ""
    assert response.finish_reason == "tool_calls"
    assert response.usage == Usage(12, 7)
    assert response.id == "resp_1"
    assert response.model == "gpt-4o-2024-08-06"
    assert [p.data["type"] for p in response.opaque] == [
        "reasoning",
        "message",
        "function_call",
        "function_call",
    ]


def test_invalid_argument_json_is_kept_and_marked() -> None:
    raw = json.dumps(response_json([fc(1, "get_weather", '{"city": "Par')])).encode()
    response = ADAPTER.parse_response(HttpResponse(200, {}, raw))
    [call] = response.tool_calls
    assert call.malformed
    assert call.arguments == {}
    assert call.raw_arguments == '{"city": "Par'
    assert summary(response) == sdk_parse(raw)
    array = decode([fc(1, "get_weather", "[1, 2]")]).tool_calls[0]
    assert array.malformed
    assert array.raw_arguments == "[1, 2]"


@pytest.mark.parametrize(
    ("output", "status", "reason", "finish", "raw"),
    [
        ([fc(1, "get_time", "{}")], "completed", None, "tool_calls", "completed"),
        ([msg("hi")], "completed", None, "stop", "completed"),
        ([msg("hi")], "incomplete", "max_output_tokens", "length", "incomplete:max_output_tokens"),
        (
            [msg("hi")],
            "incomplete",
            "content_filter",
            "content_filter",
            "incomplete:content_filter",
        ),
        ([msg("hi")], "incomplete", "max_messages", "other", "incomplete:max_messages"),
        ([], "in_progress", None, "other", "in_progress"),
        ([], "cancelled", None, "other", "cancelled"),
    ],
)
def test_finish_reason_from_status_and_items(
    output: list[dict[str, Any]], status: str, reason: str | None, finish: str, raw: str
) -> None:
    body = json.dumps(response_json(output, status=status, reason=reason)).encode()
    response = ADAPTER.parse_response(HttpResponse(200, {}, body))
    assert (response.finish_reason, response.raw_finish_reason) == (finish, raw)
    assert summary(response) == sdk_parse(body)


def test_cut_off_call_is_not_parsed() -> None:
    # Even text that happens to parse is not trusted once the output was cut off.
    output = [fc(1, "get_weather", '{"city":"Paris"}', status="incomplete")]
    body = json.dumps(response_json(output, status="incomplete", reason="max_output_tokens"))
    response = ADAPTER.parse_response(HttpResponse(200, {}, body.encode()))
    assert response.finish_reason == "length"
    [call] = response.tool_calls
    assert (call.malformed, call.arguments, call.raw_arguments) == (True, {}, '{"city":"Paris"}')
    assert summary(response) == sdk_parse(body.encode())


def test_odd_bytes_do_not_crash() -> None:
    odd = [
        "not an item",
        {"type": "function_call", "name": "get_time"},  # no ids, no arguments
        {"type": "message", "content": None},
        {"type": "message", "content": [{"type": "refusal", "refusal": "no"}, 7]},
        {"type": "future_item", "payload": [1, 2]},
    ]
    response = decode(odd)
    [call] = response.tool_calls
    assert (call.id, call.name, call.arguments, call.malformed) == ("", "get_time", {}, False)
    assert call.opaque is None
    assert response.text is None


def test_non_json_and_non_object_bodies_are_protocol_errors() -> None:
    with pytest.raises(ProtocolError, match="expected a JSON body"):
        ADAPTER.parse_response(HttpResponse(200, {}, b"<html>oops</html>"))
    with pytest.raises(ProtocolError, match="expected a Response object"):
        ADAPTER.parse_response(HttpResponse(200, {}, b"[1, 2]"))


# --- errors --------------------------------------------------------------------------------------


def _error_body(message: str, type_: str, code: str | None, param: str | None = None) -> bytes:
    error = {"message": message, "type": type_, "param": param, "code": code}
    return json.dumps({"error": error}).encode()


@pytest.mark.parametrize(
    ("status", "body", "headers", "cls", "retryable"),
    [
        (
            400,
            _error_body("Invalid 'tools[0].name'", "invalid_request_error", "invalid_value"),
            {},
            BadRequestError,
            False,
        ),
        (
            400,
            _error_body("maximum context length is 128000", "invalid_request_error", None),
            {},
            ContextLengthError,
            False,
        ),
        (
            401,
            _error_body("Incorrect API key provided", "invalid_request_error", "invalid_api_key"),
            {},
            AuthenticationError,
            False,
        ),
        (
            429,
            _error_body("Rate limit reached", "tokens", "rate_limit_exceeded"),
            {"retry-after-ms": "1500"},
            RateLimitError,
            True,
        ),
        (500, b"upstream connect error", {}, ServerError, True),
    ],
)
def test_error_bodies_map_to_the_neutral_tree(
    status: int, body: bytes, headers: dict[str, str], cls: type[Exception], retryable: bool
) -> None:
    response = HttpResponse(status, headers, body)
    error = ADAPTER.parse_error(response)
    assert type(error) is cls
    assert error.retryable is retryable
    assert error.provider == "openai-responses"
    with pytest.raises(cls):
        ADAPTER.parse_response(response)
    if headers:
        assert error.retry_after == 1.5


def test_failed_response_raises() -> None:
    data = response_json([], status="failed", usage=None)
    data["error"] = {"code": "server_error", "message": "The model failed."}
    with pytest.raises(ServerError, match="The model failed") as info:
        ADAPTER.parse_response(HttpResponse(200, {}, json.dumps(data).encode()))
    assert info.value.status == 200
    assert info.value.code == "server_error"


def test_error_envelope_under_200_raises() -> None:
    body = _error_body(
        "You exceeded your current quota", "insufficient_quota", "insufficient_quota"
    )
    with pytest.raises(RateLimitError, match="quota") as info:
        ADAPTER.parse_response(HttpResponse(200, {}, body))
    # A used-up quota is not cured by waiting: never retried (OpenAI error-codes guide).
    assert info.value.retryable is False


@pytest.mark.parametrize("code", ["invalid_prompt", "image_too_large", "bio_policy"])
def test_failed_response_for_a_caller_error_is_a_bad_request(code: str) -> None:
    data = response_json([], status="failed", usage=None)
    data["error"] = {"code": code, "message": "Rejected."}
    with pytest.raises(BadRequestError, match="Rejected") as info:
        ADAPTER.parse_response(HttpResponse(200, {}, json.dumps(data).encode()))
    assert info.value.retryable is False
    assert info.value.code == code


# --- streams -------------------------------------------------------------------------------------

PARALLEL = response_json(
    [
        REASONING,
        msg("Checking."),
        fc(1, "get_weather", '{"city":"Paris","unit":"c"}'),
        fc(2, "get_time", ""),
    ]
)


def test_stream_matches_the_sdk_and_the_snapshot() -> None:
    data = sse(stream_events(PARALLEL))
    response = decode_stream(data)
    assert summary(response) == sdk_stream(data)
    assert response == ADAPTER.decode(PARALLEL)
    assert response.tool_calls[1].arguments == {}


def test_stream_events_in_order() -> None:
    decoder = ADAPTER.stream_decoder()
    events = decoder.feed(sse(stream_events(PARALLEL, piece=100)))
    decoder.close()
    assert events == [
        TextDelta("Checking."),
        ToolCallStarted(0, "call_0001", "get_weather"),
        ToolCallDelta(0, '{"city":"Paris","unit":"c"}'),
        ToolCallFinished(
            0,
            ToolCall(
                "call_0001",
                "get_weather",
                {"city": "Paris", "unit": "c"},
                '{"city":"Paris","unit":"c"}',
                opaque=ProviderPart("openai-responses", {"id": "fc_0001"}),
            ),
        ),
        ToolCallStarted(1, "call_0002", "get_time"),
        ToolCallFinished(
            1,
            ToolCall(
                "call_0002",
                "get_time",
                {},
                "",
                opaque=ProviderPart("openai-responses", {"id": "fc_0002"}),
            ),
        ),
    ]


def test_done_event_wins_over_the_fragments() -> None:
    events = stream_events(response_json([fc(1, "get_weather", '{"city":"Paris"}')]))
    for e in events:
        if e["type"] == "response.function_call_arguments.delta":
            e["delta"] = "#"  # garbage fragments
    response = decode_stream(sse(events))
    assert response.tool_calls[0].arguments == {"city": "Paris"}
    # Without the done events the fragments are all there is: kept raw, marked malformed.
    trimmed = [
        e
        for e in events
        if e["type"] not in ("response.function_call_arguments.done", "response.output_item.done")
    ]
    trimmed[-1] = {**trimmed[-1], "response": response_json([])}
    call = decode_stream(sse(trimmed)).tool_calls[0]
    assert call.malformed
    n = sum(e["type"] == "response.function_call_arguments.delta" for e in events)
    assert call.raw_arguments == "#" * n


def test_two_parallel_calls_interleaved_never_merge() -> None:
    final = response_json(
        [fc(1, "get_weather", '{"city":"A"}'), fc(2, "get_weather", '{"city":"B"}')]
    )
    events = stream_events(final, piece=2)
    deltas = [e for e in events if e["type"] == "response.function_call_arguments.delta"]
    others = [e for e in events if e["type"] != "response.function_call_arguments.delta"]
    first = [d for d in deltas if d["item_id"] == "fc_0001"]
    second = [d for d in deltas if d["item_id"] == "fc_0002"]
    mixed = [d for pair in zip(first, second, strict=False) for d in pair]
    # Both items are added before any fragment; fragments alternate between the two calls.
    added = [e for e in others if e["type"] == "response.output_item.added"]
    rest = [
        e
        for e in others
        if e["type"]
        not in ("response.output_item.added", "response.created", "response.in_progress")
    ]
    reordered = others[:2] + added + mixed + rest
    data = sse(reordered)
    response = decode_stream(data)
    assert [c.arguments for c in response.tool_calls] == [{"city": "A"}, {"city": "B"}]
    assert summary(response) == sdk_stream(data)


def test_stream_with_only_the_final_snapshot() -> None:
    # A compatible server that sends no per-item events still decodes from response.completed.
    final = response_json([msg("Hello"), fc(1, "get_time", "{}")])
    response = decode_stream(sse([{"type": "response.completed", "response": final}]))
    assert response == ADAPTER.decode(final)


def test_text_only_in_done_events() -> None:
    final = response_json([msg("Hello there")])
    events = [e for e in stream_events(final) if e["type"] != "response.output_text.delta"]
    assert decode_stream(sse(events)).text == "Hello there"


def test_completed_without_output_uses_the_streamed_items() -> None:
    final = response_json([REASONING, fc(1, "get_time", "{}")])
    events = stream_events(final)
    events[-1] = {**events[-1], "response": {**final, "output": []}}
    response = decode_stream(sse(events))
    assert response == ADAPTER.decode(final)


def test_stream_cut_off_by_max_output_tokens() -> None:
    final = response_json(
        [fc(1, "get_weather", '{"city":"Par', status="incomplete")],
        status="incomplete",
        reason="max_output_tokens",
    )
    events = stream_events(final)
    assert events[-1]["type"] == "response.incomplete"
    response = decode_stream(sse(events))
    assert response.finish_reason == "length"
    [call] = response.tool_calls
    assert (call.malformed, call.raw_arguments) == (True, '{"city":"Par')
    assert summary(response) == sdk_stream(sse(events))


@pytest.mark.parametrize(
    "event",
    [
        # The documented flat ResponseErrorEvent.
        {"type": "error", "code": "rate_limit_exceeded", "message": "Slow down", "param": None},
        # The nested shape recorded by vercel/ai (openai-error.1.chunks.txt).
        {
            "type": "error",
            "error": {
                "type": "insufficient_quota",
                "code": "insufficient_quota",
                "message": "Slow down",
            },
        },
    ],
)
def test_error_event_raises(event: dict[str, Any]) -> None:
    start = stream_events(response_json([]))[:2]
    decoder = ADAPTER.stream_decoder()
    with pytest.raises(RateLimitError, match="Slow down") as info:
        decoder.feed(sse([*start, {**event, "sequence_number": 2}]))
    assert info.value.status == 200


def test_response_failed_raises() -> None:
    failed = response_json([], status="failed", usage=None)
    failed["error"] = {"code": "server_error", "message": "Something broke"}
    decoder = ADAPTER.stream_decoder()
    with pytest.raises(ServerError, match="Something broke"):
        decoder.feed(sse([{"type": "response.failed", "response": failed}]))


def test_noise_is_skipped() -> None:
    data = b": keep-alive\n\n" + sse(stream_events(PARALLEL)) + b"data: [DONE]\n\n"
    assert decode_stream(data) == ADAPTER.decode(PARALLEL)


def test_stream_cut_short_is_a_protocol_error() -> None:
    data = sse(stream_events(PARALLEL)[:-1])
    with pytest.raises(ProtocolError, match="ended before"):
        decode_stream(data)


def test_delta_for_an_unknown_item_is_a_protocol_error() -> None:
    event = {
        "type": "response.function_call_arguments.delta",
        "item_id": "fc_x",
        "output_index": 3,
        "delta": "{",
    }
    with pytest.raises(ProtocolError, match="never added"):
        ADAPTER.stream_decoder().feed(sse([event]))


def test_non_json_event_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="not JSON"):
        ADAPTER.stream_decoder().feed(b"data: {oops\n\n")


# --- the split property --------------------------------------------------------------------------

_names = st.sampled_from(["get_weather", "get_time", "lookup"])
_values = st.one_of(
    st.integers(-1000, 1000),
    st.text(max_size=12),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
)
_arguments = st.dictionaries(st.text(min_size=1, max_size=8), _values, max_size=4)


@st.composite
def _final_responses(draw: st.DrawFn) -> dict[str, Any]:
    output: list[dict[str, Any]] = []
    if draw(st.booleans()):
        output.append(REASONING)
    if draw(st.booleans()):
        output.append(msg(draw(st.text(min_size=1, max_size=40)), 1))
    for n in range(draw(st.integers(0, 3))):
        args = draw(_arguments)
        text = json.dumps(args, ensure_ascii=False) if args or draw(st.booleans()) else ""
        output.append(fc(n + 1, draw(_names), text))
    return response_json(output)


@given(
    final=_final_responses(),
    piece=st.integers(1, 7),
    cuts=st.lists(st.integers(0, 5000), max_size=30),
)
def test_split_anywhere_decodes_the_same(
    final: dict[str, Any], piece: int, cuts: list[int]
) -> None:
    data = sse(stream_events(final, piece=piece))
    whole = decode_stream(data)
    decoder = ADAPTER.stream_decoder()
    bounds = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    for a, b in itertools.pairwise(bounds):
        decoder.feed(data[a:b])
    assert decoder.close() == whole
    assert whole == ADAPTER.decode(final)
    assert summary(whole) == sdk_stream(data)


def test_split_at_every_byte() -> None:
    data = sse(stream_events(PARALLEL, piece=2))
    assert decode_stream(data, chunk=1) == decode_stream(data)
