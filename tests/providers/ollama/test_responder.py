"""The Ollama responder (what /api/chat would answer): the adapter decodes it back to the same
response, ollama-python parses it the same way, and errors come in the documented shape
(docs/dialects.md#ollama-errors)."""

from __future__ import annotations

import json

import pytest

from fctest import Message, ProviderPart, Request, Response, Tool, ToolCall, Usage
from fctest._wire import HttpRequest
from fctest.errors import NotFoundError, RateLimitError, UsageError
from fctest.providers import Config, get_responder
from fctest.providers.ollama import OllamaAdapter, OllamaResponder

from ._oracle import sdk_error, sdk_parse, sdk_stream, summary

ADAPTER = OllamaAdapter()
RESPONDER = get_responder("ollama")
TOOL = Tool("get.weather", "", {"type": "object", "properties": {"city": {"type": "string"}}})
REQUEST = Request(model="qwen3", messages=(Message.user("Paris?"),), tools=(TOOL,))
ANSWER = Response(
    "ollama",
    "qwen3",
    text="Checking. 東京",
    tool_calls=(
        ToolCall("call_ab12cd34", "get.weather", {"city": "Paris"}),
        ToolCall("call_ef56gh78", "get.weather", {"city": "Tōkyō"}),
    ),
    finish_reason="tool_calls",
    raw_finish_reason="stop",
    usage=Usage(24, 12),
    opaque=(ProviderPart("ollama", {"thinking": "Two calls."}),),
)


def _stream(items: list[bytes]) -> Response:
    decoder = ADAPTER.stream_decoder(REQUEST)
    for item in items:
        decoder.feed(item)
    return decoder.close()


def test_the_responder_is_registered() -> None:
    assert isinstance(RESPONDER, OllamaResponder)


def test_a_body_round_trips_and_the_sdk_agrees() -> None:
    http = RESPONDER.encode_response(ANSWER, REQUEST)
    assert http.headers["content-type"].startswith("application/json")
    wire = json.loads(http.body)
    assert [c["function"]["name"] for c in wire["message"]["tool_calls"]] == ["get_weather"] * 2
    assert [c["function"]["index"] for c in wire["message"]["tool_calls"]] == [0, 1]
    assert ADAPTER.parse_response(http, REQUEST) == ANSWER
    assert summary(ADAPTER.parse_response(http)) == sdk_parse(http.body)


@pytest.mark.parametrize("size", [1, 3, 8])
def test_a_stream_round_trips_and_the_sdk_agrees(size: int) -> None:
    items = RESPONDER.encode_stream(ANSWER, REQUEST, fragment_size=size)
    assert all(item.endswith(b"\n") and item.count(b"\n") == 1 for item in items)
    assert _stream(items) == ANSWER
    body = b"".join(items)
    decoder = ADAPTER.stream_decoder()
    decoder.feed(body)
    assert summary(decoder.close()) == sdk_stream(body)


def test_calls_without_ids_are_written_without_and_get_the_same_id_both_ways() -> None:
    answer = Response(
        "ollama", "qwen3", tool_calls=(ToolCall("", "ping", {}),), finish_reason="tool_calls"
    )
    body = ADAPTER.parse_response(RESPONDER.encode_response(answer))
    stream = _stream(RESPONDER.encode_stream(answer))
    assert body.tool_calls[0].id.startswith("ollama_")
    assert stream.tool_calls[0].id == body.tool_calls[0].id


@pytest.mark.parametrize(
    ("reason", "done"), [("stop", "stop"), ("length", "length"), ("other", "unload")]
)
def test_finish_reasons(reason: str, done: str) -> None:
    answer = Response("ollama", "m", text="x", finish_reason=reason)  # type: ignore[arg-type]
    assert json.loads(RESPONDER.encode_response(answer).body)["done_reason"] == done
    assert ADAPTER.parse_response(RESPONDER.encode_response(answer)).finish_reason == reason


@pytest.mark.parametrize("reason", ["content_filter", "malformed_call"])
def test_unwritable_finish_reasons_are_refused(reason: str) -> None:
    answer = Response("ollama", "m", text="x", finish_reason=reason)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="done_reason"):
        RESPONDER.encode_response(answer)
    with pytest.raises(UsageError, match="done_reason"):
        RESPONDER.encode_stream(answer)


def test_malformed_calls_are_refused() -> None:
    bad = ToolCall("c", "ping", {}, raw_arguments="{", malformed=True)
    with pytest.raises(UsageError, match="malformed"):
        RESPONDER.encode_response(Response("ollama", "m", tool_calls=(bad,)))


def test_errors_in_the_documented_shape() -> None:
    http = RESPONDER.encode_error(404, "model 'x' not found")
    assert json.loads(http.body) == {"error": "model 'x' not found"}
    assert type(ADAPTER.parse_error(http)) is NotFoundError
    sdk = sdk_error(404, http.body)
    assert (sdk.error, sdk.status_code) == ("model 'x' not found", 404)
    limited = ADAPTER.parse_error(RESPONDER.encode_error(429, "slow down", retry_after=2.5))
    assert type(limited) is RateLimitError
    assert limited.retry_after == 2.5
    with pytest.raises(UsageError):
        RESPONDER.encode_error(200, "fine")


def test_assistant_turns_counts_the_history() -> None:
    request = Request(
        model="m",
        messages=(
            Message.user("a"),
            Message.assistant("b"),
            Message.user("c"),
            Message.assistant("d"),
            Message.user("e"),
        ),
    )
    assert RESPONDER.assistant_turns(ADAPTER.build_request(request, Config())) == 2
    with pytest.raises(UsageError, match="/api/chat"):
        RESPONDER.assistant_turns(HttpRequest("POST", "http://x/api/chat", {}, b"[]"))


def test_the_same_response_always_gives_the_same_bytes() -> None:
    assert RESPONDER.encode_stream(ANSWER, REQUEST) == RESPONDER.encode_stream(ANSWER, REQUEST)
    assert RESPONDER.encode_response(ANSWER).body == RESPONDER.encode_response(ANSWER).body
