"""Every recorded Responses-API exchange in the shared corpus decodes as the recording says.

The corpus (``shared/corpus``, see its README) holds real traffic recorded by other projects.
For every file whose API is ``responses`` (OpenAI and Azure OpenAI; the xAI files are Chat
Completions or gRPC, so none qualify): each 2xx response decodes to the number of tool calls
``index.json`` lists, and to what openai-python parses or accumulates from the same bytes; each
error status maps to the right ``ProviderError`` class. Where a recording goes on to send the
decoded turn back, the items fctest would send are compared with the ones the server accepted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openai.types.responses.response_create_params import ResponseCreateParamsNonStreaming

from conftest import CORPUS
from fctest import Message, Request, Response, ToolResult
from fctest._cassettes import Interaction, load_cassette
from fctest.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    ProviderError,
    RateLimitError,
    ServerError,
)
from fctest.providers.openai import OpenAIResponsesAdapter
from oracles import typeddict_problems

from .test_responses import sdk_parse, sdk_stream, summary

ADAPTER = OpenAIResponsesAdapter()
INDEX = CORPUS / "index.json"

pytestmark = pytest.mark.skipif(
    not INDEX.is_file(), reason=f"the shared corpus is not at {CORPUS} (index.json missing)"
)

_BY_STATUS: dict[int, type[ProviderError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
    429: RateLimitError,
    500: ServerError,
}


def _entries() -> list[dict[str, Any]]:
    if not INDEX.is_file():
        return []
    files: list[dict[str, Any]] = json.loads(INDEX.read_text())["files"]
    return [
        e
        for e in files
        if e["provider"] in ("openai", "azure_openai", "xai")
        and any(api.startswith("responses") for api in e["api"])
    ]


ENTRIES = _entries()


def _decode(interaction: Interaction) -> Response:
    if interaction.is_stream:
        decoder = ADAPTER.stream_decoder()
        decoder.feed(interaction.response.body)
        return decoder.close()
    return ADAPTER.parse_response(interaction.response)


def test_the_corpus_has_responses_files() -> None:
    assert len(ENTRIES) >= 10, [e["file"] for e in ENTRIES]


@pytest.mark.parametrize("entry", ENTRIES, ids=[Path(e["file"]).name for e in ENTRIES])
def test_corpus_file_decodes_as_recorded(entry: dict[str, Any]) -> None:
    interactions = load_cassette(CORPUS / entry["file"])
    expected_calls: list[int] = entry["tool_calls_per_response"]
    statuses: list[Any] = entry["http_statuses"]
    assert len(interactions) == len(expected_calls) == len(statuses)
    for interaction, n_calls, status in zip(interactions, expected_calls, statuses, strict=True):
        response = interaction.response
        if isinstance(status, int) and status >= 400:
            error = ADAPTER.parse_error(response)
            assert isinstance(error, _BY_STATUS[status]), error
            assert error.status == status
            assert error.message
            with pytest.raises(_BY_STATUS[status]):
                ADAPTER.parse_response(response)
            continue
        if {"error_body", "stream_error_event"} & set(entry["exercises"]):
            # vercel/ai fixtures without a status: an insufficient_quota body (OpenAI sends it
            # with 429) and a stream ending in an `error` event; both must raise.
            with pytest.raises(RateLimitError, match="quota"):
                _decode(interaction)
            if not interaction.is_stream:
                error = ADAPTER.parse_error(type(response)(429, response.headers, response.body))
                assert isinstance(error, RateLimitError)
            continue
        decoded = _decode(interaction)
        assert len(decoded.tool_calls) == n_calls
        assert not any(c.malformed for c in decoded.tool_calls)
        assert all(c.id.startswith("call_") for c in decoded.tool_calls)  # call_id, not fc_
        assert decoded.finish_reason == ("tool_calls" if n_calls else "stop")
        oracle = sdk_stream if interaction.is_stream else sdk_parse
        assert summary(decoded) == oracle(response.body)
        _turn_items(decoded)  # and the turn goes back as items the SDK's types accept


def _replays() -> list[tuple[str, int]]:
    """(file, k) where interaction k+1 sent back the turn decoded from response k."""
    out = []
    for e in ENTRIES:
        statuses = e["http_statuses"]
        for k in range(len(statuses) - 1):
            if statuses[k] == 200 and e["tool_calls_per_response"][k]:
                out.append((e["file"], k))
    return out


def _turn_items(response: Response) -> list[dict[str, Any]]:
    """The input items fctest sends for ``response``'s turn (results answered with "ok")."""
    messages = [Message.user("q"), response.to_message()]
    if response.tool_calls:
        messages.append(
            Message.tool(*(ToolResult(c.id, c.name, "ok") for c in response.tool_calls))
        )
    body = json.loads(ADAPTER.build_request(Request("m", messages), _CONFIG).body)
    assert typeddict_problems(body, ResponseCreateParamsNonStreaming) == []
    return [i for i in body["input"][1:] if i.get("type") != "function_call_output"]


_CONFIG = ADAPTER.config_type()


@pytest.mark.parametrize(
    ("file", "k"), _replays(), ids=[f"{Path(f).name}-{k}" for f, k in _replays()]
)
def test_replayed_turn_matches_what_the_server_accepted(file: str, k: int) -> None:
    interactions = load_cassette(CORPUS / file)
    nxt = interactions[k + 1]
    assert nxt.request is not None
    assert nxt.response.ok
    decoded = _decode(interactions[k])
    ours = _turn_items(decoded)
    body = nxt.request.json()
    sent = [i for i in body["input"] if i.get("type") in ("reasoning", "function_call")]
    if not sent:
        # The turn itself was referenced by previous_response_id; only the outputs were sent,
        # paired by call_id, which is the neutral ToolCall.id (docs/dialects.md#ids-responses-two).
        assert body["previous_response_id"] == decoded.id
        outputs = [i["call_id"] for i in body["input"] if i["type"] == "function_call_output"]
        assert outputs == [c.id for c in decoded.tool_calls]
        return
    if any(i.get("type") == "reasoning" for i in sent):
        # Reasoning models: the accepted turn is exactly what fctest sends, ids included.
        def norm(item: dict[str, Any]) -> dict[str, Any]:
            return {key: v for key, v in item.items() if key != "status"}

        assert [norm(i) for i in ours] == [norm(i) for i in sent]
        return
    # Otherwise the server accepted calls without item ids; fctest sends the same calls (with
    # their fc_ ids). pydantic-ai's 2025 recordings sent the fc_ id *as* call_id on both the
    # call and its output, which the server accepted because the two agreed (what matters is the
    # pairing: docs/dialects.md#ids-responses-two); fctest always pairs by call_id.
    assert len(ours) == len(sent)
    for mine, theirs in zip(ours, sent, strict=True):
        assert theirs["call_id"] in (mine["call_id"], mine["id"])
        assert mine["call_id"].startswith("call_")
        assert (mine["name"], json.loads(mine["arguments"])) == (
            theirs["name"],
            json.loads(theirs["arguments"]),
        )


def test_reasoning_followed_by_message_goes_back_with_the_message_id() -> None:
    """The recorded 400: a reasoning item replayed before an id-less assistant message."""
    path = (
        CORPUS
        / "pydantic__pydantic-ai/openai/test_openai_responses_thinking_with_modified_history.yaml"
    )
    first, rejected, _ = load_cassette(path)
    error = ADAPTER.parse_error(rejected.response)
    assert isinstance(error, BadRequestError)
    assert "without its required following item" in error.message
    response = _decode(first)
    ours = _turn_items(response)
    assert [i.get("type") for i in ours] == ["reasoning", "message"]
    assert ours[1]["id"].startswith("msg_")
    assert rejected.request is not None
    refused = [i for i in rejected.request.json()["input"] if i.get("role") == "assistant"]
    assert refused == [{"content": "The meaning of life is 42", "role": "assistant"}]
