"""The Ollama adapter: exact /api/chat bodies, what it refuses before sending, and how it reads
bodies, NDJSON streams and errors (docs/dialects.md#ollama-tools and the ``ollama-*`` facts
after it). Every body built here also validates against ollama-python's ``ChatRequest``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fctest import (
    HttpResponse,
    Message,
    OutputSchema,
    ProviderPart,
    Request,
    Tool,
    ToolCall,
    ToolResult,
)
from fctest._events import TextDelta, ToolCallFinished
from fctest.errors import (
    AuthenticationError,
    BadRequestError,
    ContextLengthError,
    IncompatibleToolError,
    NotFoundError,
    ProtocolError,
    RateLimitError,
    ServerError,
    UsageError,
)
from fctest.providers import Config, get_adapter
from fctest.providers.ollama import PROFILE, OllamaAdapter
from fctest.providers.ollama._decode import generated_id

from ._oracle import request_problems, sdk_parse, sdk_stream, summary

ADAPTER = OllamaAdapter()
CONFIG = Config()
WEATHER = Tool(
    "get_weather",
    "Weather for a city.",
    {
        "type": "object",
        "properties": {"city": {"type": "string", "minLength": 1}},
        "required": ["city"],
    },
)
CITY = OutputSchema(
    "city",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


def body(request: Request, config: Config = CONFIG) -> dict[str, Any]:
    http = ADAPTER.build_request(request, config)
    out = json.loads(http.body)
    assert request_problems(out) == []
    return out


def req(*messages: Message, **kw: Any) -> Request:
    return Request(model="qwen3", messages=messages or (Message.user("hi"),), **kw)


def ok(data: Any) -> HttpResponse:
    return HttpResponse(200, {"content-type": "application/json"}, json.dumps(data).encode())


def test_registered_under_its_name() -> None:
    assert isinstance(get_adapter("ollama"), OllamaAdapter)


def test_a_tool_request_is_pinned() -> None:
    http = ADAPTER.build_request(
        req(Message.system("Be brief."), Message.user("Paris?"), tools=(WEATHER,)),
        Config(api_key="k"),
    )
    assert http.method == "POST"
    assert http.url == "http://localhost:11434/api/chat"
    assert http.headers == {"Content-Type": "application/json", "Authorization": "Bearer k"}
    assert json.loads(http.body) == {
        "model": "qwen3",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Paris?"},
        ],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Weather for a city.",
                    "parameters": WEATHER.parameters,
                },
            }
        ],
        "stream": False,
    }


def test_no_key_no_authorization_header_and_a_base_url_is_honoured() -> None:
    http = ADAPTER.build_request(req(), Config(base_url="http://gpu-box:11434/"))
    assert http.url == "http://gpu-box:11434/api/chat"
    assert "Authorization" not in http.headers


def test_stream_is_always_written_out() -> None:
    # Streaming is the server's default (docs/dialects.md#ollama-streaming).
    assert body(req())["stream"] is False
    assert body(req(stream=True))["stream"] is True


def test_sampling_options_and_format() -> None:
    out = body(req(temperature=0.2, max_output_tokens=64, output=CITY))
    assert out["options"] == {"temperature": 0.2, "num_predict": 64}
    assert out["format"] == CITY.schema


def test_history_with_calls_results_and_thinking() -> None:
    calls = (
        ToolCall("call_a", "get_weather", {"city": "Paris"}),
        ToolCall("call_b", "get_weather", {"city": "Oslo"}),
    )
    thinking = {"thinking": "Two cities."}
    history = (
        Message.user("Paris and Oslo?"),
        Message.assistant(None, calls, opaque=(ProviderPart("ollama", thinking),)),
        Message.tool(ToolResult("call_b", "get_weather", {"t": 3}, is_error=True)),
        Message.tool(ToolResult("call_a", "get_weather", "18 C")),
    )
    out = body(req(*history, tools=(WEATHER,)))
    assert out["messages"][1:] == [
        {
            "role": "assistant",
            "content": "",
            "thinking": thinking["thinking"],
            "tool_calls": [
                {
                    "id": "call_a",
                    "function": {"name": "get_weather", "arguments": {"city": "Paris"}},
                },
                {
                    "id": "call_b",
                    "function": {"name": "get_weather", "arguments": {"city": "Oslo"}},
                },
            ],
        },
        # Results in call order, whatever order they were given (docs/dialects.md#ollama-history).
        {"role": "tool", "content": "18 C", "tool_name": "get_weather", "tool_call_id": "call_a"},
        {
            "role": "tool",
            "content": 'Error: {"t": 3}',
            "tool_name": "get_weather",
            "tool_call_id": "call_b",
        },
    ]


def test_other_providers_thinking_is_not_sent() -> None:
    history = (
        Message.user("x"),
        Message.assistant("y", opaque=(ProviderPart("anthropic", {"type": "thinking"}),)),
        Message.user("z"),
    )
    assert body(req(*history))["messages"][1] == {"role": "assistant", "content": "y"}


def test_a_renamed_tool_is_sent_and_read_back_under_its_names() -> None:
    tool = Tool("get.weather", "", {"type": "object", "properties": {}})
    request = req(tools=(tool,))
    (wire,) = body(request)["tools"]
    assert wire["function"]["name"] == "get_weather"
    answer = ok(
        {
            "model": "qwen3",
            "created_at": "t",
            "message": {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"function": {"name": "get_weather", "arguments": {}}}],
            },
            "done": True,
            "done_reason": "stop",
        }
    )
    assert ADAPTER.parse_response(answer, request).tool_calls[0].name == "get.weather"


@pytest.mark.parametrize("choice", ["none", "required", "get_weather"])
def test_tool_choice_other_than_auto_is_refused(choice: str) -> None:
    with pytest.raises(UsageError, match=r"tool_choice .* cannot be sent"):
        ADAPTER.build_request(req(tools=(WEATHER,), tool_choice=choice), CONFIG)


def test_tool_choice_auto_sends_nothing() -> None:
    assert "tool_choice" not in body(req(tools=(WEATHER,), tool_choice="auto"))


def test_parallel_off_thinking_budget_strict_and_format_with_tools_are_refused() -> None:
    with pytest.raises(UsageError, match="parallel_tool_calls"):
        ADAPTER.build_request(req(tools=(WEATHER,), parallel_tool_calls=False), CONFIG)
    with pytest.raises(UsageError, match="think"):
        ADAPTER.build_request(req(thinking_budget=2048), CONFIG)
    strict = Tool("s", "", {"type": "object", "properties": {}}, strict=True)
    with pytest.raises(IncompatibleToolError, match="strict"):
        ADAPTER.build_request(req(tools=(strict,)), CONFIG)
    with pytest.raises(UsageError, match="together with tools"):
        ADAPTER.build_request(req(tools=(WEATHER,), output=CITY), CONFIG)


def test_cloud_models_have_no_structured_output() -> None:
    assert PROFILE.for_model("gpt-oss:120b-cloud").structured_output == "none"
    assert PROFILE.for_model("qwen3").structured_output == "native"
    with pytest.raises(UsageError, match="no native structured output"):
        ADAPTER.build_request(
            Request(model="gpt-oss:120b-cloud", messages=(Message.user("x"),), output=CITY),
            CONFIG,
        )


def test_keywords_the_server_discards_are_reported_unenforced() -> None:
    fitting = ADAPTER.fit(req(tools=(WEATHER,)))
    (fitted,) = fitting.tools
    assert fitted.parameters == WEATHER.parameters  # sent as written
    assert [(c.pointer, c.keyword, c.action) for c in fitted.changes] == [
        ("/properties/city", "minLength", "unenforced")
    ]


# --- responses --------------------------------------------------------------------------------

RECORDED = {
    "model": "qwen3.6:latest",
    "created_at": "2026-08-07T06:08:09.335586Z",
    "message": {
        "role": "assistant",
        "content": "",
        "thinking": "Use the tool.",
        "tool_calls": [
            {
                "id": "call_gsiiy8py",
                "function": {"index": 0, "name": "get_weather", "arguments": {"city": "Paris"}},
            }
        ],
    },
    "done": True,
    "done_reason": "stop",
    "prompt_eval_count": 292,
    "eval_count": 143,
}


def test_a_recorded_shape_decodes_like_the_sdk() -> None:
    http = ok(RECORDED)
    response = ADAPTER.parse_response(http)
    assert response.tool_calls == (ToolCall("call_gsiiy8py", "get_weather", {"city": "Paris"}),)
    assert response.finish_reason == "tool_calls"
    assert response.usage is not None
    assert response.usage.total_tokens == 435
    assert summary(response) == sdk_parse(http.body)


def test_calls_without_ids_get_stable_ones() -> None:
    data = json.loads(json.dumps(RECORDED))
    del data["message"]["tool_calls"][0]["id"]
    first = ADAPTER.parse_response(ok(data)).tool_calls[0].id
    assert first == ADAPTER.parse_response(ok(data)).tool_calls[0].id
    assert first == generated_id(
        "qwen3.6:latest", "2026-08-07T06:08:09.335586Z", 0, "get_weather", {"city": "Paris"}
    )
    data["created_at"] = "2026-08-07T06:09:00Z"  # another turn: another id
    assert ADAPTER.parse_response(ok(data)).tool_calls[0].id != first


@pytest.mark.parametrize(
    ("done_reason", "expected"),
    [("stop", "stop"), (None, "stop"), ("length", "length"), ("unload", "other"), ("x", "other")],
)
def test_done_reasons(done_reason: str | None, expected: str) -> None:
    data: dict[str, Any] = {
        "model": "m",
        "message": {"role": "assistant", "content": "hi"},
        "done": True,
    }
    if done_reason is not None:
        data["done_reason"] = done_reason
    assert ADAPTER.parse_response(ok(data)).finish_reason == expected


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"model": "m"},
        {"message": "text"},
        {"message": {"tool_calls": {"function": {}}}},
        {"message": {"tool_calls": [{"name": "x"}]}},
        {"message": {"tool_calls": ["x"]}},
    ],
)
def test_malformed_bodies_are_protocol_errors(data: Any) -> None:
    with pytest.raises(ProtocolError):
        ADAPTER.parse_response(ok(data))


def test_non_object_arguments_are_kept_as_malformed() -> None:
    data = json.loads(json.dumps(RECORDED))
    data["message"]["tool_calls"][0]["function"]["arguments"] = ["Paris"]
    (call,) = ADAPTER.parse_response(ok(data)).tool_calls
    assert call.malformed
    assert call.raw_arguments == '["Paris"]'


def test_not_json_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="JSON"):
        ADAPTER.parse_response(HttpResponse(200, {}, b"<html>"))


# --- streams ----------------------------------------------------------------------------------


def _lines(*chunks: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(c).encode() + b"\n" for c in chunks)


STREAM = _lines(
    {
        "model": "qwen3",
        "created_at": "a",
        "message": {"role": "assistant", "content": "", "thinking": "Hm"},
        "done": False,
    },
    {
        "model": "qwen3",
        "created_at": "b",
        "message": {"role": "assistant", "content": "Let me "},
        "done": False,
    },
    {
        "model": "qwen3",
        "created_at": "c",
        "message": {"role": "assistant", "content": "check. é"},
        "done": False,
    },
    {
        "model": "qwen3",
        "created_at": "d",
        "message": {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "call_1",
                    "function": {"index": 0, "name": "get_weather", "arguments": {"city": "Paris"}},
                },
                {"function": {"index": 1, "name": "get_weather", "arguments": {"city": "Oslo"}}},
            ],
        },
        "done": False,
    },
    {
        "model": "qwen3",
        "created_at": "e",
        "message": {"role": "assistant", "content": ""},
        "done": True,
        "done_reason": "stop",
        "prompt_eval_count": 10,
        "eval_count": 5,
    },
)


def _decode(data: bytes, step: int | None = None) -> tuple[list[Any], Any]:
    decoder = ADAPTER.stream_decoder()
    events: list[Any] = []
    size = step or len(data)
    for i in range(0, len(data), size):
        events += decoder.feed(data[i : i + size])
    return events, decoder.close()


def test_a_stream_decodes_like_the_sdk() -> None:
    events, response = _decode(STREAM)
    assert response.text == "Let me check. é"
    assert [c.arguments["city"] for c in response.tool_calls] == ["Paris", "Oslo"]
    assert response.tool_calls[0].id == "call_1"
    assert response.tool_calls[1].id == generated_id(
        "qwen3", "d", 1, "get_weather", {"city": "Oslo"}
    )
    assert response.finish_reason == "tool_calls"
    assert [type(e) for e in events].count(ToolCallFinished) == 2
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["Let me ", "check. é"]
    assert summary(response) == sdk_stream(STREAM)


def test_a_stream_split_at_every_byte_decodes_the_same() -> None:
    whole = _decode(STREAM)[1]
    assert _decode(STREAM, 1)[1] == whole
    assert _decode(STREAM.replace(b"\n", b"\r\n"), 3)[1] == whole


def test_a_last_line_without_a_newline_still_counts() -> None:
    assert _decode(STREAM.rstrip(b"\n"))[1].finish_reason == "tool_calls"


def test_a_stream_cut_before_done_is_a_protocol_error() -> None:
    cut = STREAM.split(b"\n")
    with pytest.raises(ProtocolError, match="before the response finished"):
        _decode(b"\n".join(cut[:3]) + b"\n")


def test_an_error_line_mid_stream_is_raised_with_status_200() -> None:
    data = (
        STREAM.split(b"\n")[0] + b'\n{"error":"an error was encountered while running the model"}\n'
    )
    with pytest.raises(ServerError) as info:
        _decode(data)
    assert info.value.status == 200
    assert "running the model" in info.value.message


@pytest.mark.parametrize("line", [b"data: {}\n", b"[1]\n", b'{"model": "m", "message": 3}\n'])
def test_strange_lines_are_protocol_errors(line: bytes) -> None:
    with pytest.raises(ProtocolError):
        _decode(line)


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "text", "kind", "retryable"),
    [
        (400, "invalid format", BadRequestError, False),
        (400, "the input length exceeds the context length", ContextLengthError, False),
        (401, "unauthorized", AuthenticationError, False),
        (404, "model 'nonexistent-model:latest' not found", NotFoundError, False),
        (429, "too many requests", RateLimitError, True),
        (500, "boom", ServerError, True),
        (502, "cloud model unreachable", ServerError, True),
    ],
)
def test_error_bodies(status: int, text: str, kind: type, retryable: bool) -> None:
    http = HttpResponse(status, {"retry-after": "3"}, json.dumps({"error": text}).encode())
    error = ADAPTER.parse_error(http)
    assert type(error) is kind
    assert (error.status, error.message, error.retryable) == (status, text, retryable)
    assert error.provider == "ollama"
    with pytest.raises(kind):
        ADAPTER.parse_response(http)
    if kind is RateLimitError:
        assert error.retry_after == 3


def test_an_error_page_that_is_not_json() -> None:
    error = ADAPTER.parse_error(HttpResponse(502, {}, b"Bad Gateway"))
    assert type(error) is ServerError
    assert error.message == "Bad Gateway"


def test_an_error_object_under_200() -> None:
    with pytest.raises(ServerError) as info:
        ADAPTER.parse_response(ok({"error": "model runner has unexpectedly stopped"}))
    assert info.value.status == 200
