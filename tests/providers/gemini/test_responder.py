"""The Gemini encoders (``encode_response``/``encode_stream``/``encode_error``/
``assistant_turns``): what they write decodes back to the same response (call ids included,
made-up ones too), in one body or as a CRLF-framed stream split anywhere, and google-genai parses
it into the same calls."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fctest import (
    HttpRequest,
    HttpResponse,
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
from fctest.providers.gemini import GeminiAdapter, GeminiConfig
from fctest.providers.gemini._decode import stable_id as _stable_id

from .._encode_strategies import arguments, feed_in_pieces, key, optional_text, usages
from ._oracle import sdk_error, sdk_parse, sdk_stream, summary

ADAPTER = GeminiAdapter()
RESPONDER = responder_for(ADAPTER)
CONFIG = GeminiConfig(api_key="test-key")
RESPONSE_ID = "QUVVadTSNJ6_qtsPvN7J8Q0"

# Neutral finish reason -> the finishReason written when the response carries no raw value.
FINISH = {
    "stop": "STOP",
    "tool_calls": "STOP",
    "length": "MAX_TOKENS",
    "content_filter": "SAFETY",
    "malformed_call": "MALFORMED_FUNCTION_CALL",
    "other": "OTHER",
}
# Other raw values that mean the same neutral reason.
RAW_ALTERNATIVES = {
    "content_filter": ["RECITATION", "PROHIBITED_CONTENT"],
    "malformed_call": ["UNEXPECTED_TOOL_CALL"],
    "length": ["MAX_TOKENS"],
}

_names = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_.:-]{0,20}", fullmatch=True)
_signatures = st.binary(min_size=1, max_size=24).map(lambda b: base64.b64encode(b).decode())


@st.composite
def responses(draw: st.DrawFn) -> Response:
    """Neutral responses Gemini can express: text and/or up to five calls whose ids are made up
    by the decoder (``generatedId``), sent by Gemini, or from elsewhere; thought signatures."""
    response_id = draw(st.none() | st.just(RESPONSE_ID))
    count = draw(st.integers(min_value=0, max_value=5))
    own_ids = draw(
        st.lists(
            st.from_regex(r"[a-z0-9]{8}|call_[a-zA-Z0-9]{4,12}", fullmatch=True),
            min_size=count,
            max_size=count,
            unique=True,
        )
    )
    calls = []
    for index in range(count):
        name, args = draw(_names), draw(arguments)
        kind = draw(st.sampled_from(["generated", "gemini", "foreign"]))
        data: dict[str, Any] = {}
        call_id = own_ids[index]
        if kind == "generated":
            call_id = _stable_id(response_id, index, name, args)
            data["generatedId"] = True
        signature = draw(st.none() | _signatures)
        if signature is not None and kind != "foreign":
            data["thoughtSignature"] = signature
        opaque = None if kind == "foreign" else ProviderPart("gemini", data)
        calls.append(ToolCall(call_id, name, args, opaque=opaque))
    natural = "tool_calls" if calls else "stop"
    finish = draw(st.sampled_from([natural, "length", "content_filter", "malformed_call", "other"]))
    raw = draw(st.none() | st.sampled_from([FINISH[finish], *RAW_ALTERNATIVES.get(finish, [])]))
    kept: dict[str, Any] = {}
    if draw(st.booleans()):
        kept["parts"] = [
            {
                "text": draw(st.text(max_size=20)),
                "thought": True,
                "thoughtSignature": draw(_signatures),
            }
        ]
    if draw(st.booleans()):
        kept["textSignature"] = draw(_signatures)
    return Response(
        provider="gemini",
        model=draw(st.sampled_from(["gemini-2.5-flash", "gemini-3-pro-preview"])),
        text=draw(optional_text),
        tool_calls=tuple(calls),
        finish_reason=finish,
        raw_finish_reason=raw,
        usage=draw(usages(optional=True)),
        id=response_id,
        opaque=(ProviderPart("gemini", kept),) if kept else (),
    )


def _signature(call: ToolCall) -> Any:
    return call.opaque.data.get("thoughtSignature") if call.opaque is not None else None


def _expect(original: Response, back: Response) -> None:
    assert key(back) == key(original)
    assert back.raw_finish_reason == (original.raw_finish_reason or FINISH[original.finish_reason])
    assert [_signature(c) for c in back.tool_calls] == [_signature(c) for c in original.tool_calls]
    assert [p.data for p in back.opaque] == [p.data for p in original.opaque]
    assert back.model == original.model
    if original.id is not None:
        assert back.id == original.id


def _chunks(events: list[bytes]) -> list[dict[str, Any]]:
    out = []
    for event in events:
        assert event.startswith(b"data: ")
        assert event.endswith(b"\r\n\r\n")
        line = event.removesuffix(b"\r\n\r\n")
        assert b"\n" not in line  # one data line per event
        out.append(json.loads(line.removeprefix(b"data: ")))
    return out


def _parts(chunk: dict[str, Any]) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = chunk["candidates"][0]["content"]["parts"]
    return parts


# --- (1) round trips -------------------------------------------------------------------------


@given(responses())
def test_body_round_trip(response: Response) -> None:
    encoded = RESPONDER.encode_response(response)
    assert encoded.status == 200
    assert encoded.headers["content-type"].startswith("application/json")
    _expect(response, ADAPTER.parse_response(encoded))


@given(responses(), st.integers(min_value=1, max_value=16), st.data())
def test_stream_round_trip_at_any_byte_boundary(
    response: Response, fragment_size: int, data: st.DataObject
) -> None:
    events = RESPONDER.encode_stream(response, fragment_size=fragment_size)
    body = b"".join(events)
    cuts = data.draw(st.lists(st.integers(min_value=0, max_value=len(body)), max_size=12))
    _expect(response, feed_in_pieces(ADAPTER.stream_decoder(), body, cuts))
    chunks = _chunks(events)
    for chunk in chunks[:-1]:
        assert "finishReason" not in chunk["candidates"][0]
    assert "finishReason" in chunks[-1]["candidates"][0]
    calls = [p for c in chunks for p in _parts(c) if "functionCall" in p]
    assert len(calls) == len(response.tool_calls)  # whole calls, one per chunk
    for chunk in chunks:
        assert chunk["responseId"] == chunks[0]["responseId"]
        texts = [p for p in _parts(chunk) if "text" in p and not p.get("thought")]
        assert all(len(p["text"]) <= fragment_size for p in texts)


def test_stream_split_at_every_byte() -> None:
    response = Response(
        "gemini",
        "gemini-2.5-flash",
        text="Schön, ich prüfe das 🌦",
        tool_calls=(
            ToolCall("dv8szvqe", "get_weather", {"city": "Zürich", "units": ["c", None]}),
            ToolCall("j80tal12", "ping", {}),
        ),
        finish_reason="tool_calls",
        usage=Usage(12, 34),
        id=RESPONSE_ID,
    )
    body = b"".join(RESPONDER.encode_stream(response, fragment_size=5))
    for cut in range(len(body) + 1):
        assert key(feed_in_pieces(ADAPTER.stream_decoder(), body, [cut])) == key(response)
    decoder = ADAPTER.stream_decoder()
    for i in range(len(body)):
        decoder.feed(body[i : i + 1])
    assert key(decoder.close()) == key(response)


# --- (2) the official SDK reads the same calls ------------------------------------------------


def _sdk_calls(response: Response) -> list[tuple[str | None, str, Any, bytes | None]]:
    out = []
    for c in response.tool_calls:
        data = c.opaque.data if c.opaque is not None else {}
        signature = data.get("thoughtSignature")
        out.append(
            (
                None if data.get("generatedId") else c.id,
                c.name,
                c.arguments,
                base64.b64decode(signature) if signature else None,
            )
        )
    return out


@given(responses().filter(lambda r: r.id is not None))
def test_sdk_parses_the_body_into_the_same_calls(response: Response) -> None:
    encoded = RESPONDER.encode_response(response)
    sdk = sdk_parse(encoded.body)
    assert sdk == summary(ADAPTER.parse_response(encoded))
    assert sdk[1] == _sdk_calls(response)


@given(responses().filter(lambda r: r.id is not None), st.integers(min_value=1, max_value=16))
def test_sdk_reads_the_stream_into_the_same_calls(response: Response, fragment_size: int) -> None:
    body = b"".join(RESPONDER.encode_stream(response, fragment_size=fragment_size))
    sdk = sdk_stream(body)
    assert sdk == summary(feed_in_pieces(ADAPTER.stream_decoder(), body, []))
    assert sdk[1] == _sdk_calls(response)


# --- call ids and the wire shape ---------------------------------------------------------------

# A recorded answer (Arize-ai__openinference gemini test_response_with_multiple_tool_calls):
# Gemini 2.x sends calls without ids.
RECORDED = {
    "candidates": [
        {
            "content": {
                "parts": [
                    {"functionCall": {"name": "get_weather", "args": {"location": "Boston"}}},
                    {"functionCall": {"name": "get_weather", "args": {"location": "New Delhi"}}},
                ],
                "role": "model",
            },
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {"promptTokenCount": 64, "candidatesTokenCount": 11, "totalTokenCount": 75},
    "modelVersion": "gemini-2.0-flash",
    "responseId": "ldcEaoCaO72smtkPzqzB8Aw",
}


def test_a_decoded_answer_is_written_back_as_it_came() -> None:
    decoded = ADAPTER.parse_response(HttpResponse(200, {}, json.dumps(RECORDED).encode()))
    assert all(c.id.startswith("gemini_") for c in decoded.tool_calls)
    assert json.loads(RESPONDER.encode_response(decoded).body) == RECORDED
    events = _chunks(RESPONDER.encode_stream(decoded))
    sent = [p["functionCall"] for c in events for p in _parts(c) if "functionCall" in p]
    assert all("id" not in fc for fc in sent)
    back = feed_in_pieces(ADAPTER.stream_decoder(), b"".join(RESPONDER.encode_stream(decoded)), [])
    assert [c.id for c in back.tool_calls] == [c.id for c in decoded.tool_calls]


def test_ids_from_gemini_or_elsewhere_are_written() -> None:
    response = Response(
        "gemini",
        "gemini-3-pro-preview",
        tool_calls=(
            ToolCall("dv8szvqe", "a", {}, opaque=ProviderPart("gemini", {})),
            ToolCall("call_abc", "b", {"x": 1}),
        ),
        finish_reason="tool_calls",
    )
    body = json.loads(RESPONDER.encode_response(response).body)
    calls = [p["functionCall"] for p in _parts(body)]
    assert calls == [
        {"name": "a", "args": {}, "id": "dv8szvqe"},
        {"name": "b", "args": {"x": 1}, "id": "call_abc"},
    ]


def test_an_empty_call_id_leaves_the_id_to_the_decoder() -> None:
    response = Response("gemini", "m", tool_calls=(ToolCall("", "ping", {}),), id=RESPONSE_ID)
    body = json.loads(RESPONDER.encode_response(response).body)
    assert _parts(body) == [{"functionCall": {"name": "ping", "args": {}}}]
    back = ADAPTER.parse_response(RESPONDER.encode_response(response))
    assert back.tool_calls[0].id == _stable_id(RESPONSE_ID, 0, "ping", {})


def test_signatures_sit_beside_their_parts() -> None:
    response = Response(
        "gemini",
        "gemini-3-pro-preview",
        text="Done.",
        tool_calls=(
            ToolCall(
                "c1", "f", {"a": 1}, opaque=ProviderPart("gemini", {"thoughtSignature": "c2ln"})
            ),
        ),
        finish_reason="tool_calls",
        opaque=(ProviderPart("gemini", {"textSignature": "dHh0"}),),
    )
    parts = _parts(json.loads(RESPONDER.encode_response(response).body))
    assert parts == [
        {"text": "Done.", "thoughtSignature": "dHh0"},
        {"functionCall": {"name": "f", "args": {"a": 1}, "id": "c1"}, "thoughtSignature": "c2ln"},
    ]
    last = _parts(_chunks(RESPONDER.encode_stream(response))[-1])
    assert last == [{"text": "", "thoughtSignature": "dHh0"}]  # as the API ends a turn


def test_body_has_the_generate_content_shape() -> None:
    response = Response("gemini", "", text="Hello", usage=Usage(5, 0))
    request = Request("gemini-2.5-flash", (Message.user("hi"),))
    encoded = RESPONDER.encode_response(response, request)
    assert encoded.body.startswith(b'{\n  "candidates"')  # pretty-printed, as the API writes
    body = json.loads(encoded.body)
    assert body == {
        "candidates": [
            {
                "content": {"parts": [{"text": "Hello"}], "role": "model"},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        # proto3 JSON leaves zero counts out
        "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5},
        "modelVersion": "gemini-2.5-flash",
        "responseId": body["responseId"],
    }


def test_encoders_are_deterministic() -> None:
    def build() -> Response:
        return Response(
            "gemini",
            "gemini-2.5-flash",
            text="x",
            tool_calls=(ToolCall("", "ping", {"a": [1, {"b": "ü"}]}),),
            finish_reason="tool_calls",
            usage=Usage(1, 2),
        )

    one, two = build(), build()
    assert RESPONDER.encode_response(one).body == RESPONDER.encode_response(two).body
    assert RESPONDER.encode_stream(one) == RESPONDER.encode_stream(two)
    other = Response("gemini", "gemini-2.5-flash", text="y")
    assert (
        json.loads(RESPONDER.encode_response(other).body)["responseId"]
        != json.loads(RESPONDER.encode_response(one).body)["responseId"]
    )


def test_renamed_tools_go_out_under_their_wire_name_and_come_back() -> None:
    tool = Tool("server/tool name", "A tool whose name Gemini refuses", {"type": "object"})
    request = Request("gemini-2.5-flash", (Message.user("go"),), tools=(tool,))
    sent = ADAPTER.build_request(request, CONFIG).json()
    wire = sent["tools"][0]["functionDeclarations"][0]["name"]
    assert wire != tool.name
    response = Response(
        "gemini", "m", tool_calls=(ToolCall("c1", tool.name, {"k": 1}),), finish_reason="tool_calls"
    )
    encoded = RESPONDER.encode_response(response, request)
    assert _parts(json.loads(encoded.body))[0]["functionCall"]["name"] == wire
    assert ADAPTER.parse_response(encoded, request).tool_calls[0].name == tool.name
    body = b"".join(RESPONDER.encode_stream(response, request))
    assert feed_in_pieces(ADAPTER.stream_decoder(request), body, []).tool_calls[0].name == tool.name


def test_malformed_arguments_are_refused() -> None:
    call = ToolCall("c1", "f", {}, raw_arguments='{"a": 1,', malformed=True)
    response = Response("gemini", "m", tool_calls=(call,), finish_reason="tool_calls")
    with pytest.raises(UsageError, match="malformed arguments"):
        RESPONDER.encode_response(response)
    with pytest.raises(UsageError, match="malformed arguments"):
        RESPONDER.encode_stream(response)


def test_fragment_size_must_be_positive() -> None:
    with pytest.raises(UsageError, match="fragment_size"):
        RESPONDER.encode_stream(Response("gemini", "m", text="abc"), fragment_size=0)


# --- (3) errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "name", "cls"),
    [
        (400, "INVALID_ARGUMENT", BadRequestError),
        (401, "UNAUTHENTICATED", AuthenticationError),
        (403, "PERMISSION_DENIED", PermissionDeniedError),
        (404, "NOT_FOUND", NotFoundError),
        (429, "RESOURCE_EXHAUSTED", RateLimitError),
        (500, "INTERNAL", ServerError),
        (503, "UNAVAILABLE", OverloadedError),
        (504, "DEADLINE_EXCEEDED", ServerError),
    ],
)
def test_error_decodes_to_the_class_its_status_stands_for(
    status: int, name: str, cls: type[ProviderError]
) -> None:
    retry_after = 30.0 if status == 429 else None
    encoded = RESPONDER.encode_error(status, "something went wrong", retry_after=retry_after)
    assert encoded.status == status
    error = ADAPTER.parse_error(encoded)
    assert type(error) is cls
    assert error.status == status
    assert error.code == name
    assert error.message == "something went wrong"
    assert error.retry_after == retry_after
    assert error.retryable is (status >= 429)
    sdk = sdk_error(status, encoded.body)
    assert (sdk.code, sdk.status, sdk.message) == (status, name, "something went wrong")


@pytest.mark.parametrize(
    ("seconds", "delay"),
    [(30, "30s"), (2.5, "2.500s"), (0.000001, "0.000001s"), (1.123456789, "1.123456789s")],
)
def test_retry_after_becomes_a_retry_info_duration(seconds: float, delay: str) -> None:
    encoded = RESPONDER.encode_error(429, "Resource exhausted", retry_after=seconds)
    assert json.loads(encoded.body)["error"]["details"] == [
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}
    ]
    assert ADAPTER.parse_error(encoded).retry_after == pytest.approx(seconds)


def test_error_statuses_outside_the_table_and_bad_input() -> None:
    assert json.loads(RESPONDER.encode_error(418, "x").body)["error"]["status"] == "UNKNOWN"
    with pytest.raises(UsageError, match="400-599"):
        RESPONDER.encode_error(302, "moved")
    with pytest.raises(UsageError, match="retry_after"):
        RESPONDER.encode_error(429, "x", retry_after=float("nan"))


# --- (4) assistant turns --------------------------------------------------------------------

_PING = Tool("ping", "Check the service.")


def _history(turns: int) -> tuple[Message, ...]:
    messages = [Message.user("start")]
    for n in range(turns):
        call = ToolCall(f"call_{n}", "ping", {})
        messages += [
            Message.assistant(f"step {n}", [call]),
            Message.tool(ToolResult(call.id, "ping", "pong")),
        ]
    return tuple(messages)


@pytest.mark.parametrize("turns", [0, 1, 2])
def test_assistant_turns_counts_the_history(turns: int) -> None:
    request = Request("gemini-2.5-flash", _history(turns), tools=(_PING,))
    assert RESPONDER.assistant_turns(ADAPTER.build_request(request, CONFIG)) == turns


def test_assistant_turns_refuses_a_body_that_is_not_a_generate_content_request() -> None:
    with pytest.raises(UsageError, match="'contents'"):
        RESPONDER.assistant_turns(HttpRequest("POST", "https://x", {}, b'{"messages": []}'))
    with pytest.raises(UsageError, match="'contents'"):
        RESPONDER.assistant_turns(HttpRequest("POST", "https://x", {}, b""))
