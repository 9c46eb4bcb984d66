"""The Anthropic Messages adapter: pinned request bodies checked against the SDK's request
types, responses and streams checked against what the ``anthropic`` package parses from the same
bytes, and one test per rule of docs/dialects.md that concerns Anthropic."""

from __future__ import annotations

import itertools
import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import anthropic
import httpx2  # the SDK's own httpx fork (anthropic 2.15.0 imports httpx2, not httpx)
import pytest
from anthropic._error_classes import make_status_error
from anthropic.types.message_create_params import (
    MessageCreateParamsNonStreaming,
    MessageCreateParamsStreaming,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from fctest import (
    Finished,
    HttpResponse,
    Message,
    OutputSchema,
    ProviderPart,
    Request,
    TextDelta,
    Tool,
    ToolCall,
    ToolCallDelta,
    ToolCallFinished,
    ToolCallStarted,
    ToolResult,
    get_adapter,
)
from fctest.errors import (
    AuthenticationError,
    BadRequestError,
    ContextLengthError,
    IncompatibleToolError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    ProtocolError,
    ProviderError,
    RateLimitError,
    ServerError,
    UsageError,
)
from fctest.providers.anthropic import PROFILE, AnthropicAdapter, AnthropicConfig
from oracles import typeddict_problems

from ._oracle import SDKStreamError, sdk_message, sdk_stream, summary

ADAPTER = AnthropicAdapter()
CONFIG = AnthropicConfig(api_key="sk-ant-test")
WEATHER = Tool(
    "get_weather",
    "Current weather in a city",
    {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
        "required": ["city"],
    },
)
USER = Message.user("Weather in Paris?")


def build(request: Request, config: AnthropicConfig = CONFIG) -> dict[str, Any]:
    """The request body, after checking it against the SDK's request TypedDicts."""
    http = ADAPTER.build_request(request, config)
    body: dict[str, Any] = http.json()
    kind = MessageCreateParamsStreaming if body.get("stream") else MessageCreateParamsNonStreaming
    problems = typeddict_problems(body, kind)
    if config.version < "2026-10-21":
        # The installed SDK's types follow API version 2026-10-21, which removed temperature;
        # under 2023-06-01 (fctest's default) it is a documented field.
        problems = [p for p in problems if not p.startswith("/temperature: key not in")]
    assert problems == []
    return body


def encoded(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def ok(body: dict[str, Any] | bytes, status: int = 200) -> HttpResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HttpResponse(status, {"content-type": "application/json"}, raw)


def sse(*events: tuple[str, dict[str, Any]]) -> bytes:
    return b"".join(f"event: {n}\ndata: {json.dumps(d)}\n\n".encode() for n, d in events)


def decode_stream(raw: bytes, request: Request | None = None, pieces: int = 1) -> Any:
    decoder = ADAPTER.stream_decoder(request)
    size = max(1, len(raw) // pieces)
    events = []
    for i in range(0, len(raw), size):
        events += decoder.feed(raw[i : i + size])
    response = decoder.close()
    return response, events + decoder.drain()


def message_body(
    content: list[dict[str, Any]], stop: str = "tool_use", **usage: int
) -> dict[str, Any]:
    return {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 5, **usage},
    }


def stream_of(
    blocks: list[tuple[dict[str, Any], list[dict[str, Any]]]],
    stop: str | None = "tool_use",
    *,
    ping: bool = True,
    end: bool = True,
) -> bytes:
    """A recorded-style stream: message_start, each block's start/deltas/stop, message_delta."""
    events: list[tuple[str, dict[str, Any]]] = [
        (
            "message_start",
            {
                "type": "message_start",
                "message": {
                    **message_body([], stop="end_turn"),
                    "stop_reason": None,
                    "usage": {"input_tokens": 12, "cache_read_input_tokens": 3, "output_tokens": 1},
                },
            },
        )
    ]
    for index, (start, deltas) in enumerate(blocks):
        events.append(
            (
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": start},
            )
        )
        if ping and index == 0:
            events.append(("ping", {"type": "ping"}))
        for delta in deltas:
            events.append(
                (
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": delta},
                )
            )
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    if end:
        events.append(
            (
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": stop, "stop_sequence": None},
                    "usage": {"output_tokens": 42},
                },
            )
        )
        events.append(("message_stop", {"type": "message_stop"}))
    return sse(*events)


def text_block(*parts: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return {"type": "text", "text": ""}, [{"type": "text_delta", "text": p} for p in parts]


def tool_block(
    id: str, name: str, *fragments: str, placeholder: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    start = {"type": "tool_use", "id": id, "name": name, "input": placeholder or {}}
    return start, [{"type": "input_json_delta", "partial_json": f} for f in fragments]


# --- registry, URL, headers -----------------------------------------------------------------------


def test_registered_as_anthropic() -> None:
    assert isinstance(get_adapter("anthropic"), AnthropicAdapter)


def test_url_and_headers() -> None:
    http = ADAPTER.build_request(Request("claude-sonnet-4-5", (USER,)), CONFIG)
    assert http.method == "POST"
    assert http.url == "https://api.anthropic.com/v1/messages"
    assert dict(http.headers) == {
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
        "x-api-key": "sk-ant-test",
    }
    assert "sk-ant-test" not in repr(http)


def test_version_beta_base_url_and_extra_headers() -> None:
    config = AnthropicConfig(
        api_key=None,
        base_url="http://127.0.0.1:8080/",
        version="2026-10-21",
        beta=("fine-grained-tool-streaming-2025-05-14", "context-1m-2025-08-07"),
        headers={"authorization": "Bearer oauth-token"},
    )
    http = ADAPTER.build_request(Request("m", (USER,)), config)
    assert http.url == "http://127.0.0.1:8080/v1/messages"
    assert dict(http.headers) == {
        "content-type": "application/json",
        "anthropic-version": "2026-10-21",
        "anthropic-beta": "fine-grained-tool-streaming-2025-05-14,context-1m-2025-08-07",
        "authorization": "Bearer oauth-token",
    }


def test_a_plain_config_is_refused() -> None:
    from fctest.providers import Config

    with pytest.raises(UsageError, match="AnthropicConfig"):
        ADAPTER.build_request(Request("m", (USER,)), Config(api_key="k"))


# --- request bodies -----------------------------------------------------------------------------


def test_pinned_body_with_system_tools_and_choice() -> None:
    request = Request(
        "claude-sonnet-4-5",
        (Message.system("Be brief."), USER),
        tools=(WEATHER, Tool("ping")),
        tool_choice="auto",
        max_output_tokens=512,
        temperature=0.2,
    )
    body = build(request)
    expected = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 512,
        "system": "Be brief.",
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "tools": [
            {
                "name": "get_weather",
                "description": "Current weather in a city",
                "input_schema": WEATHER.parameters,
                "strict": False,
            },
            {"name": "ping", "input_schema": {"type": "object", "properties": {}}, "strict": False},
        ],
        "tool_choice": {"type": "auto"},
        "temperature": 0.2,
    }
    assert body == expected
    assert ADAPTER.build_request(request, CONFIG).body == encoded(expected)


def test_pinned_streaming_body_and_default_max_tokens() -> None:
    body = build(Request("claude-haiku-4-5", (USER,), stream=True))
    assert body == {
        "model": "claude-haiku-4-5",
        "max_tokens": 4096,
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "stream": True,
    }
    assert build(Request("m", (USER,)), AnthropicConfig(max_tokens=1000))["max_tokens"] == 1000


def test_several_leading_system_messages_and_a_later_one() -> None:
    request = Request(
        "m",
        (
            Message.system("One."),
            Message.system("Two."),
            USER,
            Message.assistant("Sunny."),
            Message.system("From now on, answer in French."),
            Message.user("Et demain ?"),
        ),
    )
    body = build(request)
    assert body["system"] == [{"type": "text", "text": "One."}, {"type": "text", "text": "Two."}]
    assert body["messages"] == [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": [{"type": "text", "text": "Sunny."}]},
        {"role": "system", "content": "From now on, answer in French."},
        {"role": "user", "content": "Et demain ?"},
    ]


def test_extra_body_is_merged_last() -> None:
    body = build(Request("m", (USER,), extra_body={"metadata": {"user_id": "u1"}, "max_tokens": 7}))
    assert body["metadata"] == {"user_id": "u1"}
    assert body["max_tokens"] == 7


def test_parameterless_tool_gets_an_object_schema() -> None:
    body = build(Request("m", (USER,), tools=(Tool("now"), Tool("now_strict", strict=True))))
    assert body["tools"] == [
        {"name": "now", "input_schema": {"type": "object", "properties": {}}, "strict": False},
        {
            "name": "now_strict",
            "input_schema": {"type": "object", "properties": {}, "additionalProperties": False},
            "strict": True,
        },
    ]


def test_renamed_tool_is_sent_under_its_wire_name_and_decoded_back() -> None:
    dotted = Tool("weather.get", "", WEATHER.parameters)
    request = Request("m", (USER,), tools=(dotted,), tool_choice="weather.get")
    body = build(request)
    assert body["tools"][0]["name"] == "weather_get"
    assert body["tool_choice"] == {"type": "tool", "name": "weather_get"}
    reply = message_body(
        [{"type": "tool_use", "id": "toolu_1", "name": "weather_get", "input": {"city": "Oslo"}}]
    )
    assert ADAPTER.parse_response(ok(reply), request).tool_calls[0].name == "weather.get"
    raw = stream_of([tool_block("toolu_1", "weather_get", '{"city":"Oslo"}')])
    response, _ = decode_stream(raw, request)
    assert response.tool_calls[0].name == "weather.get"
    # Replayed history uses the wire name again.
    history = Request(
        "m",
        (
            USER,
            response.to_message(),
            Message.tool(ToolResult("toolu_1", "weather.get", "cold")),
            USER,
        ),
        tools=(dotted,),
    )
    assert build(history)["messages"][1]["content"][0]["name"] == "weather_get"


# --- strict tools and their budget ----------------------------------------------------------------


def test_strict_schema_is_fitted_to_the_documented_subset() -> None:
    schema = {
        "type": "object",
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "properties": {
            "n": {"type": "integer", "minimum": 1, "maximum": 10, "description": "A number"},
            "name": {"type": "string", "minLength": 2},
            "site": {"type": "string", "format": "uri"},
            "colour": {"type": "string", "format": "color"},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "pair": {"type": "array", "items": {"type": "number"}, "minItems": 2},
            "kind": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "word": {"type": "string", "pattern": "\\bcat\\b"},
            "nested": {"type": "object", "properties": {"x": {"type": "number"}}},
        },
        "required": ["n"],
    }
    body = build(Request("m", (USER,), tools=(Tool("t", "", schema, strict=True),)))
    sent = body["tools"][0]["input_schema"]
    props = sent["properties"]
    assert "$schema" not in sent
    assert sent["additionalProperties"] is False
    assert props["n"] == {"type": "integer", "description": "A number\n\n{minimum: 1, maximum: 10}"}
    assert props["name"] == {"type": "string", "description": "{minLength: 2}"}
    assert props["site"] == {"type": "string", "format": "uri"}
    assert props["colour"] == {"type": "string", "description": '{format: "color"}'}
    assert props["tags"]["minItems"] == 1
    assert props["pair"] == {
        "type": "array",
        "items": {"type": "number"},
        "description": "{minItems: 2}",
    }
    assert props["kind"] == {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    assert props["code"]["pattern"] == "^[A-Z]{3}$"
    assert "pattern" not in props["word"]
    assert props["nested"]["additionalProperties"] is False
    # The same schema on a non-strict tool is sent as written.
    loose = build(Request("m", (USER,), tools=(Tool("t", "", schema),)))
    assert loose["tools"][0]["input_schema"] == schema


@pytest.mark.parametrize(
    ("schema", "match"),
    [
        (
            {
                "type": "object",
                "properties": {"node": {"$ref": "#/$defs/N"}},
                "$defs": {"N": {"type": "object", "properties": {"child": {"$ref": "#/$defs/N"}}}},
            },
            "recursive",
        ),
        (
            {
                "type": "object",
                "properties": {"m": {"type": "object", "additionalProperties": {"type": "string"}}},
            },
            "additionalProperties",
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"allOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}]}},
                "$defs": {"A": {"type": "object"}, "B": {"type": "object"}},
            },
            "allOf",
        ),
    ],
)
def test_strict_schema_features_anthropic_refuses_are_refused_locally(
    schema: dict[str, Any], match: str
) -> None:
    with pytest.raises(IncompatibleToolError, match=match) as info:
        ADAPTER.build_request(
            Request("m", (USER,), tools=(Tool("t", "", schema, strict=True),)), CONFIG
        )
    assert info.value.provider == "anthropic"
    assert info.value.tool == "t"


def _optional_tool(name: str, optional: int, union: int = 0) -> Tool:
    props: dict[str, Any] = {f"o{i}": {"type": "string"} for i in range(optional)}
    props.update({f"u{i}": {"type": ["string", "null"]} for i in range(union)})
    return Tool(
        name,
        "",
        {
            "type": "object",
            "properties": {"id": {"type": "string"}, **props},
            "required": ["id"] + [f"u{i}" for i in range(union)],
        },
        strict=True,
    )


def test_twenty_strict_tools_pass_and_twenty_one_are_refused() -> None:
    tools = tuple(Tool(f"t{i}", strict=True) for i in range(21))
    build(Request("m", (USER,), tools=tools[:20]))
    with pytest.raises(IncompatibleToolError, match="21 strict tools"):
        ADAPTER.build_request(Request("m", (USER,), tools=tools), CONFIG)
    # Non-strict tools do not count.
    build(Request("m", (USER,), tools=(*tools[:20], Tool("loose"))))


def test_optional_parameter_budget_spans_all_strict_schemas() -> None:
    at_limit = (_optional_tool("a", 12), _optional_tool("b", 12))
    build(Request("m", (USER,), tools=at_limit))
    with pytest.raises(IncompatibleToolError, match="25 optional parameters") as info:
        ADAPTER.build_request(
            Request("m", (USER,), tools=(*at_limit, _optional_tool("c", 1))), CONFIG
        )
    assert info.value.tool == "c"
    # The same parameters on a non-strict tool cost nothing.
    loose = Tool("c", "", _optional_tool("c", 10).parameters)
    build(Request("m", (USER,), tools=(*at_limit, loose)))
    # The structured-output schema counts too (the limits cover output_config.format).
    output = OutputSchema("Answer", {"type": "object", "properties": {"x": {"type": "string"}}})
    with pytest.raises(UsageError, match=r"output schema 'Answer'.*25 optional"):
        ADAPTER.build_request(Request("m", (USER,), tools=at_limit, output=output), CONFIG)


def test_union_parameter_budget() -> None:
    build(Request("m", (USER,), tools=(_optional_tool("a", 0, union=16),)))
    with pytest.raises(IncompatibleToolError, match="17 parameters with union types"):
        ADAPTER.build_request(
            Request(
                "m",
                (USER,),
                tools=(_optional_tool("a", 0, union=16), _optional_tool("b", 0, union=1)),
            ),
            CONFIG,
        )


def test_profile_declares_the_budgets_with_sources() -> None:
    assert PROFILE.max_strict_tools == 20
    assert PROFILE.max_strict_optional_params == 24
    assert PROFILE.max_strict_union_params == 16
    for name in (
        "max_strict_tools",
        "max_strict_optional_params",
        "tool_name_pattern",
        "id_rule",
    ):
        assert PROFILE.sources[name]
    assert PROFILE.as_dict()["max_strict_union_params"] == 16


# --- tool_choice, parallel calls, thinking ----------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "parallel", "expected"),
    [
        (None, None, None),
        ("auto", None, {"type": "auto"}),
        ("none", None, {"type": "none"}),
        ("required", None, {"type": "any"}),  # docs/dialects.md#tool-choice-anthropic
        ("get_weather", None, {"type": "tool", "name": "get_weather"}),
        # docs/dialects.md#parallel-anthropic
        (None, False, {"type": "auto", "disable_parallel_tool_use": True}),
        ("auto", False, {"type": "auto", "disable_parallel_tool_use": True}),
        ("required", False, {"type": "any", "disable_parallel_tool_use": True}),
        (
            "get_weather",
            False,
            {"type": "tool", "name": "get_weather", "disable_parallel_tool_use": True},
        ),
        ("none", False, {"type": "none"}),  # ToolChoiceNoneParam has no such field
        (None, True, None),
    ],
)
def test_tool_choice_and_parallel_control(
    choice: str | None, parallel: bool | None, expected: dict[str, Any] | None
) -> None:
    body = build(
        Request("m", (USER,), tools=(WEATHER,), tool_choice=choice, parallel_tool_calls=parallel)
    )
    assert body.get("tool_choice") == expected


def test_no_tool_choice_without_tools() -> None:
    body = build(Request("m", (USER,), tool_choice="auto", parallel_tool_calls=False))
    assert "tool_choice" not in body
    assert "tools" not in body


def test_profile_says_parallel_calls_can_be_switched_off() -> None:
    assert PROFILE.parallel_call_control is True
    assert PROFILE.tool_choice == frozenset({"auto", "none", "required", "named"})


@pytest.mark.parametrize("choice", ["required", "get_weather"])
def test_forced_tool_with_thinking_is_refused(choice: str) -> None:
    request = Request("m", (USER,), tools=(WEATHER,), tool_choice=choice, thinking_budget=2048)
    with pytest.raises(UsageError, match="Thinking may not be enabled when tool_choice forces"):
        ADAPTER.build_request(request, CONFIG)


def test_thinking_via_extra_body_is_checked_too() -> None:
    request = Request(
        "m",
        (USER,),
        tools=(WEATHER,),
        tool_choice="required",
        extra_body={"thinking": {"type": "adaptive"}},
    )
    with pytest.raises(UsageError, match="forced tool_choice"):
        ADAPTER.build_request(request, CONFIG)


def test_thinking_with_auto_or_none_is_sent() -> None:
    for choice in ("auto", "none"):
        body = build(
            Request("m", (USER,), tools=(WEATHER,), tool_choice=choice, thinking_budget=2048)
        )
        assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
        assert body["max_tokens"] == 4096 + 2048  # thinking tokens count toward max_tokens


def test_thinking_budget_rules() -> None:
    with pytest.raises(UsageError, match="at least 1024"):
        ADAPTER.build_request(Request("m", (USER,), thinking_budget=1000), CONFIG)
    with pytest.raises(UsageError, match="greater than thinking_budget"):
        ADAPTER.build_request(
            Request("m", (USER,), thinking_budget=2048, max_output_tokens=2048), CONFIG
        )
    assert (
        build(Request("m", (USER,), thinking_budget=2048, max_output_tokens=3000))["max_tokens"]
        == 3000
    )


def test_temperature_rules() -> None:
    with pytest.raises(UsageError, match="may only be set to 1 when thinking"):
        ADAPTER.build_request(Request("m", (USER,), thinking_budget=2048, temperature=0.5), CONFIG)
    assert (
        ADAPTER.build_request(
            Request("m", (USER,), thinking_budget=2048, temperature=1.0), CONFIG
        ).json()["temperature"]
        == 1.0
    )
    with pytest.raises(UsageError, match="2026-10-21 has no temperature"):
        ADAPTER.build_request(
            Request("m", (USER,), temperature=0.5), AnthropicConfig(version="2026-10-21")
        )


# --- structured output ----------------------------------------------------------------------------


def test_structured_output_uses_output_config_format_with_strict_rules() -> None:
    output = OutputSchema(
        "City",
        {
            "type": "object",
            "properties": {"name": {"type": "string", "maxLength": 40}, "pop": {"type": "integer"}},
            "required": ["name"],
        },
    )
    body = build(Request("m", (USER,), output=output))
    assert body["output_config"] == {
        "format": {
            "type": "json_schema",
            "schema": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": "{maxLength: 40}"},
                    "pop": {"type": "integer"},
                },
                "required": ["name"],
                "additionalProperties": False,
            },
        }
    }
    reply = message_body([{"type": "text", "text": '{"name":"Paris"}'}], stop="end_turn")
    assert ADAPTER.parse_response(ok(reply)).text == '{"name":"Paris"}'


# --- history ------------------------------------------------------------------------------------------


def _two_calls() -> Message:
    return Message.assistant(
        "Checking both.",
        [
            ToolCall("toolu_a", "get_weather", {"city": "Paris"}),
            ToolCall("toolu_b", "get_weather", {"city": "Oslo"}),
        ],
    )


def test_all_results_of_a_turn_in_one_user_message_results_first() -> None:
    request = Request(
        "m",
        (
            USER,
            _two_calls(),
            Message.tool(ToolResult("toolu_b", "get_weather", "cold")),  # results out of order,
            Message.tool(ToolResult("toolu_a", "get_weather", "warm")),  # in two tool messages
            Message.user("And which is warmer?"),
        ),
        tools=(WEATHER,),
    )
    body = build(request)
    assert body["messages"] == [
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Checking both."},
                {
                    "type": "tool_use",
                    "id": "toolu_a",
                    "name": "get_weather",
                    "input": {"city": "Paris"},
                },
                {
                    "type": "tool_use",
                    "id": "toolu_b",
                    "name": "get_weather",
                    "input": {"city": "Oslo"},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_a", "content": "warm"},
                {"type": "tool_result", "tool_use_id": "toolu_b", "content": "cold"},
                {"type": "text", "text": "And which is warmer?"},
            ],
        },
    ]


def test_error_flag_and_structured_content() -> None:
    request = Request(
        "m",
        (
            USER,
            _two_calls(),
            Message.tool(
                ToolResult("toolu_a", "get_weather", "tool failed: timeout", is_error=True),
                ToolResult("toolu_b", "get_weather", {"temp": 3, "sky": "grey"}),
            ),
        ),
        tools=(WEATHER,),
    )
    results = build(request)["messages"][2]["content"]
    assert results == [
        {
            "type": "tool_result",
            "tool_use_id": "toolu_a",
            "content": "tool failed: timeout",
            "is_error": True,
        },
        {"type": "tool_result", "tool_use_id": "toolu_b", "content": '{"temp": 3, "sky": "grey"}'},
    ]


def test_foreign_ids_are_remapped_the_same_way_for_call_and_result() -> None:
    ids = ["call_8bYzK2Jd9Lm3Nq4Rs5Tu6Vw7", "tooluse_x.y:1", "fc-3"]
    calls = [
        ToolCall(i, "get_weather", {"city": c}) for i, c in zip(ids, ("A", "B", "C"), strict=True)
    ]
    results = [ToolResult(i, "get_weather", "ok") for i in ids]
    request = Request(
        "m", (USER, Message.assistant(None, calls), Message.tool(*results)), tools=(WEATHER,)
    )
    body = build(request)
    sent_calls = [b["id"] for b in body["messages"][1]["content"]]
    sent_results = [b["tool_use_id"] for b in body["messages"][2]["content"]]
    assert sent_calls == sent_results
    assert sent_calls[0] == ids[0]  # valid ids are kept
    assert sent_calls[2] == ids[2]
    assert sent_calls[1].startswith("tooluse_x_y_1_")
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]+", i) for i in sent_calls)
    assert build(request) == body  # deterministic


def test_thinking_and_server_blocks_go_back_first_and_foreign_parts_are_skipped() -> None:
    thinking = {"type": "thinking", "thinking": "Need the weather.", "signature": "sig=="}
    redacted = {"type": "redacted_thinking", "data": "EmwKAhgB"}
    assistant = Message.assistant(
        "Let me check.",
        [ToolCall("toolu_a", "get_weather", {"city": "Paris"})],
        opaque=[
            ProviderPart("anthropic", thinking),
            ProviderPart("openai", {"type": "reasoning", "id": "rs_1"}),
            ProviderPart("anthropic", redacted),
        ],
    )
    request = Request(
        "m",
        (USER, assistant, Message.tool(ToolResult("toolu_a", "get_weather", "warm"))),
        tools=(WEATHER,),
        thinking_budget=1024,
    )
    content = build(request)["messages"][1]["content"]
    assert [b["type"] for b in content] == ["thinking", "redacted_thinking", "text", "tool_use"]
    assert content[0] == thinking
    assert content[1] == redacted


def test_tool_history_without_tools_is_refused() -> None:
    request = Request(
        "m",
        (
            USER,
            _two_calls(),
            Message.tool(
                ToolResult("toolu_a", "get_weather", "1"), ToolResult("toolu_b", "get_weather", "2")
            ),
        ),
    )
    with pytest.raises(UsageError, match="must define tools"):
        ADAPTER.build_request(request, CONFIG)


def test_tool_choice_none_with_tool_history() -> None:
    request = Request(
        "m",
        (
            USER,
            _two_calls(),
            Message.tool(
                ToolResult("toolu_a", "get_weather", "1"), ToolResult("toolu_b", "get_weather", "2")
            ),
        ),
        tools=(WEATHER,),
        tool_choice="none",
    )
    body = build(request)
    assert body["tool_choice"] == {"type": "none"}
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]


def test_an_assistant_turn_with_nothing_in_it_is_left_out() -> None:
    body = build(Request("m", (USER, Message.assistant(None), Message.user("Hello?"))))
    assert body["messages"] == [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "user", "content": "Hello?"},
    ]


# --- responses -----------------------------------------------------------------------------------------

THINKING_REPLY = message_body(
    [
        {"type": "thinking", "thinking": "The user wants weather.", "signature": "EqEEC=="},
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"},
        {"type": "text", "text": "Checking.", "citations": None},
        {
            "type": "tool_use",
            "id": "toolu_01A",
            "name": "get_weather",
            "input": {"city": "Paris"},
            "caller": {"type": "direct"},
        },
        {"type": "tool_use", "id": "toolu_01B", "name": "get_weather", "input": {}},
    ],
    cache_creation_input_tokens=100,
    cache_read_input_tokens=50,
)


def test_response_agrees_with_the_sdk() -> None:
    response = ADAPTER.parse_response(ok(THINKING_REPLY))
    assert summary(response) == sdk_message(json.dumps(THINKING_REPLY).encode())
    assert response.provider == "anthropic"
    assert response.model == "claude-sonnet-4-5"
    assert response.id == "msg_01"
    assert response.finish_reason == "tool_calls"
    assert response.usage is not None
    assert (response.usage.input_tokens, response.usage.output_tokens) == (160, 5)
    assert [p.data["type"] for p in response.opaque] == ["thinking", "redacted_thinking"]
    assert response.tool_calls[1].arguments == {}
    # The turn goes back with its thinking blocks first.
    message = response.to_message()
    assert message.opaque == response.opaque


def test_odd_but_real_bodies_decode() -> None:
    body = message_body(
        [
            {"type": "future_block", "x": 1},
            {"type": "tool_use", "id": "toolu_1", "name": "f", "input": "not an object"},
            "junk",
            {"type": "text", "text": "hi", "new_field": True},
        ],
        stop="some_new_reason",
    )
    body["brand_new_top_level"] = {"a": 1}
    response = ADAPTER.parse_response(ok(body))
    assert response.text == "hi"
    assert response.tool_calls[0].malformed
    assert response.tool_calls[0].raw_arguments == '"not an object"'
    assert response.finish_reason == "other"
    assert response.raw_finish_reason == "some_new_reason"
    assert response.opaque[0].data == {"type": "future_block", "x": 1}


@pytest.mark.parametrize(
    ("raw", "neutral"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("tool_use", "tool_calls"),
        ("max_tokens", "length"),
        ("model_context_window_exceeded", "length"),
        ("refusal", "content_filter"),
        ("pause_turn", "other"),
    ],
)
def test_stop_reasons(raw: str, neutral: str) -> None:
    response = ADAPTER.parse_response(ok(message_body([{"type": "text", "text": "x"}], stop=raw)))
    assert (response.finish_reason, response.raw_finish_reason) == (neutral, raw)
    streamed, _ = decode_stream(stream_of([text_block("x")], stop=raw))
    assert (streamed.finish_reason, streamed.raw_finish_reason) == (neutral, raw)


def test_every_sdk_stop_reason_is_mapped() -> None:
    from typing import get_args

    from anthropic.types import StopReason

    from fctest.providers.anthropic._decode import FINISH as _FINISH

    assert set(get_args(StopReason)) == set(_FINISH)


def test_non_json_and_non_message_bodies_are_protocol_errors() -> None:
    with pytest.raises(ProtocolError, match="expected a JSON body"):
        ADAPTER.parse_response(ok(b"<html>oops</html>"))
    with pytest.raises(ProtocolError, match="Message object"):
        ADAPTER.parse_response(ok({"content": "text"}))


def test_an_error_body_under_200_raises() -> None:
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    with pytest.raises(OverloadedError) as info:
        ADAPTER.parse_response(ok(body))
    assert info.value.status == 200
    assert info.value.retryable


# --- streams ---------------------------------------------------------------------------------------

MIXED_STREAM = stream_of(
    [
        (
            {"type": "thinking", "thinking": "", "signature": ""},
            [
                {"type": "thinking_delta", "thinking": "Two cities, "},
                {"type": "thinking_delta", "thinking": "two calls."},
                {"type": "signature_delta", "signature": "EqQBCgIYAhIM=="},
            ],
        ),
        text_block("I'll check ", "both."),
        tool_block("toolu_01A", "get_weather", "", '{"ci', 'ty": "Pa', 'ris"}'),
        tool_block("toolu_01B", "get_weather", '{"city": "Oslo", "unit": "c"}'),
        (
            {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}},
            [
                {"type": "input_json_delta", "partial_json": '{"query": '},
                {"type": "input_json_delta", "partial_json": '"weather"}'},
            ],
        ),
        ({"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}, []),
    ]
)


def test_stream_agrees_with_the_sdk_accumulator() -> None:
    response, _ = decode_stream(MIXED_STREAM)
    assert summary(response) == sdk_stream(MIXED_STREAM)
    assert response.tool_calls[0].arguments == {"city": "Paris"}
    assert response.opaque[0].data == {
        "type": "thinking",
        "thinking": "Two cities, two calls.",
        "signature": "EqQBCgIYAhIM==",
    }
    assert response.usage is not None
    assert (response.usage.input_tokens, response.usage.output_tokens) == (15, 42)


def test_stream_events_in_order() -> None:
    _, events = decode_stream(
        stream_of([text_block("Hi ", "there."), tool_block("toolu_1", "f", '{"a"', ": 1}")])
    )
    assert events == [
        TextDelta("Hi "),
        TextDelta("there."),
        ToolCallStarted(0, "toolu_1", "f"),
        ToolCallDelta(0, '{"a"'),
        ToolCallDelta(0, ": 1}"),
        ToolCallFinished(0, ToolCall("toolu_1", "f", {"a": 1}, '{"a": 1}')),
        Finished("tool_calls", "tool_use", events[-1].usage),
    ]


def test_placeholder_input_is_replaced_not_merged() -> None:
    raw = stream_of(
        [tool_block("toolu_1", "f", '{"city": ', '"Paris"}', placeholder={"stale": True})]
    )
    response, _ = decode_stream(raw)
    assert response.tool_calls[0].arguments == {"city": "Paris"}
    assert summary(response) == sdk_stream(raw)


def test_placeholder_stands_when_no_fragment_came() -> None:
    for placeholder, fragments in (({}, ()), ({}, ("",)), ({"x": 1}, ())):
        raw = stream_of([tool_block("toolu_1", "f", *fragments, placeholder=placeholder)])
        response, _ = decode_stream(raw)
        assert response.tool_calls[0].arguments == placeholder
        assert summary(response) == sdk_stream(raw)


def test_parallel_calls_keep_their_fragments_apart() -> None:
    raw = stream_of([tool_block("a", "f", '{"n": ', "1}"), tool_block("b", "f", '{"n": ', "2}")])
    response, _ = decode_stream(raw)
    assert [c.arguments for c in response.tool_calls] == [{"n": 1}, {"n": 2}]
    assert [c.id for c in response.tool_calls] == ["a", "b"]


def test_truncated_call_is_length_with_the_raw_text_kept() -> None:
    raw = stream_of([tool_block("a", "f", '{"text": "a long sto')], stop="max_tokens")
    response, _ = decode_stream(raw)
    assert response.finish_reason == "length"
    call = response.tool_calls[0]
    assert call.malformed
    assert call.raw_arguments == '{"text": "a long sto'
    assert call.arguments == {}


def test_ping_is_skipped() -> None:
    with_ping = stream_of([text_block("x")], ping=True)
    without = stream_of([text_block("x")], ping=False)
    assert decode_stream(with_ping) == decode_stream(without)


@pytest.mark.parametrize(
    ("etype", "cls", "retryable"),
    [
        ("overloaded_error", OverloadedError, True),
        ("api_error", ServerError, True),
        ("rate_limit_error", RateLimitError, True),
        ("invalid_request_error", BadRequestError, False),
        ("some_future_error", ProviderError, False),
    ],
)
def test_error_event_raises_the_right_error(
    etype: str, cls: type[ProviderError], retryable: bool
) -> None:
    raw = stream_of([text_block("Hel")], end=False) + sse(
        (
            "error",
            {
                "type": "error",
                "error": {"type": etype, "message": "Overloaded"},
                "request_id": "req_9",
            },
        )
    )
    decoder = ADAPTER.stream_decoder()
    with pytest.raises(ProviderError) as info:
        decoder.feed(raw)
    assert type(info.value) is cls
    assert info.value.status == 200
    assert info.value.retryable is retryable
    assert info.value.code == etype
    assert "req_9" in str(info.value)
    with pytest.raises(SDKStreamError):
        sdk_stream(raw)


def test_a_cut_stream_is_a_protocol_error() -> None:
    decoder = ADAPTER.stream_decoder()
    decoder.feed(stream_of([text_block("Hel")], end=False))
    with pytest.raises(ProtocolError, match="ended before"):
        decoder.close()


def test_stream_without_a_final_newline_still_finishes() -> None:
    raw = stream_of([text_block("x")], stop="end_turn").rstrip(b"\n")
    response, _ = decode_stream(raw)
    assert response.text == "x"
    assert response.finish_reason == "stop"


@settings(max_examples=60)
@given(st.lists(st.integers(min_value=0, max_value=len(MIXED_STREAM)), max_size=40))
def test_property_any_split_of_the_bytes_decodes_the_same(cuts: list[int]) -> None:
    whole = ADAPTER.stream_decoder()
    whole.feed(MIXED_STREAM)
    expected = whole.close()
    decoder = ADAPTER.stream_decoder()
    events = []
    bounds = [0, *sorted(cuts), len(MIXED_STREAM)]
    for a, b in itertools.pairwise(bounds):
        events += decoder.feed(MIXED_STREAM[a:b])
    assert decoder.close() == expected


def test_stream_split_at_every_byte_decodes_the_same() -> None:
    expected, _ = decode_stream(MIXED_STREAM)
    decoder = ADAPTER.stream_decoder()
    for i in range(len(MIXED_STREAM)):
        decoder.feed(MIXED_STREAM[i : i + 1])
    assert decoder.close() == expected


# --- errors ----------------------------------------------------------------------------------------


def _error(
    status: int, etype: str | None, message: str = "boom", headers: dict[str, str] | None = None
) -> ProviderError:
    body: bytes
    if etype is None:
        body = message.encode()
    else:
        body = json.dumps(
            {"type": "error", "error": {"type": etype, "message": message}, "request_id": "req_1"}
        ).encode()
    return ADAPTER.parse_error(HttpResponse(status, headers or {}, body))


@pytest.mark.parametrize(
    ("status", "etype", "message", "cls", "retryable"),
    [
        (529, "overloaded_error", "Overloaded", OverloadedError, True),
        (503, "overloaded_error", "Overloaded", OverloadedError, True),
        (500, "api_error", "Internal server error", ServerError, True),
        (504, "timeout_error", "Request timeout", ServerError, True),
        (
            429,
            "rate_limit_error",
            "Number of requests has exceeded your rate limit",
            RateLimitError,
            True,
        ),
        (401, "authentication_error", "invalid x-api-key", AuthenticationError, False),
        (403, "permission_error", "not allowed", PermissionDeniedError, False),
        (404, "not_found_error", "model: claude-sonet-4-5", NotFoundError, False),
        (
            400,
            "invalid_request_error",
            "prompt is too long: 208656 tokens > 200000 maximum",
            ContextLengthError,
            False,
        ),
        (
            400,
            "invalid_request_error",
            "input length and `max_tokens` exceed context limit: 199759 + 8192 > 200000, decrease input length or `max_tokens` and try again",
            ContextLengthError,
            False,
        ),
        (
            400,
            "invalid_request_error",
            "messages.1: tool_use ids were found without tool_result blocks",
            BadRequestError,
            False,
        ),
        (
            413,
            "request_too_large",
            "Request exceeds the maximum allowed number of bytes.",
            BadRequestError,
            False,
        ),
        (402, "billing_error", "Your credit balance is too low", ProviderError, False),
        (409, "conflict_error", "conflict", ProviderError, True),
    ],
)
def test_error_bodies(
    status: int, etype: str, message: str, cls: type[ProviderError], retryable: bool
) -> None:
    error = _error(status, etype, message)
    assert type(error) is cls
    assert error.status == status
    assert error.retryable is retryable
    assert error.code == etype
    assert message in str(error)
    assert "req_1" in str(error)


def test_classes_agree_with_the_sdk() -> None:
    pairs = {
        400: (anthropic.BadRequestError, BadRequestError),
        401: (anthropic.AuthenticationError, AuthenticationError),
        403: (anthropic.PermissionDeniedError, PermissionDeniedError),
        404: (anthropic.NotFoundError, NotFoundError),
        429: (anthropic.RateLimitError, RateLimitError),
        500: (anthropic.InternalServerError, ServerError),
        529: (anthropic.OverloadedError, OverloadedError),
    }
    for status, (sdk_cls, ours) in pairs.items():
        request = httpx2.Request("POST", "https://api.anthropic.com/v1/messages")
        sdk = make_status_error("x", body=None, response=httpx2.Response(status, request=request))
        assert isinstance(sdk, sdk_cls)
        assert isinstance(_error(status, "api_error" if status >= 500 else "x_error"), ours)


def test_non_json_error_page() -> None:
    error = _error(413, None, "<html><body>413 Request Entity Too Large</body></html>")
    assert type(error) is BadRequestError
    assert "413 Request Entity Too Large" in str(error)


def test_retry_after_header() -> None:
    error = _error(429, "rate_limit_error", headers={"retry-after": "7"})
    assert error.retry_after == 7


def test_rfc3339_rate_limit_reset_headers() -> None:
    reset = (datetime.now(timezone.utc) + timedelta(seconds=30)).isoformat().replace("+00:00", "Z")
    error = _error(429, "rate_limit_error", headers={"anthropic-ratelimit-tokens-reset": reset})
    assert error.retry_after is not None
    assert 25 <= error.retry_after <= 30


def test_x_should_retry_overrides_the_status_rule() -> None:
    assert _error(500, "api_error", headers={"x-should-retry": "false"}).retryable is False
    assert (
        _error(400, "invalid_request_error", headers={"x-should-retry": "true"}).retryable is True
    )


def test_headers_are_redacted_on_errors() -> None:
    error = _error(
        401, "authentication_error", headers={"x-api-key": "sk-secret", "request-id": "req_h"}
    )
    assert error.headers["x-api-key"] == "<redacted>"
