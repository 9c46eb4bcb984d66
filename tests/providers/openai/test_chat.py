"""The OpenAI Chat Completions adapter: exact request bodies, responses, streams and errors.

The rules tested are those of docs/dialects.md for ``openai``. Every request body
is validated against openai-python's ``CompletionCreateParams`` TypedDicts (unknown keys
reported), and every response/stream is decoded by the official SDK as well and compared.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openai.types.chat.completion_create_params import (
    CompletionCreateParamsNonStreaming,
    CompletionCreateParamsStreaming,
)

from fctest import (
    Finished,
    HttpResponse,
    Message,
    OutputSchema,
    Request,
    TextDelta,
    Tool,
    ToolCall,
    ToolCallDelta,
    ToolCallFinished,
    ToolCallStarted,
    ToolResult,
    Usage,
    get_adapter,
)
from fctest.errors import (
    AuthenticationError,
    BadRequestError,
    ContextLengthError,
    IncompatibleToolError,
    ModelOutputError,
    NotFoundError,
    OverloadedError,
    ProtocolError,
    ProviderError,
    RateLimitError,
    ServerError,
    UsageError,
)
from fctest.providers import Config
from fctest.providers.openai import OpenAIAdapter
from oracles import typeddict_problems

from ._oracle import sdk_parse, sdk_stream, summary

ADAPTER = OpenAIAdapter()
CONFIG = Config(api_key="sk-test")

WEATHER = Tool(
    "get_weather",
    "Weather for a city",
    {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
        "required": ["city"],
    },
)
WEATHER_STRICT = Tool(WEATHER.name, WEATHER.description, WEATHER.parameters, strict=True)
TIME = Tool("get_time", "", {"type": "object", "properties": {}})


def body_of(request: Request, adapter: Any = ADAPTER, config: Config = CONFIG) -> dict[str, Any]:
    """The JSON body sent, checked against the SDK's request type first."""
    http = adapter.build_request(request, config)
    body = json.loads(http.body)
    tp = CompletionCreateParamsStreaming if request.stream else CompletionCreateParamsNonStreaming
    assert typeddict_problems(body, tp) == []
    return body


def req(*messages: Message, **kw: Any) -> Request:
    return Request(model="gpt-4o", messages=messages or (Message.user("hi"),), **kw)


def completion(
    message: dict[str, Any],
    finish: str | None = "stop",
    model: str = "gpt-4o-2024-08-06",
    **extra: Any,
) -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": model,
            "choices": [
                {"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}
            ],
            **extra,
        }
    ).encode()


def sse(*chunks: Any, done: bool = True) -> bytes:
    out = b"".join(
        b"data: " + (c if isinstance(c, bytes) else json.dumps(c).encode()) + b"\n\n"
        for c in chunks
    )
    return out + (b"data: [DONE]\n\n" if done else b"")


def chunk(delta: dict[str, Any] | None = None, finish: str | None = None, **extra: Any) -> Any:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o",
        "choices": choices,
        **extra,
    }


def decode_stream(body: bytes, request: Request | None = None, adapter: Any = ADAPTER) -> Any:
    decoder = adapter.stream_decoder(request)
    events = decoder.feed(body)
    return decoder.close(), events


# --- requests: exact bodies -------------------------------------------------------------------


def test_request_url_headers_and_exact_body() -> None:
    http = ADAPTER.build_request(req(tools=(WEATHER,)), CONFIG)
    assert http.method == "POST"
    assert http.url == "https://api.openai.com/v1/chat/completions"
    assert http.headers == {"Content-Type": "application/json", "Authorization": "Bearer sk-test"}
    assert http.json() == {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "hi"}],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Weather for a city",
                    "parameters": WEATHER.parameters,
                    "strict": False,
                },
            }
        ],
    }
    assert typeddict_problems(http.json(), CompletionCreateParamsNonStreaming) == []


def test_request_is_byte_stable_and_compact() -> None:
    a = ADAPTER.build_request(req(tools=(WEATHER_STRICT,)), CONFIG).body
    b = ADAPTER.build_request(req(tools=(WEATHER_STRICT,)), CONFIG).body
    assert a == b
    assert b", " not in a
    assert b'": ' not in a


def test_base_url_and_extra_headers_from_config() -> None:
    config = Config(api_key="k", base_url="http://127.0.0.1:8080/v1/", headers={"X-A": "1"})
    http = ADAPTER.build_request(req(), config)
    assert http.url == "http://127.0.0.1:8080/v1/chat/completions"
    assert http.headers["X-A"] == "1"


def test_no_key_sends_no_authorization_header() -> None:
    http = ADAPTER.build_request(req(), Config(base_url="http://localhost:8080/v1"))
    assert "Authorization" not in http.headers


def test_all_request_fields_exact_body() -> None:
    body = body_of(
        req(
            Message.system("be brief"),
            Message.user("hi"),
            temperature=0.2,
            max_output_tokens=50,
            stream=True,
        )
    )
    assert body == {
        "model": "gpt-4o",
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "hi"},
        ],
        "temperature": 0.2,
        "max_completion_tokens": 50,
        "stream": True,
        "stream_options": {"include_usage": True},
    }


def test_extra_body_is_merged_last() -> None:
    request = req(
        tools=(WEATHER,), tool_choice="auto", extra_body={"seed": 7, "tool_choice": "none"}
    )
    body = body_of(request)
    assert body["seed"] == 7
    assert body["tool_choice"] == "none"
    assert list(body)[-1] == "seed"


def test_thinking_budget_is_refused_not_faked() -> None:
    with pytest.raises(UsageError, match="reasoning_effort"):
        ADAPTER.build_request(req(thinking_budget=1000), CONFIG)


def test_parameterless_tool_sends_empty_object_schema_and_no_empty_description() -> None:
    body = body_of(req(tools=(TIME,)))
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_time",
                "parameters": {"type": "object", "properties": {}},
                "strict": False,
            },
        }
    ]


def test_strict_is_always_sent_explicitly() -> None:
    loose = Tool("a", "", {"type": "object", "properties": {}}, strict=False)
    unmarked = Tool("b", "", {"type": "object", "properties": {}})
    body = body_of(req(tools=(loose, unmarked)))
    assert [t["function"]["strict"] for t in body["tools"]] == [False, False]


def test_strict_completeness_all_required_optional_nullable_closed() -> None:
    nested = Tool(
        "book",
        "",
        {
            "type": "object",
            "properties": {
                "guest": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                    "required": ["name"],
                },
                "note": {"type": "string"},
            },
            "required": ["guest"],
        },
        strict=True,
    )
    body = body_of(req(tools=(nested,)))
    assert body["tools"][0]["function"] == {
        "name": "book",
        "parameters": {
            "type": "object",
            "properties": {
                "guest": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "age": {"type": ["integer", "null"]},
                    },
                    "required": ["name", "age"],
                    "additionalProperties": False,
                },
                "note": {"type": ["string", "null"]},
            },
            "required": ["guest", "note"],
            "additionalProperties": False,
        },
        "strict": True,
    }
    # the user's tool is untouched
    assert "additionalProperties" not in nested.parameters


def test_strict_null_for_an_omitted_optional_is_mapped_back() -> None:
    request = req(tools=(WEATHER_STRICT,))
    raw = '{"city":"Paris","unit":null}'
    body = completion(
        {"content": None, "tool_calls": [_wire_call("call_1", "get_weather", raw)]}, "tool_calls"
    )
    call = ADAPTER.parse_response(HttpResponse(200, {}, body), request).tool_calls[0]
    assert call.arguments == {"city": "Paris"}
    assert call.raw_arguments == raw
    stream = sse(
        chunk({"tool_calls": [_delta(0, "call_1", "get_weather", raw)]}), chunk({}, "tool_calls")
    )
    assert decode_stream(stream, request)[0].tool_calls[0].arguments == {"city": "Paris"}
    # without the request the wire value is kept
    assert ADAPTER.parse_response(HttpResponse(200, {}, body)).tool_calls[0].arguments == {
        "city": "Paris",
        "unit": None,
    }


def test_oneof_rewritten_to_anyof_and_allof_merged_under_strict() -> None:
    tool = Tool(
        "pick",
        "",
        {
            "type": "object",
            "properties": {
                "v": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                "w": {"allOf": [{"type": "string", "format": "uri"}]},
            },
            "required": ["v", "w"],
        },
        strict=True,
    )
    params = body_of(req(tools=(tool,)))["tools"][0]["function"]["parameters"]
    assert params["properties"]["v"] == {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    # format "uri" is not on strict mode's list, so it is dropped
    # (docs/dialects.md#strict-openai-formats)
    assert params["properties"]["w"] == {"type": "string"}


def test_allof_with_several_branches_is_rejected_under_strict() -> None:
    tool = Tool(
        "pick",
        "",
        {"type": "object", "properties": {"v": {"allOf": [{"type": "string"}, {"minLength": 1}]}}},
        strict=True,
    )
    with pytest.raises(IncompatibleToolError, match="allOf"):
        ADAPTER.build_request(req(tools=(tool,)), CONFIG)


def test_non_strict_schema_is_sent_unchanged() -> None:
    schema = {
        "type": "object",
        "properties": {"v": {"oneOf": [{"type": "string"}], "minLength": 2, "default": "x"}},
    }
    tool = Tool("t", "", schema)
    assert body_of(req(tools=(tool,)))["tools"][0]["function"]["parameters"] == schema


def test_dotted_name_is_renamed_and_mapped_back() -> None:
    dotted = Tool("get.weather", "", {"type": "object", "properties": {}})
    request = req(tools=(dotted,), tool_choice="get.weather")
    body = body_of(request)
    wire = body["tools"][0]["function"]["name"]
    assert wire == "get_weather"
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    answer = completion({"tool_calls": [_wire_call("c1", wire, "{}")]}, "tool_calls")
    assert ADAPTER.parse_response(HttpResponse(200, {}, answer), request).tool_calls[0].name == (
        "get.weather"
    )
    # a replayed call goes back under the wire name
    history = req(
        Message.user("x"),
        Message.assistant(tool_calls=[ToolCall("c1", "get.weather", {})]),
        Message.tool(ToolResult("c1", "get.weather", "ok")),
        tools=(dotted,),
    )
    assert body_of(history)["messages"][1]["tool_calls"][0]["function"]["name"] == "get_weather"


def test_slash_and_colon_names_renamed_deterministically_and_collision_free() -> None:
    empty = {"type": "object", "properties": {}}
    tools = (
        Tool("server/tool", "", empty),
        Tool("server_tool", "", empty),
        Tool("ns:tool", "", empty),
    )
    names = [t["function"]["name"] for t in body_of(req(tools=tools))["tools"]]
    assert names[1] == "server_tool"  # a valid name is never the one that moves
    assert len(set(names)) == 3
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", n) for n in names)
    assert [t["function"]["name"] for t in body_of(req(tools=tools))["tools"]] == names


def test_leading_digit_is_valid_on_openai() -> None:
    tool = Tool("1lookup", "", {"type": "object", "properties": {}})
    assert body_of(req(tools=(tool,)))["tools"][0]["function"]["name"] == "1lookup"


def test_long_name_is_cut_and_hashed() -> None:
    long = Tool("x" * 80, "", {"type": "object", "properties": {}})
    name = body_of(req(tools=(long,)))["tools"][0]["function"]["name"]
    assert len(name) <= 64
    assert name != long.name


def test_strict_tool_forces_parallel_tool_calls_false() -> None:
    assert body_of(req(tools=(WEATHER_STRICT,)))["parallel_tool_calls"] is False
    assert (
        body_of(req(tools=(WEATHER_STRICT, TIME), parallel_tool_calls=False))["parallel_tool_calls"]
        is False
    )


def test_strict_plus_parallel_true_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="parallel_tool_calls"):
        ADAPTER.build_request(req(tools=(WEATHER_STRICT,), parallel_tool_calls=True), CONFIG)


def test_parallel_tool_calls_omitted_without_tools() -> None:
    assert "parallel_tool_calls" not in body_of(req(parallel_tool_calls=False))
    assert "parallel_tool_calls" not in body_of(req(parallel_tool_calls=True))
    assert "parallel_tool_calls" not in body_of(req(tools=(WEATHER,)))


def test_parallel_tool_calls_sent_as_asked_with_tools() -> None:
    assert body_of(req(tools=(WEATHER,), parallel_tool_calls=False))["parallel_tool_calls"] is False
    assert body_of(req(tools=(WEATHER,), parallel_tool_calls=True))["parallel_tool_calls"] is True


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        ("get_weather", {"type": "function", "function": {"name": "get_weather"}}),
    ],
)
def test_tool_choice_shapes(choice: str, wire: Any) -> None:
    assert body_of(req(tools=(WEATHER, TIME), tool_choice=choice))["tool_choice"] == wire


def test_tool_choice_none_with_tool_history_is_sent() -> None:
    history = req(
        Message.user("x"),
        Message.assistant(tool_calls=[ToolCall("c1", "get_weather", {"city": "P"})]),
        Message.tool(ToolResult("c1", "get_weather", "sunny")),
        tools=(WEATHER,),
        tool_choice="none",
    )
    body = body_of(history)
    assert body["tool_choice"] == "none"
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "tool"]


def test_tool_choice_without_tools_is_left_out() -> None:
    assert "tool_choice" not in body_of(req(tool_choice="auto"))


def test_history_one_tool_message_per_result_with_ids_and_text_content() -> None:
    calls = [
        ToolCall("call_a", "get_weather", {"city": "Paris"}, '{"city": "Paris"}'),
        ToolCall("call_b", "get_time", {}),
    ]
    body = body_of(
        req(
            Message.user("weather and time?"),
            Message.assistant("Checking.", calls),
            Message.tool(
                ToolResult("call_a", "get_weather", {"temp": 21, "sky": "clear"}),
                ToolResult("call_b", "get_time", "boom", is_error=True),
            ),
            tools=(WEATHER, TIME),
        )
    )
    assert body["messages"] == [
        {"role": "user", "content": "weather and time?"},
        {
            "role": "assistant",
            "content": "Checking.",
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    # the model's own text is replayed unchanged
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                },
                {
                    "id": "call_b",
                    "type": "function",
                    "function": {"name": "get_time", "arguments": "{}"},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_a", "content": '{"temp": 21, "sky": "clear"}'},
        {"role": "tool", "tool_call_id": "call_b", "content": "Error: boom"},
    ]


def test_ids_too_long_for_openai_are_remapped_in_call_and_result_alike() -> None:
    long_id = "fc_0f0e50a1476a6c35006912c58dc9f8819192c25864eb16f07f"  # 53 chars, Responses item
    body = body_of(
        req(
            Message.user("x"),
            Message.assistant(
                tool_calls=[ToolCall(long_id, "get_time", {}), ToolCall("", "get_time", {})]
            ),
            Message.tool(ToolResult(long_id, "get_time", "1"), ToolResult("", "get_time", "2")),
            Message.assistant(tool_calls=[ToolCall("call_ok", "get_time", {})]),
            Message.tool(ToolResult("call_ok", "get_time", "3")),
            tools=(TIME,),
        )
    )
    first, second = body["messages"][1]["tool_calls"]
    assert 0 < len(first["id"]) <= 40
    assert 0 < len(second["id"]) <= 40
    assert first["id"] != second["id"]
    assert [m["tool_call_id"] for m in body["messages"][2:4]] == [first["id"], second["id"]]
    # ids that already fit are sent unchanged
    assert body["messages"][4]["tool_calls"][0]["id"] == "call_ok"
    assert body["messages"][5]["tool_call_id"] == "call_ok"
    # the same history always gives the same ids, whatever else is in it
    again = body_of(req(*_msgs(long_id), tools=(TIME,)))
    assert again["messages"][1]["tool_calls"][0]["id"] == first["id"]


def _msgs(call_id: str) -> list[Message]:
    return [
        Message.user("x"),
        Message.assistant(tool_calls=[ToolCall(call_id, "get_time", {})]),
        Message.tool(ToolResult(call_id, "get_time", "1")),
    ]


def test_every_call_answered_is_checked_before_sending() -> None:
    with pytest.raises(UsageError, match="not answered"):
        req(
            Message.user("x"),
            Message.assistant(tool_calls=[ToolCall("a", "t", {}), ToolCall("b", "t", {})]),
            Message.tool(ToolResult("a", "t", "ok")),
        )


def test_assistant_turn_without_text_or_calls_is_empty_text() -> None:
    body = body_of(req(Message.user("a"), Message.assistant(), Message.user("b")))
    assert body["messages"][1] == {"role": "assistant", "content": ""}


def test_structured_output_response_format_strict_fitted() -> None:
    output = OutputSchema(
        "City",
        {
            "type": "object",
            "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
            "required": ["city"],
        },
        description="A city",
    )
    body = body_of(req(output=output))
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": "City",
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
            "description": "A city",
        },
    }
    loose = OutputSchema("City", {"type": "object", "properties": {}}, strict=False)
    assert body_of(req(output=loose))["response_format"]["json_schema"] == {
        "name": "City",
        "schema": {"type": "object", "properties": {}},
        "strict": False,
    }


# --- responses --------------------------------------------------------------------------------


def _wire_call(id: str, name: str, arguments: str) -> dict[str, Any]:
    return {"id": id, "type": "function", "function": {"name": name, "arguments": arguments}}


def test_parse_text_response_matches_sdk() -> None:
    body = completion(
        {"content": "Hello"},
        usage={"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
    )
    r = ADAPTER.parse_response(HttpResponse(200, {}, body))
    assert (r.text, r.finish_reason, r.id, r.model) == (
        "Hello",
        "stop",
        "chatcmpl-1",
        "gpt-4o-2024-08-06",
    )
    assert r.usage == Usage(5, 2)
    assert r.provider == "openai"
    assert summary(r) == sdk_parse(body)


def test_parallel_calls_arguments_parsed_and_match_sdk() -> None:
    body = completion(
        {
            "content": None,
            "tool_calls": [
                _wire_call("call_1", "get_weather", '{"city":"Paris","n":[1,2.5,true,null]}'),
                _wire_call("call_2", "get_time", ""),
            ],
        },
        "tool_calls",
    )
    r = ADAPTER.parse_response(HttpResponse(200, {}, body))
    assert r.text is None
    assert r.finish_reason == "tool_calls"
    assert r.tool_calls == (
        ToolCall(
            "call_1",
            "get_weather",
            {"city": "Paris", "n": [1, 2.5, True, None]},
            '{"city":"Paris","n":[1,2.5,true,null]}',
        ),
        ToolCall("call_2", "get_time", {}, ""),
    )
    assert summary(r) == sdk_parse(body)


@pytest.mark.parametrize("raw", ['{"city": "Par', "[1, 2]", "null", "not json"])
def test_invalid_arguments_keep_raw_text_and_are_malformed(raw: str) -> None:
    body = completion({"tool_calls": [_wire_call("c", "get_weather", raw)]}, "tool_calls")
    call = ADAPTER.parse_response(HttpResponse(200, {}, body)).tool_calls[0]
    assert call.malformed is True
    assert call.raw_arguments == raw
    assert call.arguments == {}
    assert summary(ADAPTER.parse_response(HttpResponse(200, {}, body))) == sdk_parse(body)


@pytest.mark.parametrize(
    ("raw", "has_calls", "neutral"),
    [
        ("stop", False, "stop"),
        ("length", False, "length"),
        ("tool_calls", True, "tool_calls"),
        ("function_call", True, "tool_calls"),
        ("content_filter", False, "content_filter"),
        ("error", False, "other"),
        ("something_new", False, "other"),
        # some compatible servers say "stop" although the model called a tool
        ("stop", True, "tool_calls"),
        (None, True, "tool_calls"),
        (None, False, "stop"),
    ],
)
def test_finish_reasons(raw: str | None, has_calls: bool, neutral: str) -> None:
    message: dict[str, Any] = {"content": None if has_calls else "x"}
    if has_calls:
        message["tool_calls"] = [_wire_call("c", "get_time", "{}")]
    r = ADAPTER.parse_response(HttpResponse(200, {}, completion(message, raw)))
    assert (r.finish_reason, r.raw_finish_reason) == (neutral, raw)


def test_length_with_cut_arguments_is_malformed_not_crashing() -> None:
    body = completion({"tool_calls": [_wire_call("c", "get_weather", '{"city": "Pa')]}, "length")
    r = ADAPTER.parse_response(HttpResponse(200, {}, body))
    assert r.finish_reason == "length"
    assert r.tool_calls[0].malformed


def test_legacy_function_call_message_is_a_tool_call() -> None:
    body = completion({"function_call": {"name": "get_time", "arguments": "{}"}}, "function_call")
    r = ADAPTER.parse_response(HttpResponse(200, {}, body))
    assert [(c.name, c.arguments) for c in r.tool_calls] == [("get_time", {})]
    assert r.finish_reason == "tool_calls"


def test_content_given_as_parts_is_joined() -> None:
    body = completion({"content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]})
    assert ADAPTER.parse_response(HttpResponse(200, {}, body)).text == "ab"


def test_empty_data_lines_are_keep_alives() -> None:
    r, _ = decode_stream(b"data: \n\n" + sse(chunk({"content": "ok"}), chunk({}, "stop")))
    assert r.text == "ok"


def test_refusal_is_the_text_when_there_is_no_content() -> None:
    body = completion({"content": None, "refusal": "I can't help with that."})
    r = ADAPTER.parse_response(HttpResponse(200, {}, body))
    assert r.text == "I can't help with that."
    assert summary(r) == sdk_parse(body)


def test_odd_but_real_bytes_do_not_crash() -> None:
    # Azure content filter: a choice without a message; unknown fields everywhere
    body = json.dumps(
        {
            "id": "x",
            "model": "m",
            "prompt_filter_results": [{"prompt_index": 0}],
            "choices": [{"index": 0, "finish_reason": "content_filter", "new": 1}],
        }
    ).encode()
    r = ADAPTER.parse_response(HttpResponse(200, {}, body))
    assert (r.text, r.tool_calls, r.finish_reason) == (None, (), "content_filter")
    empty = ADAPTER.parse_response(HttpResponse(200, {}, b'{"choices": []}'))
    assert (empty.text, empty.tool_calls, empty.finish_reason) == (None, (), "stop")
    no_id = completion({"tool_calls": [{"function": {"name": "t", "arguments": "{}"}}]})
    assert ADAPTER.parse_response(HttpResponse(200, {}, no_id)).tool_calls[0].id == "call_0"


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"[1, 2]", b""])
def test_non_json_success_body_is_a_protocol_error(body: bytes) -> None:
    with pytest.raises(ProtocolError):
        ADAPTER.parse_response(HttpResponse(200, {}, body))


# --- streams ----------------------------------------------------------------------------------


def _delta(index: int, id: str | None, name: str | None, arguments: str) -> dict[str, Any]:
    tc: dict[str, Any] = {"index": index}
    function: dict[str, Any] = {"arguments": arguments}
    if id is not None:
        tc["id"] = id
        tc["type"] = "function"
    if name is not None:
        function["name"] = name
    tc["function"] = function
    return tc


FRAGMENTED = sse(
    chunk({"role": "assistant", "content": None}),
    chunk({"tool_calls": [_delta(0, "call_a", "get_weather", "")]}),
    chunk({"tool_calls": [_delta(0, None, None, '{"ci')]}),
    chunk({"tool_calls": [_delta(0, None, None, 'ty": "Paris"}')]}),
    chunk({"tool_calls": [_delta(1, "call_b", "get_weather", "")]}),
    chunk({"tool_calls": [_delta(1, None, None, '{"city": "Rome"}')]}),
    chunk({}, "tool_calls"),
    chunk(None, usage={"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}),
)


def test_fragments_joined_by_index_id_and_name_from_first_only() -> None:
    r, events = decode_stream(FRAGMENTED)
    assert [(c.id, c.name, c.arguments) for c in r.tool_calls] == [
        ("call_a", "get_weather", {"city": "Paris"}),
        ("call_b", "get_weather", {"city": "Rome"}),
    ]
    assert (r.finish_reason, r.usage, r.id, r.model) == (
        "tool_calls",
        Usage(9, 4),
        "chatcmpl-1",
        "gpt-4o",
    )
    assert summary(r) == sdk_stream(FRAGMENTED)
    assert events[:4] == [
        ToolCallStarted(0, "call_a", "get_weather"),
        ToolCallDelta(0, '{"ci'),
        ToolCallDelta(0, 'ty": "Paris"}'),
        ToolCallStarted(1, "call_b", "get_weather"),
    ]
    assert isinstance(events[-1], ToolCallFinished)
    assert events[-1].index == 1


def test_interleaved_parallel_calls_never_merge() -> None:
    body = sse(
        chunk({"tool_calls": [_delta(0, "a", "get_weather", '{"city":')]}),
        chunk({"tool_calls": [_delta(1, "b", "get_time", "{")]}),
        chunk({"tool_calls": [_delta(0, None, None, '"X"}'), _delta(1, None, None, "}")]}),
        chunk({}, "tool_calls"),
    )
    r, _ = decode_stream(body)
    assert [(c.id, c.name, c.arguments) for c in r.tool_calls] == [
        ("a", "get_weather", {"city": "X"}),
        ("b", "get_time", {}),
    ]
    assert summary(r) == sdk_stream(body)


def test_whole_calls_in_one_chunk() -> None:
    body = sse(
        chunk(
            {
                "tool_calls": [
                    _delta(0, "x1", "get_weather", '{"city": "Oslo"}'),
                    _delta(1, "x2", "get_time", "{}"),
                ]
            }
        ),
        chunk({}, "tool_calls"),
    )
    r, events = decode_stream(body)
    assert [(c.id, c.arguments) for c in r.tool_calls] == [("x1", {"city": "Oslo"}), ("x2", {})]
    assert summary(r) == sdk_stream(body)
    assert sum(isinstance(e, ToolCallFinished) for e in events) == 2


def test_zero_argument_call_yields_empty_dict() -> None:
    body = sse(chunk({"tool_calls": [_delta(0, "z", "get_time", "")]}), chunk({}, "tool_calls"))
    call = decode_stream(body)[0].tool_calls[0]
    assert call.arguments == {}
    assert not call.malformed


def test_chunks_without_index_are_keyed_by_id() -> None:
    body = sse(
        chunk({"tool_calls": [{"id": "m1", "function": {"name": "a", "arguments": "{}"}}]}),
        chunk({"tool_calls": [{"id": "m2", "function": {"name": "b", "arguments": "{}"}}]}),
        chunk({}, "tool_calls"),
    )
    assert [c.id for c in decode_stream(body)[0].tool_calls] == ["m1", "m2"]


def test_repeated_id_and_name_in_later_fragments_are_not_concatenated() -> None:
    body = sse(
        chunk({"tool_calls": [_delta(0, "a", "get_time", "{")]}),
        chunk({"tool_calls": [_delta(0, "a", "get_time", "}")]}),
        chunk({}, "tool_calls"),
    )
    call = decode_stream(body)[0].tool_calls[0]
    assert (call.id, call.name, call.arguments) == ("a", "get_time", {})


def test_stream_text_events_and_finished() -> None:
    body = sse(
        chunk({"role": "assistant", "content": "Hel"}), chunk({"content": "lo"}), chunk({}, "stop")
    )
    decoder = ADAPTER.stream_decoder()
    events = decoder.feed(body)
    assert events == [TextDelta("Hel"), TextDelta("lo")]
    r = decoder.close()
    assert (r.text, r.finish_reason) == ("Hello", "stop")
    assert summary(r) == sdk_stream(body)


def test_comments_skipped_and_done_ends_the_stream() -> None:
    body = (
        b": OPENROUTER PROCESSING\n\n"
        + sse(chunk({"content": "ok"}), chunk({}, "stop"))
        + b"data: this is not json and is ignored after DONE\n\n"
    )
    r, _ = decode_stream(body)
    assert r.text == "ok"


def test_in_band_error_chunk_raises_typed_error() -> None:
    body = sse(
        chunk({"content": "x"}),
        {"error": {"message": "Internal error", "type": "server_error", "code": None}},
    )
    with pytest.raises(ServerError) as info:
        decode_stream(body)
    assert info.value.status == 200
    assert info.value.retryable


def test_error_event_raises_typed_error() -> None:
    body = (
        b'event: error\ndata: {"error":{"message":"slow down","type":"rate_limit_exceeded",'
        b'"code":"rate_limit_exceeded"}}\n\n'
    )
    with pytest.raises(RateLimitError):
        decode_stream(body)


def test_stream_cut_short_is_a_protocol_error() -> None:
    body = sse(chunk({"tool_calls": [_delta(0, "a", "t", '{"x": ')]}), done=False)
    decoder = ADAPTER.stream_decoder()
    decoder.feed(body)
    with pytest.raises(ProtocolError, match="ended before"):
        decoder.close()


def test_stream_done_without_finish_reason_still_completes() -> None:
    r, _ = decode_stream(sse(chunk({"tool_calls": [_delta(0, "a", "t", "{}")]})))
    assert r.finish_reason == "tool_calls"


def test_stream_non_json_event_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        decode_stream(b"data: {nope\n\n")


def _split(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(body) + 1) for c in cuts})
    pieces, last = [], 0
    for p in points:
        pieces.append(body[last:p])
        last = p
    pieces.append(body[last:])
    return pieces


def _feed_all(pieces: list[bytes], request: Request | None = None) -> Any:
    decoder = ADAPTER.stream_decoder(request)
    events: list[Any] = []
    for piece in pieces:
        events += decoder.feed(piece)
    return decoder.close(), events


_args = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12)),
    max_size=4,
)
_calls = st.lists(st.tuples(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), _args), max_size=3)


@st.composite
def _stream_case(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """A response as one body and as a stream whose argument text is cut anywhere."""
    text = draw(st.one_of(st.none(), st.text(min_size=1, max_size=30)))
    calls = draw(_calls)
    wire_calls = []
    chunks: list[Any] = [chunk({"role": "assistant"})]
    if text:
        for piece in _split(text.encode(), draw(st.lists(st.integers(0, 60), max_size=3))):
            chunks.append(chunk({"content": piece.decode("utf-8", "ignore")}))
        text = "".join(c["choices"][0]["delta"]["content"] for c in chunks[1:]) or None
    for i, (name, arguments) in enumerate(calls):
        raw = json.dumps(arguments, ensure_ascii=False)
        wire_calls.append(_wire_call(f"call_{i}", name, raw))
        cuts = draw(st.lists(st.integers(0, len(raw)), max_size=4))
        points = sorted(set(cuts))
        pieces = [raw[a:b] for a, b in zip([0, *points], [*points, len(raw)], strict=False)]
        chunks.append(chunk({"tool_calls": [_delta(i, f"call_{i}", name, pieces[0])]}))
        chunks += [chunk({"tool_calls": [_delta(i, None, None, p)]}) for p in pieces[1:]]
    finish = "tool_calls" if calls else "stop"
    usage = {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}
    chunks += [chunk({}, finish), chunk(None, usage=usage)]
    message: dict[str, Any] = {"content": text}
    if wire_calls:
        message["tool_calls"] = wire_calls
    whole = completion(message, finish, model="gpt-4o", usage=usage)
    return whole, sse(*chunks)


@given(_stream_case(), st.lists(st.integers(0, 10_000), max_size=12))
def test_any_stream_split_decodes_like_the_whole_response(
    case: tuple[bytes, bytes], cuts: list[int]
) -> None:
    whole, stream = case
    expected = ADAPTER.parse_response(HttpResponse(200, {}, whole))
    got, events = _feed_all(_split(stream, cuts))
    assert got == expected
    assert _feed_all([stream])[0] == expected
    # the events tell the same story as the response
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == (expected.text or "")
    assert tuple(e.call for e in events if isinstance(e, ToolCallFinished)) == expected.tool_calls


@given(st.lists(st.integers(0, 10_000), max_size=20))
def test_recorded_style_stream_split_anywhere_is_unchanged(cuts: list[int]) -> None:
    whole = _feed_all([FRAGMENTED])[0]
    assert _feed_all(_split(FRAGMENTED, cuts))[0] == whole


def test_stream_split_at_every_byte_boundary() -> None:
    whole = _feed_all([FRAGMENTED])[0]
    for i in range(len(FRAGMENTED) + 1):
        assert _feed_all([FRAGMENTED[:i], FRAGMENTED[i:]])[0] == whole
    assert _feed_all([FRAGMENTED[i : i + 1] for i in range(len(FRAGMENTED))])[0] == whole


def test_stream_events_end_with_calls_finished_before_close() -> None:
    decoder = ADAPTER.stream_decoder()
    events = decoder.feed(FRAGMENTED)
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert [e.call.arguments for e in finished] == [{"city": "Paris"}, {"city": "Rome"}]
    assert not any(isinstance(e, Finished) for e in events)
    decoder.close()


# --- errors -----------------------------------------------------------------------------------


def _err(status: int, body: Any, headers: dict[str, str] | None = None) -> ProviderError:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = HttpResponse(status, headers or {}, raw)
    with pytest.raises(ProviderError) as info:
        ADAPTER.parse_response(response)
    assert type(ADAPTER.parse_error(response)) is type(info.value)
    return info.value


def _openai_error(message: str, type: str | None, code: Any, param: str | None = None) -> Any:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def test_openai_error_bodies_map_to_the_neutral_tree() -> None:
    e = _err(
        401,
        _openai_error(
            "Incorrect API key provided: sk-x.", "invalid_request_error", "invalid_api_key"
        ),
    )
    assert isinstance(e, AuthenticationError)
    assert not e.retryable
    assert (e.code, e.status, e.provider) == ("invalid_api_key", 401, "openai")
    assert "Incorrect API key" in str(e)
    e = _err(
        404,
        _openai_error("The model `x` does not exist", "invalid_request_error", "model_not_found"),
    )
    assert isinstance(e, NotFoundError)
    e = _err(
        400,
        _openai_error(
            "Invalid 'tools[0].function.name': string does not match pattern.",
            "invalid_request_error",
            "invalid_value",
            "tools[0].function.name",
        ),
    )
    assert isinstance(e, BadRequestError)
    assert not e.retryable
    assert "tools[0].function.name" in str(e)
    e = _err(
        400,
        _openai_error(
            "This model's maximum context length is 128000 tokens.",
            "invalid_request_error",
            "context_length_exceeded",
            "messages",
        ),
    )
    assert isinstance(e, ContextLengthError)
    assert not e.retryable
    e = _err(503, _openai_error("The engine is currently overloaded", "server_error", None))
    assert isinstance(e, OverloadedError)
    assert e.retryable
    e = _err(500, _openai_error("The server had an error", "server_error", None))
    assert isinstance(e, ServerError)
    assert e.retryable
    e = _err(409, _openai_error("conflict", "invalid_request_error", None))
    assert e.retryable


def test_rate_limit_and_retry_after_headers() -> None:
    body = _openai_error("Rate limit reached", "tokens", "rate_limit_exceeded")
    e = _err(429, body, {"retry-after-ms": "1500", "retry-after": "9"})
    assert isinstance(e, RateLimitError)
    assert e.retryable
    assert e.retry_after == 1.5
    assert _err(429, body, {"Retry-After": "7"}).retry_after == 7
    e = _err(429, body, {"x-ratelimit-reset-requests": "12ms", "x-ratelimit-reset-tokens": "6s"})
    assert e.retry_after == 6
    assert _err(429, body).retry_after is None


def test_x_should_retry_header_wins() -> None:
    body = _openai_error("nope", "server_error", None)
    assert _err(500, body, {"x-should-retry": "false"}).retryable is False
    assert _err(400, body, {"x-should-retry": "true"}).retryable is True


def test_non_json_error_body_keeps_status_class_and_text() -> None:
    e = _err(502, b"<html>Bad gateway</html>")
    assert isinstance(e, ServerError)
    assert e.retryable
    assert "Bad gateway" in str(e)
    assert e.body == "<html>Bad gateway</html>"
    assert isinstance(_err(400, b""), BadRequestError)


def test_error_headers_are_redacted() -> None:
    e = _err(401, _openai_error("bad key", None, "invalid_api_key"), {"authorization": "Bearer s"})
    assert e.headers["authorization"] == "<redacted>"


def test_model_output_error_from_tool_use_failed_code() -> None:
    e = _err(
        400,
        {
            "error": {
                "message": "Failed to call a function.",
                "type": "invalid_request_error",
                "code": "tool_use_failed",
                "failed_generation": '{"name": "x"}',
            }
        },
    )
    assert isinstance(e, ModelOutputError)
    assert not e.retryable
    assert "failed_generation" in str(e)


# --- registry and purity ----------------------------------------------------------------------


def test_registered_and_profile_sources_cover_every_changed_field() -> None:
    adapter = get_adapter("openai")
    assert isinstance(adapter, OpenAIAdapter)
    profile = adapter.profile
    for field in (
        "tool_name_pattern",
        "max_tools",
        "description_max_length",
        "strict_mode",
        "strict_default",
        "tool_choice",
        "parallel_call_control",
        "streams_arguments",
    ):
        assert field in profile.sources, field
