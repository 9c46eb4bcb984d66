"""Every recorded Chat Completions exchange in the shared corpus decodes: arguments, finish
reasons, streams, in-band errors and error bodies (docs/dialects.md#arguments,
docs/dialects.md#finish, docs/dialects.md#streaming, docs/dialects.md#inband,
docs/dialects.md#errors).

For the openai, azure_openai, xai (HTTP only: the ``*.xai.yaml`` files are gRPC), openrouter and
groq recordings: a 2xx body decodes into as many tool calls as ``index.json`` says the
recording holds, with the ids, names, arguments, text and finish reason the official openai
package parses from the same bytes; a 4xx/5xx decodes into the error class its status means;
an error sent inside an HTTP-200 stream raises the typed error. Responses-API files belong to
the Responses adapter's tests.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import CORPUS
from fctest import Message, Request, get_adapter
from fctest._cassettes import load_cassette
from fctest.errors import (
    AuthenticationError,
    BadRequestError,
    ModelOutputError,
    NotFoundError,
    ProviderError,
    RateLimitError,
)
from fctest.providers.openai.azure import AzureConfig

from ._oracle import sdk_parse, sdk_stream, summary

ADAPTERS = {
    "openai": "openai",
    "azure_openai": "azure-openai",
    "xai": "xai",
    "openrouter": "openrouter",
    "groq": "groq",
}
BY_STATUS: dict[int, type[ProviderError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
    429: RateLimitError,
}
# Errors the provider sent inside an HTTP-200 stream: file -> (interaction, class).
IN_BAND = {
    "groq/test_tool_use_failed_error_streaming.yaml": (0, ModelOutputError),
    "openrouter/test_openrouter_stream_error.yaml": (0, BadRequestError),
}


def _entries() -> list[Any]:
    index = CORPUS / "index.json"
    if not index.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus not found at {CORPUS}"))]
    files = json.loads(index.read_text(encoding="utf-8"))["files"]
    return [
        pytest.param(f, id=f["file"])
        for f in files
        if f["provider"] in ADAPTERS
        and "chat_completions" in f["api"]
        and not f["file"].endswith(".xai.yaml")
    ]


ENTRIES = _entries()


def _decode_stream(adapter: Any, body: bytes) -> Any:
    decoder = adapter.stream_decoder()
    decoder.feed(body)
    return decoder.close()


def test_the_corpus_has_chat_recordings_for_every_provider() -> None:
    if ENTRIES[0].values[0] is None:
        pytest.skip(f"corpus not found at {CORPUS}")
    assert {e.values[0]["provider"] for e in ENTRIES} == set(ADAPTERS)


@pytest.mark.parametrize("entry", ENTRIES)
def test_corpus_recording_decodes_like_the_sdk(entry: dict[str, Any]) -> None:
    adapter = get_adapter(ADAPTERS[entry["provider"]])
    interactions = load_cassette(CORPUS / entry["file"])
    assert len(interactions) == len(entry["tool_calls_per_response"])
    in_band = next((v for k, v in IN_BAND.items() if entry["file"].endswith(k)), None)
    for i, (it, n_calls) in enumerate(
        zip(interactions, entry["tool_calls_per_response"], strict=True)
    ):
        if it.request is not None:
            assert urlsplit(it.request.url).path.endswith("/chat/completions")
        response = it.response
        if not response.ok:
            with pytest.raises(ProviderError) as info:
                adapter.parse_response(response)
            assert isinstance(info.value, BY_STATUS[response.status])
            assert info.value.status == response.status
            assert info.value.provider == adapter.name
            continue
        if in_band is not None and in_band[0] == i:
            with pytest.raises(in_band[1]) as raised:
                _decode_stream(adapter, response.body)
            assert raised.value.status == 200
            continue
        if it.is_stream:
            decoded = _decode_stream(adapter, response.body)
            expected = sdk_stream(response.body)
        else:
            decoded = adapter.parse_response(response)
            expected = sdk_parse(response.body)
        assert len(decoded.tool_calls) == n_calls, f"interaction {i}"
        assert not any(c.malformed for c in decoded.tool_calls)
        assert summary(decoded) == expected, f"interaction {i}"
        if n_calls:
            assert decoded.finish_reason == "tool_calls"


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.values[0] is not None])
def test_corpus_streams_split_at_every_line_decode_the_same(entry: dict[str, Any]) -> None:
    adapter = get_adapter(ADAPTERS[entry["provider"]])
    for i, it in enumerate(load_cassette(CORPUS / entry["file"])):
        if not (it.response.ok and it.is_stream) or entry["file"].endswith(
            tuple(k for k, v in IN_BAND.items() if v[0] == i)
        ):
            continue
        whole = adapter.stream_decoder()
        whole.feed(it.response.body)
        expected = whole.close()
        pieces = it.response.body.split(b"\n")
        decoder = adapter.stream_decoder()
        for piece in pieces[:-1]:
            decoder.feed(piece + b"\n")
        decoder.feed(pieces[-1])
        assert decoder.close() == expected


def test_azure_deployment_url_matches_the_recorded_one() -> None:
    path = CORPUS / "pydantic__pydantic-ai/azure_openai/test_azure_provider_call.yaml"
    if not path.is_file():
        pytest.skip(f"corpus not found at {CORPUS}")
    recorded = load_cassette(path)[0].request
    assert recorded is not None
    config = AzureConfig(
        api_key="k",
        endpoint="https://pydanticai7521574644.openai.azure.com",
        deployment="gpt-4o",
        api_version="2024-12-01-preview",
    )
    request = Request(model="gpt-4o", messages=(Message.user("x"),))
    assert get_adapter("azure-openai").build_request(request, config).url == recorded.url
