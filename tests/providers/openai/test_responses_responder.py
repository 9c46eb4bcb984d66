"""The Responses encoders (``openai-responses``): the ``response`` object and the typed event
stream decode back to the same response (split anywhere), the ``openai`` package parses and
accumulates them into the same calls, and ``assistant_turns`` counts runs of assistant items.
Errors of the whole OpenAI family are tested in ``test_openai_encode.py``."""

from __future__ import annotations

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
from pydantic import TypeAdapter

from fctest import HttpRequest, Message, Request, Response, Tool, ToolCall, ToolResult, Usage
from fctest.errors import UsageError
from fctest.providers import Config, responder_for
from fctest.providers.openai import OpenAIResponsesAdapter

from .._encode_strategies import feed_in_pieces, key
from ._strategies import neutral_responses

ADAPTER = OpenAIResponsesAdapter()
RESPONDER = responder_for(ADAPTER)
CONFIG = Config(api_key="k")
EVENTS: TypeAdapter[Any] = TypeAdapter(ResponseStreamEvent)

# Every neutral reason but malformed_call has a wire form here (``other``: incomplete, no reason).
responses = neutral_responses(
    with_calls=["tool_calls", "length", "content_filter", "other"],
    without_calls=["stop", "length", "content_filter", "other"],
    id_prefix="resp_",
)
STATUS = {
    "stop": ("completed", None),
    "tool_calls": ("completed", None),
    "length": ("incomplete", "max_output_tokens"),
    "content_filter": ("incomplete", "content_filter"),
    "other": ("incomplete", None),
}


def expect(original: Response, back: Response) -> None:
    assert key(back) == key(original)
    assert back.model == original.model
    if original.id is not None:
        assert back.id == original.id


def events(chunks: list[bytes]) -> list[dict[str, Any]]:
    """Every event's JSON, checking the framing: ``event: <type>`` then one ``data:`` line."""
    out = []
    for chunk in chunks:
        assert chunk.endswith(b"\n\n")
        event_line, data_line = chunk.decode("utf-8").rstrip("\n").split("\n")
        data = json.loads(data_line.removeprefix("data: "))
        assert event_line == f"event: {data['type']}"
        out.append(data)
    return out


def sdk_calls(resp: SDKResponse) -> list[tuple[str, str, Any]]:
    return [
        (item.call_id, item.name, json.loads(item.arguments))
        for item in resp.output
        if item.type == "function_call"
    ]


# --- (1) round trips -------------------------------------------------------------------------


@given(responses)
def test_body_round_trip(response: Response) -> None:
    encoded = RESPONDER.encode_response(response)
    assert encoded.status == 200
    assert encoded.headers["content-type"] == "application/json"
    expect(response, ADAPTER.parse_response(encoded))


@given(responses, st.integers(1, 16), st.data())
def test_stream_round_trip_at_any_byte_boundary(
    response: Response, fragment_size: int, data: st.DataObject
) -> None:
    body = b"".join(RESPONDER.encode_stream(response, fragment_size=fragment_size))
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=12))
    expect(response, feed_in_pieces(ADAPTER.stream_decoder(), body, cuts))


def test_stream_split_at_every_byte() -> None:
    response = Response(
        "openai-responses",
        "gpt-5.1",
        text="Schön 🌦",
        tool_calls=(
            ToolCall("call_1", "get_weather", {"city": "Zürich"}),
            ToolCall("call_2", "ping", {}),
        ),
        finish_reason="tool_calls",
        usage=Usage(12, 34),
    )
    body = b"".join(RESPONDER.encode_stream(response, fragment_size=6))
    for cut in range(len(body) + 1):
        expect(response, feed_in_pieces(ADAPTER.stream_decoder(), body, [cut]))


@given(responses)
def test_encoding_is_deterministic_and_idempotent(response: Response) -> None:
    first = RESPONDER.encode_response(response)
    assert RESPONDER.encode_response(response).body == first.body
    assert RESPONDER.encode_stream(response) == RESPONDER.encode_stream(response)
    decoded = ADAPTER.parse_response(first)
    # The decoded answer keeps its fc_ item ids (opaque) and re-encodes to the same bytes.
    assert RESPONDER.encode_response(decoded).body == first.body
    assert RESPONDER.encode_stream(decoded) == RESPONDER.encode_stream(response)


# --- (2) the official SDK reads the same calls ------------------------------------------------


@given(responses)
def test_sdk_parses_the_body_into_the_same_calls(response: Response) -> None:
    body = RESPONDER.encode_response(response).body
    lenient = construct_type(type_=SDKResponse, value=json.loads(body))
    strict = SDKResponse.model_validate_json(body)  # every required field is there
    for sdk in (lenient, strict):
        assert isinstance(sdk, SDKResponse)
        assert sdk_calls(sdk) == [(c.id, c.name, c.arguments) for c in response.tool_calls]
        assert (sdk.output_text or None) == response.text
        status, reason = STATUS[response.finish_reason]
        assert sdk.status == status
        assert (sdk.incomplete_details.reason if sdk.incomplete_details else None) == reason
        assert (sdk.usage is None) == (response.usage is None)
        if response.usage is not None:
            assert sdk.usage is not None
            assert (sdk.usage.input_tokens, sdk.usage.output_tokens) == (
                response.usage.input_tokens,
                response.usage.output_tokens,
            )


@given(responses, st.integers(4, 16))
def test_sdk_accumulates_the_stream_into_the_same_calls(
    response: Response, fragment_size: int
) -> None:
    body = b"".join(RESPONDER.encode_stream(response, fragment_size=fragment_size))
    state: ResponseStreamState[Any] = ResponseStreamState(input_tools=omit, text_format=omit)
    final = None
    numbers = []
    for sse in SDKSSEDecoder().iter_bytes(iter([body])):
        raw = sse.json()
        EVENTS.validate_python(raw)  # each event is a valid strict SDK event
        numbers.append(raw["sequence_number"])
        for event in state.handle_event(construct_type(type_=ResponseStreamEvent, value=raw)):
            if event.type in ("response.completed", "response.incomplete"):
                final = event.response
    assert numbers == list(range(len(numbers)))
    assert final is not None
    assert sdk_calls(final) == [(c.id, c.name, c.arguments) for c in response.tool_calls]
    assert (final.output_text or None) == response.text
    assert final.status == STATUS[response.finish_reason][0]


# --- the stream's shape ----------------------------------------------------------------------


def test_stream_events_in_the_order_the_api_sends_them() -> None:
    arguments = {"city": "Zürich"}
    text = json.dumps(arguments, ensure_ascii=False, separators=(",", ":"))
    response = Response(
        "openai-responses",
        "gpt-5.1",
        text="Checking",
        tool_calls=(ToolCall("call_1", "get_weather", arguments),),
        finish_reason="tool_calls",
        usage=Usage(3, 4),
    )
    got = events(RESPONDER.encode_stream(response, fragment_size=5))
    kinds = [e["type"] for e in got]
    assert kinds == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.output_item.added",
        *["response.function_call_arguments.delta"] * 4,
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    created = got[0]["response"]
    assert (created["status"], created["output"], created["usage"]) == ("in_progress", [], None)
    added = got[9]["item"]
    assert added["type"] == "function_call"
    assert added["id"].startswith("fc_")
    assert (added["call_id"], added["name"], added["arguments"], added["status"]) == (
        "call_1",
        "get_weather",
        "",
        "in_progress",
    )
    deltas = [e for e in got if e["type"] == "response.function_call_arguments.delta"]
    assert all(e["item_id"] == added["id"] and e["output_index"] == 1 for e in deltas)
    assert all(len(e["delta"]) <= 5 for e in deltas)
    assert "".join(e["delta"] for e in deltas) == text
    assert got[14]["arguments"] == text
    assert got[15]["item"] == {**added, "arguments": text, "status": "completed"}
    final = got[-1]["response"]
    assert final["status"] == "completed"
    assert [i["type"] for i in final["output"]] == ["message", "function_call"]
    assert final["output"][0]["id"].startswith("msg_")
    assert final["output"][0]["id"] == got[2]["item"]["id"]
    assert final["usage"]["total_tokens"] == 7


def test_fragment_size_must_be_positive() -> None:
    with pytest.raises(UsageError, match="fragment_size"):
        RESPONDER.encode_stream(
            Response("openai-responses", "m", tool_calls=(ToolCall("c", "f"),)), fragment_size=0
        )


# --- finish reasons and malformed calls ---------------------------------------------------------


def test_call_cut_off_by_the_token_limit_stays_malformed() -> None:
    cut = ToolCall("call_1", "f", {}, raw_arguments='{"a": "tru', malformed=True)
    response = Response("openai-responses", "m", tool_calls=(cut,), finish_reason="length")
    body = json.loads(RESPONDER.encode_response(response).body)
    assert body["status"] == "incomplete"
    assert body["incomplete_details"] == {"reason": "max_output_tokens"}
    assert body["output"][0]["status"] == "incomplete"
    stream = b"".join(RESPONDER.encode_stream(response, fragment_size=3))
    for back in (
        ADAPTER.parse_response(RESPONDER.encode_response(response)),
        feed_in_pieces(ADAPTER.stream_decoder(), stream, []),
    ):
        (call,) = back.tool_calls
        assert (call.malformed, call.raw_arguments) == (True, '{"a": "tru')
        assert back.finish_reason == "length"


def test_malformed_call_is_sent_completed() -> None:
    bad = ToolCall("call_1", "f", {}, raw_arguments="{oops", malformed=True)
    response = Response("openai-responses", "m", tool_calls=(bad,), finish_reason="malformed_call")
    encoded = RESPONDER.encode_response(response)
    body = json.loads(encoded.body)
    assert (body["status"], body["output"][0]["status"]) == ("completed", "completed")
    back = ADAPTER.parse_response(encoded)
    assert back.tool_calls[0].malformed
    assert back.tool_calls[0].raw_arguments == "{oops"
    assert back.finish_reason == "tool_calls"  # nothing on the wire says malformed_call


REPORT = Tool(
    "server/report.make",
    "Make a report.",
    {
        "type": "object",
        "properties": {"title": {"type": "string"}, "pages": {"type": "integer"}},
        "required": ["title"],
    },
    strict=True,
)


def test_request_settings_are_echoed_and_names_mapped() -> None:
    request = Request(
        "gpt-5.1",
        (Message.user("go"),),
        tools=(REPORT,),
        tool_choice="required",
        temperature=0.2,
        max_output_tokens=300,
    )
    sent = json.loads(ADAPTER.build_request(request, CONFIG).body)
    response = Response(
        "openai-responses",
        "gpt-5.1",
        tool_calls=(ToolCall("call_1", REPORT.name, {"title": "Q3"}),),
        finish_reason="tool_calls",
    )
    body = json.loads(RESPONDER.encode_response(response, request).body)
    for field in (
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "temperature",
        "max_output_tokens",
    ):
        assert body[field] == sent[field]
    item = body["output"][0]
    assert item["name"] == sent["tools"][0]["name"] != REPORT.name
    assert json.loads(item["arguments"]) == {"title": "Q3", "pages": None}  # strict: null sent
    SDKResponse.model_validate(body)
    for back in (
        ADAPTER.parse_response(RESPONDER.encode_response(response, request), request),
        feed_in_pieces(
            ADAPTER.stream_decoder(request),
            b"".join(RESPONDER.encode_stream(response, request)),
            [],
        ),
    ):
        assert [(c.name, c.arguments) for c in back.tool_calls] == [(REPORT.name, {"title": "Q3"})]


# --- (4) assistant turns -------------------------------------------------------------------------


def turns(items: Any) -> int:
    return RESPONDER.assistant_turns(
        HttpRequest("POST", "u", {}, json.dumps({"model": "m", "input": items}).encode())
    )


def test_a_run_of_assistant_items_is_one_turn() -> None:
    call = {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"}
    out = {"type": "function_call_output", "call_id": "c1", "output": "ok"}
    reasoning = {"type": "reasoning", "id": "rs_1", "summary": []}
    message = {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "hi"}],
    }
    user = {"role": "user", "content": "hi"}
    assert turns("just a string") == 0
    assert turns([user]) == 0
    assert (
        turns(
            [
                user,
                reasoning,
                message,
                call,
                {**call, "call_id": "c2"},
                out,
                {**out, "call_id": "c2"},
            ]
        )
        == 1
    )
    assert turns([user, call, out, {"role": "assistant", "content": "done"}]) == 2
    assert turns([user, message, user, message, user]) == 2


def test_assistant_turns_of_replayed_responses() -> None:
    """A history holding decoded answers (opaque items replayed, reasoning included) counts one
    turn per answer."""
    tool = Tool("f", "", {"type": "object", "properties": {}})
    first = ADAPTER.parse_response(
        RESPONDER.encode_response(
            Response(
                "openai-responses",
                "m",
                text="let me check",
                tool_calls=(ToolCall("c1", "f", {}),),
                finish_reason="tool_calls",
            )
        )
    )
    second = ADAPTER.parse_response(
        RESPONDER.encode_response(
            Response(
                "openai-responses",
                "m",
                tool_calls=(ToolCall("c2", "f", {}),),
                finish_reason="tool_calls",
            )
        )
    )
    history = (
        Message.user("go"),
        first.to_message(),
        Message.tool(ToolResult("c1", "f", "ok")),
        second.to_message(),
        Message.tool(ToolResult("c2", "f", "ok")),
    )
    http = ADAPTER.build_request(Request("m", history, tools=(tool,)), CONFIG)
    assert RESPONDER.assistant_turns(http) == 2
    assert (
        RESPONDER.assistant_turns(
            ADAPTER.build_request(Request("m", history[:3], tools=(tool,)), CONFIG)
        )
        == 1
    )
