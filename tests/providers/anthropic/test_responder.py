"""The Anthropic encoders (``encode_response``/``encode_stream``/``encode_error``/
``assistant_turns``): what they write decodes back to the same response, in one body or split
anywhere as a stream, and the ``anthropic`` package parses it into the same calls."""

from __future__ import annotations

import base64
import json
from typing import Any

import anthropic
import httpx2  # the SDK's own httpx fork (anthropic 2.15.0 imports httpx2, not httpx)
import pytest
from anthropic._error_classes import make_status_error
from anthropic.types.shared.error_response import ErrorResponse
from hypothesis import given
from hypothesis import strategies as st

from fctest import (
    HttpRequest,
    Message,
    ProviderPart,
    Request,
    Response,
    Tool,
    ToolCall,
    ToolResult,
    Usage,
)
from fctest.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    ServerError,
    UsageError,
)
from fctest.providers import responder_for
from fctest.providers.anthropic import AnthropicAdapter, AnthropicConfig

from .._encode_strategies import arguments, feed_in_pieces, key, optional_text, usages
from ._oracle import sdk_message, sdk_stream, summary

ADAPTER = AnthropicAdapter()
RESPONDER = responder_for(ADAPTER)
CONFIG = AnthropicConfig(api_key="sk-ant-test")

# Neutral finish reason -> the stop_reason written when the response carries no raw value.
STOP_REASON = {
    "stop": "end_turn",
    "tool_calls": "tool_use",
    "length": "max_tokens",
    "content_filter": "refusal",
    "other": "pause_turn",
}

_names = st.from_regex(r"[a-zA-Z0-9_-]{1,24}", fullmatch=True)
_ids = st.from_regex(r"toolu_[a-zA-Z0-9]{4,24}", fullmatch=True)
_signatures = st.binary(min_size=1, max_size=24).map(base64.b64encode)
_opaque_blocks = st.lists(
    st.one_of(
        st.builds(
            lambda text, sig: {"type": "thinking", "thinking": text, "signature": sig.decode()},
            st.text(max_size=30),
            _signatures,
        ),
        st.builds(lambda data: {"type": "redacted_thinking", "data": data.decode()}, _signatures),
        st.builds(
            lambda args: {
                "type": "server_tool_use",
                "id": "srvtoolu_01",
                "name": "web_search",
                "input": args,
            },
            arguments,
        ),
    ),
    max_size=2,
)


@st.composite
def responses(draw: st.DrawFn) -> Response:
    """Neutral responses Anthropic can express: text and/or up to five calls, opaque blocks."""
    count = draw(st.integers(min_value=0, max_value=5))
    ids = draw(st.lists(_ids, min_size=count, max_size=count, unique=True))
    calls = tuple(ToolCall(i, draw(_names), draw(arguments)) for i in ids)
    natural = "tool_calls" if calls else "stop"
    finish = draw(st.sampled_from([natural, "length", "content_filter", "other"]))
    raw = draw(st.none() | st.just(STOP_REASON[finish]))
    if finish == "stop" and raw is not None:
        raw = draw(st.sampled_from(["end_turn", "stop_sequence"]))
    opaque = tuple(ProviderPart("anthropic", b) for b in draw(_opaque_blocks))
    return Response(
        provider="anthropic",
        model=draw(st.sampled_from(["claude-sonnet-4-6", "claude-haiku-4-5"])),
        text=draw(optional_text),
        tool_calls=calls,
        finish_reason=finish,
        raw_finish_reason=raw,
        usage=draw(usages(optional=False)),
        id=draw(st.none() | st.just("msg_01JqiwuyYfmoZBJx1GLkqxLf")),
        opaque=opaque,
    )


def _expect(original: Response, back: Response) -> None:
    assert key(back) == key(original)
    assert back.raw_finish_reason == (
        original.raw_finish_reason or STOP_REASON[original.finish_reason]
    )
    assert [p.data for p in back.opaque] == [p.data for p in original.opaque]
    assert back.model == original.model
    if original.id is not None:
        assert back.id == original.id


def _events(chunks: list[bytes]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for chunk in chunks:
        assert chunk.endswith(b"\n\n")
        event_line, data_line = chunk.decode("utf-8").rstrip("\n").split("\n")
        assert event_line.startswith("event: ")
        assert data_line.startswith("data: ")
        data = json.loads(data_line.removeprefix("data: "))
        assert data["type"] == event_line.removeprefix("event: ")
        out.append((data["type"], data))
    return out


# --- (1) round trips -------------------------------------------------------------------------


@given(responses())
def test_body_round_trip(response: Response) -> None:
    encoded = RESPONDER.encode_response(response)
    assert encoded.status == 200
    assert encoded.headers["content-type"] == "application/json"
    _expect(response, ADAPTER.parse_response(encoded))


@given(responses(), st.integers(min_value=1, max_value=16), st.data())
def test_stream_round_trip_at_any_byte_boundary(
    response: Response, fragment_size: int, data: st.DataObject
) -> None:
    chunks = RESPONDER.encode_stream(response, fragment_size=fragment_size)
    body = b"".join(chunks)
    cuts = data.draw(st.lists(st.integers(min_value=0, max_value=len(body)), max_size=12))
    _expect(response, feed_in_pieces(ADAPTER.stream_decoder(), body, cuts))
    for kind, event in _events(chunks):
        if kind == "content_block_delta":
            delta = event["delta"]
            piece = delta.get("text", delta.get("partial_json", delta.get("thinking", "")))
            assert len(piece) <= fragment_size


def test_stream_split_at_every_byte() -> None:
    response = Response(
        "anthropic",
        "claude-sonnet-4-6",
        text="Schön, ich prüfe das 🌦",
        tool_calls=(
            ToolCall("toolu_01", "get_weather", {"city": "Zürich", "units": ["c", None]}),
            ToolCall("toolu_02", "ping", {}),
        ),
        finish_reason="tool_calls",
        usage=Usage(12, 34),
    )
    body = b"".join(RESPONDER.encode_stream(response, fragment_size=5))
    for cut in range(len(body) + 1):
        _expect(response, feed_in_pieces(ADAPTER.stream_decoder(), body, [cut]))
    decoder = ADAPTER.stream_decoder()
    for i in range(len(body)):
        decoder.feed(body[i : i + 1])
    _expect(response, decoder.close())


# --- (2) the official SDK reads the same calls ------------------------------------------------


@given(responses())
def test_sdk_parses_the_body_into_the_same_calls(response: Response) -> None:
    body = RESPONDER.encode_response(response).body
    sdk = sdk_message(body)
    assert sdk == summary(ADAPTER.parse_response(RESPONDER.encode_response(response)))
    assert sdk[1] == [(c.id, c.name, c.arguments) for c in response.tool_calls]


@given(responses(), st.integers(min_value=1, max_value=16))
def test_sdk_accumulates_the_stream_into_the_same_calls(
    response: Response, fragment_size: int
) -> None:
    body = b"".join(RESPONDER.encode_stream(response, fragment_size=fragment_size))
    sdk = sdk_stream(body)
    ours = feed_in_pieces(ADAPTER.stream_decoder(), body, [])
    assert sdk == summary(ours)
    assert sdk[1] == [(c.id, c.name, c.arguments) for c in response.tool_calls]


# --- the wire shape --------------------------------------------------------------------------


def test_stream_events_follow_the_documented_order() -> None:
    response = Response(
        "anthropic",
        "claude-sonnet-4-6",
        text="Hi",
        tool_calls=(ToolCall("toolu_01", "get_weather", {"city": "Paris"}),),
        finish_reason="tool_calls",
        usage=Usage(10, 20),
    )
    events = _events(RESPONDER.encode_stream(response, fragment_size=4))
    kinds = [k for k, _ in events]
    assert kinds[:3] == ["message_start", "content_block_start", "ping"]
    assert kinds[-2:] == ["message_delta", "message_stop"]
    start = events[0][1]["message"]
    assert start["content"] == []
    assert start["stop_reason"] is None
    assert start["usage"] == {"input_tokens": 10, "output_tokens": 1}
    tool_start = next(e for k, e in events if k == "content_block_start" and e["index"] == 1)
    assert tool_start["content_block"] == {
        "type": "tool_use",
        "id": "toolu_01",
        "name": "get_weather",
        "input": {},
    }
    pieces = [
        e["delta"]["partial_json"]
        for k, e in events
        if k == "content_block_delta" and e["index"] == 1
    ]
    assert pieces[0] == ""  # as the API sends it before the first fragment
    assert json.loads("".join(pieces)) == {"city": "Paris"}
    assert all(len(p) <= 4 for p in pieces)
    delta = events[-2][1]
    assert delta["delta"] == {"stop_reason": "tool_use", "stop_sequence": None}
    assert delta["usage"] == {"input_tokens": 10, "output_tokens": 20}


def test_thinking_block_streams_as_thinking_and_signature_deltas() -> None:
    thinking = {"type": "thinking", "thinking": "Let me think.", "signature": "c2lnbmF0dXJl"}
    response = Response(
        "anthropic",
        "claude-sonnet-4-6",
        tool_calls=(ToolCall("toolu_01", "ping", {}),),
        finish_reason="tool_calls",
        opaque=(ProviderPart("anthropic", thinking),),
    )
    events = _events(RESPONDER.encode_stream(response, fragment_size=5))
    first = events[1][1]
    assert first["content_block"] == {"type": "thinking", "thinking": "", "signature": ""}
    deltas = [e["delta"] for k, e in events if k == "content_block_delta" and e["index"] == 0]
    assert [d["type"] for d in deltas] == ["thinking_delta"] * 3 + ["signature_delta"]
    body = json.loads(RESPONDER.encode_response(response).body)
    assert body["content"][0] == thinking  # opaque blocks go first, untouched
    assert body["content"][1]["type"] == "tool_use"


def test_body_has_the_message_shape() -> None:
    response = Response("anthropic", "", text="Hello", usage=None)
    request = Request("claude-haiku-4-5", (Message.user("hi"),))
    body = json.loads(RESPONDER.encode_response(response, request).body)
    assert body["id"].startswith("msg_")
    assert body == {
        "id": body["id"],
        "type": "message",
        "role": "assistant",
        "model": "claude-haiku-4-5",  # the request's model when the response names none
        "content": [{"type": "text", "text": "Hello"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        # The SDK's Usage requires both counts: a response without usage reports zeros.
        "usage": {"input_tokens": 0, "output_tokens": 0},
    }
    assert isinstance(
        anthropic._models.construct_type(type_=anthropic.types.Message, value=body),
        anthropic.types.Message,
    )


def test_encoders_are_deterministic() -> None:
    def build() -> Response:
        return Response(
            "anthropic",
            "claude-sonnet-4-6",
            text="x",
            tool_calls=(ToolCall("", "ping", {"a": [1, {"b": "ü"}]}),),
            finish_reason="tool_calls",
            usage=Usage(1, 2),
        )

    one, two = build(), build()
    assert RESPONDER.encode_response(one).body == RESPONDER.encode_response(two).body
    assert RESPONDER.encode_stream(one) == RESPONDER.encode_stream(two)
    body = json.loads(RESPONDER.encode_response(one).body)
    # Made-up ids are digests of the content: a missing call id gets one too.
    assert body["content"][1]["id"].startswith("toolu_")
    other = Response("anthropic", "claude-sonnet-4-6", text="y", usage=Usage(1, 2))
    assert json.loads(RESPONDER.encode_response(other).body)["id"] != body["id"]
    assert RESPONDER.encode_error(500, "boom").body == RESPONDER.encode_error(500, "boom").body


def test_renamed_tools_go_out_under_their_wire_name_and_come_back() -> None:
    tool = Tool("server/tool.name", "A tool whose name Anthropic refuses", {"type": "object"})
    request = Request("claude-sonnet-4-6", (Message.user("go"),), tools=(tool,))
    wire = ADAPTER.build_request(request, CONFIG).json()["tools"][0]["name"]
    assert wire != tool.name
    response = Response(
        "anthropic",
        "claude-sonnet-4-6",
        tool_calls=(ToolCall("toolu_01", tool.name, {"k": 1}),),
        finish_reason="tool_calls",
        usage=Usage(1, 1),
    )
    encoded = RESPONDER.encode_response(response, request)
    assert json.loads(encoded.body)["content"][0]["name"] == wire
    assert ADAPTER.parse_response(encoded, request).tool_calls[0].name == tool.name
    body = b"".join(RESPONDER.encode_stream(response, request))
    back = feed_in_pieces(ADAPTER.stream_decoder(request), body, [])
    assert back.tool_calls[0].name == tool.name


def test_malformed_arguments_stream_as_raw_text_but_no_body_holds_them() -> None:
    call = ToolCall("toolu_01", "f", {}, raw_arguments='{"a": 1,', malformed=True)
    response = Response("anthropic", "m", tool_calls=(call,), finish_reason="tool_calls")
    back = feed_in_pieces(
        ADAPTER.stream_decoder(), b"".join(RESPONDER.encode_stream(response, fragment_size=3)), []
    )
    assert back.tool_calls[0].malformed
    assert back.tool_calls[0].raw_arguments == '{"a": 1,'
    with pytest.raises(UsageError, match="malformed arguments"):
        RESPONDER.encode_response(response)


def test_a_finish_reason_anthropic_cannot_say_is_refused() -> None:
    response = Response("anthropic", "m", finish_reason="malformed_call")
    with pytest.raises(UsageError, match="malformed_call"):
        RESPONDER.encode_response(response)
    with pytest.raises(UsageError, match="malformed_call"):
        RESPONDER.encode_stream(response)


def test_fragment_size_must_be_positive() -> None:
    with pytest.raises(UsageError, match="fragment_size"):
        RESPONDER.encode_stream(Response("anthropic", "m", text="abc"), fragment_size=0)


# --- (3) errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_type", "cls"),
    [
        (400, "invalid_request_error", BadRequestError),
        (401, "authentication_error", AuthenticationError),
        (403, "permission_error", PermissionDeniedError),
        (404, "not_found_error", NotFoundError),
        (429, "rate_limit_error", RateLimitError),
        (500, "api_error", ServerError),
        (503, "api_error", ServerError),
        (529, "overloaded_error", OverloadedError),
    ],
)
def test_error_decodes_to_the_class_its_status_stands_for(
    status: int, error_type: str, cls: type[ProviderError]
) -> None:
    retry_after = 7.0 if status == 429 else None
    encoded = RESPONDER.encode_error(status, "something went wrong", retry_after=retry_after)
    assert encoded.status == status
    body = json.loads(encoded.body)
    assert body["type"] == "error"
    assert body["error"] == {"type": error_type, "message": "something went wrong"}
    assert body["request_id"] == encoded.headers["request-id"]
    ErrorResponse.model_validate(body)  # the SDK's current error type, strictly
    error = ADAPTER.parse_error(encoded)
    assert type(error) is cls
    assert error.status == status
    assert "something went wrong" in error.message
    assert error.retry_after == retry_after
    assert error.retryable is (status >= 429)
    request = httpx2.Request("POST", "https://api.anthropic.com/v1/messages")
    sdk = make_status_error(
        "x", body=body, response=httpx2.Response(status, headers=encoded.headers, request=request)
    )
    assert sdk.status_code == status


def test_retry_after_header_keeps_fractions() -> None:
    encoded = RESPONDER.encode_error(429, "slow down", retry_after=2.5)
    assert encoded.headers["retry-after"] == "2.5"
    assert ADAPTER.parse_error(encoded).retry_after == 2.5
    assert RESPONDER.encode_error(429, "slow down", retry_after=30).headers["retry-after"] == "30"
    with pytest.raises(UsageError, match="retry_after"):
        RESPONDER.encode_error(429, "x", retry_after=-1)


def test_unknown_statuses_fall_back_to_the_documented_types() -> None:
    assert json.loads(RESPONDER.encode_error(422, "x").body)["error"]["type"] == (
        "invalid_request_error"
    )
    assert json.loads(RESPONDER.encode_error(502, "x").body)["error"]["type"] == "api_error"
    with pytest.raises(UsageError, match="400-599"):
        RESPONDER.encode_error(200, "fine")


# --- (4) assistant turns --------------------------------------------------------------------

_PING = Tool("ping", "Check the service.")


def _history(turns: int) -> tuple[Message, ...]:
    messages = [Message.user("start")]
    for n in range(turns):
        call = ToolCall(f"toolu_{n}", "ping", {})
        messages += [
            Message.assistant(f"step {n}", [call]),
            Message.tool(ToolResult(call.id, "ping", "pong")),
        ]
    return tuple(messages)


@pytest.mark.parametrize("turns", [0, 1, 2])
def test_assistant_turns_counts_the_history(turns: int) -> None:
    request = Request("claude-sonnet-4-6", _history(turns), tools=(_PING,))
    assert RESPONDER.assistant_turns(ADAPTER.build_request(request, CONFIG)) == turns


def test_assistant_turns_refuses_a_body_that_is_not_a_messages_request() -> None:
    with pytest.raises(UsageError, match="'messages'"):
        RESPONDER.assistant_turns(HttpRequest("POST", "https://x", {}, b'{"contents": []}'))
    with pytest.raises(UsageError, match="'messages'"):
        RESPONDER.assistant_turns(HttpRequest("POST", "https://x", {}, b"not json"))
