"""Every recording of Ollama in the shared corpus decodes, and agrees with ollama-python.

Recordings of the native ``/api/chat`` decode with the ``ollama`` adapter: 2xx bodies into the
tool calls the index records and the same text, thinking, calls, done reason and counts the SDK
parses; errors into the class the status stands for, with the SDK's message. The recorded
request validates against the SDK's ``ChatRequest``. Recordings of Ollama's OpenAI-compatible
``/v1`` endpoint (``chat_completions``) are decoded with the ``openai`` adapter, whose wire
format they are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS
from fctest import get_adapter
from fctest._cassettes import load_cassette
from fctest.errors import NotFoundError, ProviderError
from fctest.providers.ollama import OllamaAdapter

from ._oracle import request_problems, sdk_error, sdk_parse, sdk_stream, summary

ADAPTER = OllamaAdapter()
INDEX = CORPUS / "index.json"
ERRORS: dict[int, type[ProviderError]] = {404: NotFoundError}


def _entries() -> list[dict[str, Any]]:
    if not INDEX.is_file():
        return []
    return [f for f in json.loads(INDEX.read_text())["files"] if f["provider"] == "ollama"]


ENTRIES = _entries()
NATIVE = [e for e in ENTRIES if e["api"] == ["ollama_api_chat"]]


def _ids(entries: list[dict[str, Any]]) -> list[str]:
    return [Path(e["file"]).name for e in entries]


def test_corpus_is_present() -> None:
    if not INDEX.is_file():
        pytest.skip(f"the shared corpus is not at {CORPUS} (it lives beside the repository)")
    assert len(ENTRIES) >= 4
    assert len(NATIVE) >= 2


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_corpus_file_decodes_like_the_sdk(entry: dict[str, Any]) -> None:
    interactions = load_cassette(CORPUS / entry["file"])
    assert len(interactions) == entry["n_interactions"]
    native = entry in NATIVE
    adapter = ADAPTER if native else get_adapter("openai")
    expected = zip(entry["http_statuses"], entry["tool_calls_per_response"], strict=True)
    for interaction, (status, n_calls) in zip(interactions, expected, strict=True):
        http = interaction.response
        assert http.status == status
        if native:
            assert request_problems(json.loads(interaction.request.body)) == []
        if not http.ok:
            error = adapter.parse_error(http)
            assert type(error) is ERRORS[status]
            assert error.retryable is False
            with pytest.raises(ProviderError):
                adapter.parse_response(http)
            sdk = sdk_error(status, http.body)
            assert (sdk.status_code, sdk.error) == (error.status, error.message)
            continue
        if interaction.is_stream:
            decoder = adapter.stream_decoder()
            decoder.feed(http.body)
            response = decoder.close()
        else:
            response = adapter.parse_response(http)
        assert len(response.tool_calls) == n_calls
        assert not any(c.malformed for c in response.tool_calls)
        if not native:
            continue
        assert response.finish_reason == ("tool_calls" if n_calls else "stop")
        oracle = sdk_stream if interaction.is_stream else sdk_parse
        assert summary(response) == oracle(http.body)


def test_the_recorded_call_keeps_the_servers_id() -> None:
    """Servers from v0.12.10 send ids (docs/dialects.md#ollama-ids)."""
    path = CORPUS / "Arize-ai__openinference" / "ollama" / "test_chat_with_tool_call.yaml"
    if not path.is_file():
        pytest.skip(f"corpus file {path} is not present")
    (interaction,) = load_cassette(path)
    response = ADAPTER.parse_response(interaction.response)
    assert [c.id for c in response.tool_calls] == ["call_gsiiy8py"]
    assert response.raw_finish_reason == "stop"
    thinking = next(p.data["thinking"] for p in response.opaque if p.provider == "ollama")
    assert thinking.startswith("Thinking Process:")
