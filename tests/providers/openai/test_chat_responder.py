"""The Chat Completions encoders (``openai``, ``azure-openai``, ``xai``, ``openrouter``, ``groq``):
what they write decodes back to the same response, in one body or split anywhere as a stream, and
the ``openai`` package parses it into the same calls. Also the error encoders and
``assistant_turns`` of the whole OpenAI family (the Responses adapter included)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from fctest import HttpRequest, Message, Request, Response, Tool, ToolCall, ToolResult, Usage
from fctest.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    ProviderError,
    RateLimitError,
    ServerError,
    UsageError,
)
from fctest.providers import Config, get_adapter, responder_for
from fctest.providers.openai import OpenAIAdapter
from fctest.providers.openai.azure import AzureConfig
from fctest.providers.openai.openrouter import OpenRouterConfig

from .._encode_strategies import feed_in_pieces, key
from ._oracle import sdk_parse, sdk_stream, summary
from ._strategies import neutral_responses

CHAT = ["openai", "azure-openai", "xai", "openrouter", "groq"]
FAMILY = [*CHAT, "openai-responses"]
WHOLE_CALLS = {"xai", "groq"}  # docs/dialects.md#stream-xai, docs/dialects.md#stream-groq
CONFIGS: dict[str, Config] = {
    "azure-openai": AzureConfig(api_key="k", endpoint="https://r.openai.azure.com"),
    "openrouter": OpenRouterConfig(api_key="k"),
}

chat_responses = neutral_responses(
    with_calls=["tool_calls", "length"],
    without_calls=["stop", "length", "content_filter"],
    id_prefix="chatcmpl-",
)
_SDK_FINISH_ERRORS: dict[str, type[Exception]] = {
    "length": openai.LengthFinishReasonError,
    "content_filter": openai.ContentFilterFinishReasonError,
}
WIRE_FINISH = {r: r for r in ("stop", "tool_calls", "length", "content_filter")}


def adapter(name: str) -> OpenAIAdapter:
    a = get_adapter(name)
    assert isinstance(a, OpenAIAdapter)
    return a


def config(name: str) -> Config:
    return CONFIGS.get(name, Config(api_key="k"))


def expect(original: Response, back: Response) -> None:
    assert key(back) == key(original)
    assert back.model == original.model
    if original.id is not None:
        assert back.id == original.id


def sse_json(chunks: list[bytes]) -> list[Any]:
    """The JSON of every ``data:`` event (``[DONE]`` as the string), comments skipped."""
    out: list[Any] = []
    for chunk in chunks:
        assert chunk.endswith(b"\n\n")
        line = chunk.decode("utf-8").rstrip("\n")
        if line.startswith(":"):
            continue
        assert line.startswith("data: "), line
        payload = line.removeprefix("data: ")
        out.append(payload if payload == "[DONE]" else json.loads(payload))
    return out


# --- (1) round trips -------------------------------------------------------------------------


@pytest.mark.parametrize("name", CHAT)
@given(response=chat_responses)
def test_body_round_trip(name: str, response: Response) -> None:
    a = adapter(name)
    encoded = responder_for(a).encode_response(response)
    assert encoded.status == 200
    assert encoded.headers["content-type"] == "application/json"
    expect(response, a.parse_response(encoded))


@pytest.mark.parametrize("name", CHAT)
@given(response=chat_responses, fragment_size=st.integers(1, 16), data=st.data())
def test_stream_round_trip_at_any_byte_boundary(
    name: str, response: Response, fragment_size: int, data: st.DataObject
) -> None:
    a = adapter(name)
    body = b"".join(responder_for(a).encode_stream(response, fragment_size=fragment_size))
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=12))
    expect(response, feed_in_pieces(a.stream_decoder(), body, cuts))


@pytest.mark.parametrize("name", ["openai", "groq", "openrouter"])  # split, whole, comments
def test_stream_split_at_every_byte(name: str) -> None:
    a = adapter(name)
    response = Response(
        name,
        "gpt-4o",
        text="Schön 🌦",
        tool_calls=(
            ToolCall("call_1", "get_weather", {"city": "Zürich", "units": ["c", None]}),
            ToolCall("call_2", "ping", {}),
        ),
        finish_reason="tool_calls",
        usage=Usage(12, 34),
    )
    body = b"".join(responder_for(a).encode_stream(response, fragment_size=6))
    for cut in range(len(body) + 1):
        expect(response, feed_in_pieces(a.stream_decoder(), body, [cut]))
    decoder = a.stream_decoder()
    for i in range(len(body)):
        decoder.feed(body[i : i + 1])
    expect(response, decoder.close())


@pytest.mark.parametrize("name", CHAT)
@given(response=chat_responses)
def test_encoding_is_deterministic_and_idempotent(name: str, response: Response) -> None:
    a = adapter(name)
    first = responder_for(a).encode_response(response)
    assert responder_for(a).encode_response(response).body == first.body
    assert responder_for(a).encode_stream(response) == responder_for(a).encode_stream(response)
    # A decoded answer (ids now set, argument text kept) encodes to the same bytes again.
    assert responder_for(a).encode_response(a.parse_response(first)).body == first.body


# --- (2) the official SDK reads the same calls ------------------------------------------------


@pytest.mark.parametrize("name", CHAT)
@given(response=chat_responses)
def test_sdk_parses_the_body_into_the_same_calls(name: str, response: Response) -> None:
    a = adapter(name)
    body = responder_for(a).encode_response(response).body
    sdk = sdk_parse(body)
    assert sdk == summary(a.parse_response(responder_for(a).encode_response(response)))
    assert sdk[1] == [(c.id, c.name, c.arguments) for c in response.tool_calls]
    assert sdk[2] == WIRE_FINISH[response.finish_reason]
    # Realistic: the strict SDK model accepts it too (every required field present).
    completion = ChatCompletion.model_validate_json(body)
    assert completion.object == "chat.completion"
    assert (completion.usage is None) == (response.usage is None)


@pytest.mark.parametrize("name", CHAT)
@given(response=chat_responses, fragment_size=st.integers(1, 16))
def test_sdk_accumulates_the_stream_into_the_same_calls(
    name: str, response: Response, fragment_size: int
) -> None:
    a = adapter(name)
    chunks = responder_for(a).encode_stream(response, fragment_size=fragment_size)
    body = b"".join(chunks)
    sdk_error = _SDK_FINISH_ERRORS.get(response.finish_reason)
    if sdk_error is not None:
        # The SDK's stream helper refuses to finish such a stream: it read the reason too.
        with pytest.raises(sdk_error):
            sdk_stream(body)
    else:
        sdk = sdk_stream(body)
        assert sdk == summary(feed_in_pieces(a.stream_decoder(), body, []))
        assert sdk[1] == [(c.id, c.name, c.arguments) for c in response.tool_calls]
    for data in sse_json(chunks)[:-1]:
        ChatCompletionChunk.model_validate(data)  # every chunk is a valid strict chunk


# --- the stream's shape ----------------------------------------------------------------------


def _tool_deltas(events: list[Any]) -> list[dict[str, Any]]:
    return [
        tc
        for e in events
        if isinstance(e, dict)
        for c in e["choices"]
        for tc in c["delta"].get("tool_calls") or ()
    ]


@pytest.mark.parametrize("name", CHAT)
def test_stream_is_split_the_way_the_provider_streams(name: str) -> None:
    a = adapter(name)
    arguments = {"city": "Zürich", "days": 3}
    text = json.dumps(arguments, ensure_ascii=False, separators=(",", ":"))
    response = Response(
        name,
        "m",
        tool_calls=(ToolCall("call_a", "get_weather", arguments), ToolCall("call_b", "ping", {})),
        finish_reason="tool_calls",
        usage=Usage(5, 6),
    )
    chunks = responder_for(a).encode_stream(response, fragment_size=5)
    events = sse_json(chunks)
    assert events[-1] == "[DONE]"
    assert chunks[-1] == b"data: [DONE]\n\n"
    deltas = _tool_deltas(events)
    if name in WHOLE_CALLS:
        # "the function call is returned in whole in a single chunk" (docs/dialects.md#stream-xai)
        assert deltas == [
            {
                "index": 0,
                "id": "call_a",
                "type": "function",
                "function": {"name": "get_weather", "arguments": text},
            },
            {
                "index": 1,
                "id": "call_b",
                "type": "function",
                "function": {"name": "ping", "arguments": "{}"},
            },
        ]
    else:
        first = [d for d in deltas if "id" in d]
        assert first == [
            {
                "index": 0,
                "id": "call_a",
                "type": "function",
                "function": {"name": "get_weather", "arguments": ""},
            },
            {
                "index": 1,
                "id": "call_b",
                "type": "function",
                "function": {"name": "ping", "arguments": ""},
            },
        ]
        later = [d for d in deltas if "id" not in d]
        assert all(set(d) == {"index", "function"} for d in later)
        assert all(set(d["function"]) == {"arguments"} for d in later)
        assert all(0 < len(d["function"]["arguments"]) <= 5 for d in later)
        assert "".join(d["function"]["arguments"] for d in later if d["index"] == 0) == text
        assert "".join(d["function"]["arguments"] for d in later if d["index"] == 1) == "{}"
    finishes = [c["finish_reason"] for e in events[:-1] for c in e["choices"]]
    assert [f for f in finishes if f is not None] == ["tool_calls"]
    assert finishes[-1] == "tool_calls" or events[-2]["choices"] == []


@pytest.mark.parametrize("name", ["openai", "azure-openai", "xai", "openrouter"])
def test_usage_chunk_when_the_request_asks_for_it(name: str) -> None:
    a = adapter(name)
    response = Response(name, "m", text="hi", usage=Usage(1, 2))
    request = Request("m", (Message.user("hi"),), stream=True)
    assert b'"include_usage":true' in a.build_request(request, config(name)).body
    events = sse_json(responder_for(a).encode_stream(response, request))[:-1]
    assert events[-1]["choices"] == []
    assert events[-1]["usage"]["prompt_tokens"] == 1
    assert events[-1]["usage"]["completion_tokens"] == 2
    assert all(e["usage"] is None for e in events[:-1])  # as OpenAI sends it
    # A request that turns the option off gets no usage chunk.
    quiet = Request(
        "m",
        (Message.user("hi"),),
        stream=True,
        extra_body={"stream_options": {"include_usage": False}},
    )
    events = sse_json(responder_for(a).encode_stream(response, quiet))[:-1]
    assert all(e["choices"] for e in events)
    assert all("usage" not in e for e in events)
    assert (
        feed_in_pieces(
            a.stream_decoder(), b"".join(responder_for(a).encode_stream(response, quiet)), []
        ).usage
        is None
    )


def test_groq_reports_usage_in_x_groq_of_the_finish_chunk() -> None:
    a = adapter("groq")
    response = Response("groq", "llama", text="hi", usage=Usage(7, 8))
    events = sse_json(responder_for(a).encode_stream(response))[:-1]
    assert all(e["choices"] for e in events)  # no separate usage chunk
    assert events[0]["x_groq"]["id"].startswith("req_")
    last = events[-1]
    assert last["choices"][0]["finish_reason"] == "stop"
    assert last["x_groq"]["usage"]["prompt_tokens"] == 7
    assert last["usage"]["completion_tokens"] == 8
    assert (
        json.loads(responder_for(a).encode_response(response).body)["x_groq"]["id"]
        == events[0]["x_groq"]["id"]
    )


def test_openrouter_stream_starts_with_processing_comments() -> None:
    a = adapter("openrouter")
    chunks = responder_for(a).encode_stream(Response("openrouter", "m", text="hi"))
    assert chunks[0] == b": OPENROUTER PROCESSING\n\n"
    assert not any(
        c.startswith(b":")
        for c in responder_for(adapter("openai")).encode_stream(Response("o", "m", text="hi"))
    )


def test_fragment_size_must_be_positive() -> None:
    with pytest.raises(UsageError, match="fragment_size"):
        responder_for(adapter("openai")).encode_stream(
            Response("openai", "m", text="hi"), fragment_size=0
        )


# --- finish reasons, malformed calls, requests ---------------------------------------------------


@pytest.mark.parametrize(
    ("neutral", "wire", "back"),
    [
        ("stop", "stop", "stop"),
        ("length", "length", "length"),
        ("content_filter", "content_filter", "content_filter"),
        ("other", "stop", "stop"),  # Chat has no value for it
    ],
)
def test_finish_reasons_without_calls(neutral: Any, wire: str, back: str) -> None:
    a = adapter("openai")
    encoded = responder_for(a).encode_response(
        Response("openai", "m", text="t", finish_reason=neutral)
    )
    assert json.loads(encoded.body)["choices"][0]["finish_reason"] == wire
    assert a.parse_response(encoded).finish_reason == back


@pytest.mark.parametrize("name", CHAT)
def test_malformed_call_keeps_its_text(name: str) -> None:
    a = adapter(name)
    bad = ToolCall("call_x", "f", {}, raw_arguments='{"a": 1', malformed=True)
    response = Response(name, "m", tool_calls=(bad,), finish_reason="malformed_call")
    body = json.loads(responder_for(a).encode_response(response).body)
    assert body["choices"][0]["finish_reason"] == "tool_calls"  # the nearest Chat value
    for back in (
        a.parse_response(responder_for(a).encode_response(response)),
        feed_in_pieces(
            a.stream_decoder(),
            b"".join(responder_for(a).encode_stream(response, fragment_size=3)),
            [],
        ),
    ):
        (call,) = back.tool_calls
        assert (call.id, call.name, call.malformed, call.raw_arguments) == (
            "call_x",
            "f",
            True,
            '{"a": 1',
        )
        assert back.finish_reason == "tool_calls"


REPORT = Tool(
    "server/report.make",
    "Make a report.",
    {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "pages": {"type": "integer"},
            "meta": {
                "type": "object",
                "properties": {
                    "author": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["author"],
            },
        },
        "required": ["title"],
    },
    strict=True,
)


@pytest.mark.parametrize("name", CHAT)
def test_request_maps_renamed_tools_and_strict_nulls(name: str) -> None:
    a = adapter(name)
    request = Request("m", (Message.user("go"),), tools=(REPORT,))
    sent = json.loads(a.build_request(request, config(name)).body)
    wire = sent["tools"][0]["function"]["name"]
    assert wire != REPORT.name
    arguments = {"title": "Q3", "meta": {"author": "Ann"}}
    response = Response(
        name,
        "m",
        tool_calls=(ToolCall("call_1", REPORT.name, arguments),),
        finish_reason="tool_calls",
    )
    body = json.loads(responder_for(a).encode_response(response, request).body)
    (tc,) = body["choices"][0]["message"]["tool_calls"]
    assert tc["function"]["name"] == wire
    sent_args = json.loads(tc["function"]["arguments"])
    if a.profile.strict_mode == "per_tool":
        # OpenAI strict: every property required, optional ones sent as null
        # (docs/dialects.md#strict-openai-required).
        assert sent_args == {"title": "Q3", "pages": None, "meta": {"author": "Ann", "tags": None}}
    else:
        assert sent_args == arguments  # xAI strict keeps optional properties optional
    for back in (
        a.parse_response(responder_for(a).encode_response(response, request), request),
        feed_in_pieces(
            a.stream_decoder(request),
            b"".join(responder_for(a).encode_stream(response, request)),
            [],
        ),
    ):
        assert [(c.name, c.arguments) for c in back.tool_calls] == [(REPORT.name, arguments)]


# --- (3) errors, for the whole OpenAI family -------------------------------------------------


@pytest.mark.parametrize("name", FAMILY)
@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (404, NotFoundError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_error_round_trip(name: str, status: int, kind: type[ProviderError]) -> None:
    a = get_adapter(name)
    encoded = responder_for(a).encode_error(status, "something went wrong")
    assert encoded.status == status
    assert encoded.headers["content-type"] == "application/json"
    assert "retry-after" not in encoded.headers
    error = a.parse_error(encoded)
    assert type(error) is kind
    assert error.status == status
    assert "something went wrong" in str(error)
    assert error.retryable == (status in (429, 500, 503))
    with pytest.raises(kind):
        a.parse_response(encoded)


@pytest.mark.parametrize("name", FAMILY)
@pytest.mark.parametrize("seconds", [0, 7, 2.5])
def test_rate_limit_carries_retry_after(name: str, seconds: float) -> None:
    a = get_adapter(name)
    encoded = responder_for(a).encode_error(429, "slow down", retry_after=seconds)
    error = a.parse_error(encoded)
    assert isinstance(error, RateLimitError)
    assert error.retry_after == seconds
    assert ("retry-after-ms" in encoded.headers) == (name in ("openai", "openai-responses"))


@pytest.mark.parametrize(
    ("name", "body"),
    [
        (
            "openai",
            {
                "error": {
                    "message": "m",
                    "type": "tokens",
                    "param": None,
                    "code": "rate_limit_exceeded",
                }
            },
        ),
        (
            "openai-responses",
            {
                "error": {
                    "message": "m",
                    "type": "tokens",
                    "param": None,
                    "code": "rate_limit_exceeded",
                }
            },
        ),
        ("azure-openai", {"error": {"code": "429", "message": "m"}}),
        ("xai", {"code": "Some resource has been exhausted", "error": "m"}),
        ("openrouter", {"error": {"code": 429, "message": "m"}}),
        (
            "groq",  # no param (recorded Groq errors)
            {"error": {"message": "m", "type": "tokens", "code": "rate_limit_exceeded"}},
        ),
    ],
)
def test_error_bodies_have_the_provider_shape(name: str, body: dict[str, Any]) -> None:
    assert json.loads(responder_for(get_adapter(name)).encode_error(429, "m").body) == body


def test_error_needs_an_error_status_and_a_sane_retry_after() -> None:
    a = get_adapter("openai")
    with pytest.raises(UsageError):
        responder_for(a).encode_error(200, "fine")
    with pytest.raises(UsageError):
        responder_for(a).encode_error(429, "slow", retry_after=-1)


def test_sdk_maps_the_error_to_the_same_status_class() -> None:
    for status, sdk_kind in [
        (400, openai.BadRequestError),
        (401, openai.AuthenticationError),
        (404, openai.NotFoundError),
        (429, openai.RateLimitError),
        (500, openai.InternalServerError),
    ]:
        encoded = responder_for(get_adapter("openai")).encode_error(status, "boom")
        client = openai.OpenAI(
            api_key="k",
            max_retries=0,
            http_client=httpx.Client(
                transport=httpx.MockTransport(
                    lambda _req, e=encoded: httpx.Response(
                        e.status, headers=dict(e.headers), content=e.body
                    )
                )
            ),
        )
        with pytest.raises(sdk_kind) as info:
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
        assert info.value.message.endswith("boom") or "boom" in str(info.value)
        client.close()


# --- (4) assistant turns -------------------------------------------------------------------------

CALL = ToolCall("call_1", "get_weather", {"city": "Paris"})
RESULT = ToolResult("call_1", "get_weather", "sunny")
CALL2 = ToolCall("call_2", "get_weather", {"city": "Rome"})
RESULT2 = ToolResult("call_2", "get_weather", "rain")
WEATHER = Tool(
    "get_weather", "Weather.", {"type": "object", "properties": {"city": {"type": "string"}}}
)

HISTORIES: list[tuple[tuple[Message, ...], int]] = [
    ((Message.user("hi"),), 0),
    (
        (
            Message.system("be brief"),
            Message.user("hi"),
            Message.assistant("hello"),
            Message.user("and?"),
        ),
        1,
    ),
    ((Message.user("hi"), Message.assistant(tool_calls=[CALL]), Message.tool(RESULT)), 1),
    (
        (
            Message.user("hi"),
            Message.assistant("let me look", [CALL]),
            Message.tool(RESULT),
            Message.assistant(tool_calls=[CALL2]),
            Message.tool(RESULT2),
        ),
        2,
    ),
    (
        (
            Message.user("hi"),
            Message.assistant(tool_calls=[CALL, CALL2]),
            Message.tool(RESULT, RESULT2),
            Message.assistant("done"),
            Message.user("thanks"),
        ),
        2,
    ),
]


@pytest.mark.parametrize("name", FAMILY)
@pytest.mark.parametrize(("history", "turns"), HISTORIES)
def test_assistant_turns_of_built_requests(
    name: str, history: tuple[Message, ...], turns: int
) -> None:
    a = get_adapter(name)
    request = Request("m", history, tools=(WEATHER,))
    assert responder_for(a).assistant_turns(a.build_request(request, config(name))) == turns


@pytest.mark.parametrize("name", FAMILY)
def test_assistant_turns_of_an_unreadable_request(name: str) -> None:
    a = get_adapter(name)
    with pytest.raises(UsageError, match=name):
        responder_for(a).assistant_turns(HttpRequest("POST", "http://x", {}, b"not json"))
    with pytest.raises(UsageError, match=name):
        responder_for(a).assistant_turns(HttpRequest("POST", "http://x", {}, b"{}"))
