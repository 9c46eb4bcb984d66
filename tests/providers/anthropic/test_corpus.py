"""Every recording of the Anthropic Messages API in the shared corpus decodes, and agrees with
the ``anthropic`` package: 2xx bodies and streams into the tool calls the index records (and
the same text, calls, stop reason, usage and opaque blocks the SDK parses), errors into the
right class. Recorded conversations, rebuilt from what fctest decoded, replay the way the
recording did."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic
import httpx2  # the SDK's own httpx fork (anthropic 2.15.0 imports httpx2, not httpx)
import pytest
from anthropic._error_classes import make_status_error
from anthropic.types.message_create_params import (
    MessageCreateParamsNonStreaming,
    MessageCreateParamsStreaming,
)

from conftest import CORPUS
from fctest import Message, Request, Response, Tool, ToolResult
from fctest._cassettes import Interaction, load_cassette
from fctest.errors import BadRequestError, NotFoundError, ProviderError
from fctest.providers.anthropic import AnthropicAdapter, AnthropicConfig
from oracles import typeddict_problems

from ._oracle import sdk_message, sdk_stream, summary

ADAPTER = AnthropicAdapter()
INDEX = CORPUS / "index.json"


def _entries() -> list[dict[str, Any]]:
    if not INDEX.is_file():
        return []
    files = json.loads(INDEX.read_text())["files"]
    return [f for f in files if f["provider"] == "anthropic"]


ENTRIES = _entries()
# What each HTTP error status decodes to, and the class the SDK raises for it.
ERRORS: dict[int, tuple[type[ProviderError], type[Exception]]] = {
    400: (BadRequestError, anthropic.BadRequestError),
    404: (NotFoundError, anthropic.NotFoundError),
}


def _decode(interaction: Interaction) -> Response:
    response = interaction.response
    if interaction.is_stream:
        decoder = ADAPTER.stream_decoder()
        decoder.feed(response.body)
        return decoder.close()
    return ADAPTER.parse_response(response)


def _load(name: str) -> list[Interaction]:
    path = CORPUS / "pydantic__pydantic-ai" / "anthropic" / name
    if not path.is_file():
        pytest.skip(f"corpus file {path} is not present")
    return load_cassette(path)


def test_corpus_is_present() -> None:
    if not INDEX.is_file():
        pytest.skip(f"the shared corpus is not at {CORPUS} (it lives beside the repository)")
    assert len(ENTRIES) >= 15


@pytest.mark.parametrize("entry", ENTRIES, ids=[Path(e["file"]).name for e in ENTRIES])
def test_corpus_file_decodes_like_the_sdk(entry: dict[str, Any]) -> None:
    interactions = load_cassette(CORPUS / entry["file"])
    assert len(interactions) == entry["n_interactions"]
    expected = zip(entry["http_statuses"], entry["tool_calls_per_response"], strict=True)
    for interaction, (status, n_calls) in zip(interactions, expected, strict=True):
        http = interaction.response
        assert http.status == status
        if not http.ok:
            ours, sdk_cls = ERRORS[status]
            error = ADAPTER.parse_error(http)
            assert type(error) is ours
            assert error.code == json.loads(http.body)["error"]["type"]
            assert error.retryable is False
            with pytest.raises(ProviderError):
                ADAPTER.parse_response(http)
            sdk = make_status_error(
                "x",
                body=json.loads(http.body),
                response=httpx2.Response(status, request=httpx2.Request("POST", "https://x")),
            )
            assert isinstance(sdk, sdk_cls)
            continue
        response = _decode(interaction)
        assert len(response.tool_calls) == n_calls
        assert response.finish_reason == ("tool_calls" if n_calls else "stop")
        oracle = sdk_stream if interaction.is_stream else sdk_message
        assert summary(response) == oracle(http.body)


@pytest.mark.parametrize(
    "entry",
    [e for e in ENTRIES if "streaming" in e["exercises"]],
    ids=[Path(e["file"]).name for e in ENTRIES if "streaming" in e["exercises"]],
)
def test_corpus_stream_split_at_every_byte_decodes_the_same(entry: dict[str, Any]) -> None:
    for interaction in load_cassette(CORPUS / entry["file"]):
        whole = _decode(interaction)
        decoder = ADAPTER.stream_decoder()
        body = interaction.response.body
        for i in range(len(body)):
            decoder.feed(body[i : i + 1])
        assert decoder.close() == whole


def _tools(recorded: dict[str, Any]) -> tuple[Tool, ...]:
    return tuple(
        Tool(t["name"], t.get("description", ""), t["input_schema"])
        for t in recorded.get("tools", ())
        if "input_schema" in t
    )


def _replay(interactions: list[Interaction]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The second recorded request, and fctest's rebuild of it from the first response."""
    assert interactions[0].request is not None
    assert interactions[1].request is not None
    first = interactions[0].request.json()
    second = interactions[1].request.json()
    response = _decode(interactions[0])
    recorded_results = [b for b in second["messages"][-1]["content"] if b["type"] == "tool_result"]
    results = []
    for call, block in zip(response.tool_calls, recorded_results, strict=True):
        content = block["content"]
        text = content if isinstance(content, str) else content[0]["text"]
        results.append(ToolResult(call.id, call.name, text))
    thinking = second.get("thinking")
    request = Request(
        second["model"],
        (
            Message.user(first["messages"][0]["content"][0]["text"]),
            response.to_message(),
            Message.tool(*results),
        ),
        tools=_tools(first),
        stream=second.get("stream", False),
        thinking_budget=thinking["budget_tokens"] if thinking else None,
        max_output_tokens=second["max_tokens"],
    )
    body = ADAPTER.build_request(request, AnthropicConfig(api_key="k")).json()
    kind = MessageCreateParamsStreaming if body.get("stream") else MessageCreateParamsNonStreaming
    assert typeddict_problems(body, kind) == []
    return second, body


def test_corpus_thinking_turn_is_sent_back_exactly_as_recorded() -> None:
    recorded, ours = _replay(_load("test_anthropic_tool_with_thinking.yaml"))
    # thinking (with its signature), text, tool_use: the assistant turn pydantic-ai sent.
    assert ours["messages"][1] == recorded["messages"][1]
    assert ours["thinking"] == recorded["thinking"]
    assert ours["messages"][2]["content"] == [
        {
            "type": "tool_result",
            "tool_use_id": "toolu_01YGzqpRE16Vricda3Aqcejo",
            "content": "Mexico",
        }
    ]


def test_corpus_four_parallel_results_go_back_in_one_message_in_call_order() -> None:
    recorded, ours = _replay(_load("test_multiple_parallel_tool_calls.yaml"))
    assert ours["messages"][1] == recorded["messages"][1]
    sent = ours["messages"][2]
    assert sent["role"] == "user"
    assert [b["tool_use_id"] for b in sent["content"]] == [
        b["tool_use_id"] for b in recorded["messages"][2]["content"]
    ]
    assert [b["tool_use_id"] for b in sent["content"]] == [
        b["id"] for b in recorded["messages"][1]["content"] if b["type"] == "tool_use"
    ]


def test_corpus_server_tool_blocks_are_sent_back() -> None:
    recorded, ours = _replay(_load("test_anthropic_native_tool_search_streaming.yaml"))
    sent = ours["messages"][1]["content"]
    original = recorded["messages"][1]["content"]
    # Every non-text block goes back unchanged; the two text blocks go back as one.
    assert [b for b in sent if b["type"] != "text"] == [b for b in original if b["type"] != "text"]
    assert [b["text"] for b in sent if b["type"] == "text"] == [
        "".join(b["text"] for b in original if b["type"] == "text")
    ]
    assert [b["type"] for b in sent] == [
        "server_tool_use",
        "tool_search_tool_result",
        "text",
        "tool_use",
    ]
