"""Every recording of the Gemini API (and of Vertex AI's Gemini, same body shape) in the shared
corpus decodes, and agrees with the ``google-genai`` package: 2xx bodies and streams into the
tool calls the index records (and the same text, calls, signatures, finish reason and usage the
SDK parses), errors into the right class. Recorded conversations, rebuilt from what fctest
decoded, replay the way the recording did (docs/dialects.md#ids-gemini,
docs/dialects.md#thinking-gemini-signatures). Recordings of Gemini's OpenAI-compatible
endpoint (``chat_completions``) are decoded with the ``openai`` adapter."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS
from fctest import Message, Request, Response, Tool, ToolResult, get_adapter
from fctest._cassettes import Interaction, load_cassette
from fctest.errors import BadRequestError, NotFoundError, ProviderError
from fctest.providers.gemini import GeminiAdapter, GeminiConfig

from ._oracle import request_problems, sdk_error, sdk_parse, sdk_stream, summary

ADAPTER = GeminiAdapter()
INDEX = CORPUS / "index.json"
PROVIDERS = ("gemini", "vertex_gemini")


def _entries() -> list[dict[str, Any]]:
    if not INDEX.is_file():
        return []
    files = json.loads(INDEX.read_text())["files"]
    return [f for f in files if f["provider"] in PROVIDERS]


ENTRIES = _entries()
NATIVE = [e for e in ENTRIES if "chat_completions" not in e["api"]]
ERRORS: dict[int, type[ProviderError]] = {400: BadRequestError, 404: NotFoundError}


def _ids(entries: list[dict[str, Any]]) -> list[str]:
    return [f"{e['provider']}/{Path(e['file']).name}" for e in entries]


def _decode(interaction: Interaction) -> Response:
    if interaction.is_stream:
        decoder = ADAPTER.stream_decoder()
        decoder.feed(interaction.response.body)
        return decoder.close()
    return ADAPTER.parse_response(interaction.response)


def _load(name: str) -> list[Interaction]:
    path = CORPUS / "pydantic__pydantic-ai" / "gemini" / name
    if not path.is_file():
        pytest.skip(f"corpus file {path} is not present")
    return load_cassette(path)


def test_corpus_is_present() -> None:
    if not INDEX.is_file():
        pytest.skip(f"the shared corpus is not at {CORPUS} (it lives beside the repository)")
    assert len(ENTRIES) >= 20
    assert len(NATIVE) >= 19


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_corpus_file_decodes_like_the_sdk(entry: dict[str, Any]) -> None:
    interactions = load_cassette(CORPUS / entry["file"])
    assert len(interactions) == entry["n_interactions"]
    vertex = entry["provider"] == "vertex_gemini"
    openai_compatible = "chat_completions" in entry["api"]
    adapter = get_adapter("openai") if openai_compatible else ADAPTER
    expected = zip(entry["http_statuses"], entry["tool_calls_per_response"], strict=True)
    for interaction, (status, n_calls) in zip(interactions, expected, strict=True):
        http = interaction.response
        assert http.status == status
        if not http.ok:
            error = adapter.parse_error(http)
            assert type(error) is ERRORS[status]
            assert error.retryable is False
            with pytest.raises(ProviderError):
                adapter.parse_response(http)
            sdk = sdk_error(status, http.body)
            assert (sdk.code, sdk.status, sdk.message) == (status, error.code, error.message)
            continue
        if openai_compatible:
            response = adapter.parse_response(http)
            assert len(response.tool_calls) == n_calls
            continue
        response = _decode(interaction)
        assert len(response.tool_calls) == n_calls
        assert response.finish_reason == ("tool_calls" if n_calls else "stop")
        oracle = sdk_stream if interaction.is_stream else sdk_parse
        assert summary(response) == oracle(http.body, vertex=vertex)


@pytest.mark.parametrize("entry", NATIVE, ids=_ids(NATIVE))
def test_corpus_usage_adds_up_to_the_total(entry: dict[str, Any]) -> None:
    for interaction in load_cassette(CORPUS / entry["file"]):
        if not interaction.response.ok:
            continue
        body = interaction.response.body
        if interaction.is_stream:
            last = body.strip().split(b"\r\n\r\n")[-1].removeprefix(b"data: ")
            meta = json.loads(last)["usageMetadata"]
        else:
            meta = json.loads(body)["usageMetadata"]
        usage = _decode(interaction).usage
        assert usage is not None
        assert usage.total_tokens == meta["totalTokenCount"]


STREAMS = [e for e in NATIVE if "streaming" in e["exercises"]]


@pytest.mark.parametrize("entry", STREAMS, ids=_ids(STREAMS))
def test_corpus_stream_split_at_every_byte_decodes_the_same(entry: dict[str, Any]) -> None:
    for interaction in load_cassette(CORPUS / entry["file"]):
        whole = _decode(interaction)
        body = interaction.response.body
        assert b"\r\n\r\n" in body  # Gemini's real framing
        decoder = ADAPTER.stream_decoder()
        for i in range(len(body)):
            decoder.feed(body[i : i + 1])
        assert decoder.close() == whole


@pytest.mark.parametrize("entry", NATIVE, ids=_ids(NATIVE))
def test_corpus_recorded_requests_pass_the_request_oracle(entry: dict[str, Any]) -> None:
    """The oracle accepts what the real API accepted, so it is not stricter than the server."""
    for interaction in load_cassette(CORPUS / entry["file"]):
        assert interaction.request is not None
        body = interaction.request.json()
        # Old pydantic-ai sent `tools` as one object; proto JSON takes a single message for a
        # repeated field, the SDK type does not.
        if isinstance(body.get("tools"), dict):
            body["tools"] = [body["tools"]]
        assert request_problems(body) == []


# --- replay: the recorded follow-up request, rebuilt by fctest -----------------------------------


def _tools(recorded: dict[str, Any]) -> tuple[Tool, ...]:
    out = []
    for group in recorded.get("tools", ()):
        for d in group.get("functionDeclarations", ()):
            schema = d.get("parametersJsonSchema", d.get("parameters_json_schema"))
            out.append(Tool(d["name"], d.get("description", ""), schema))
    return tuple(out)


def _normalise(contents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Contents without what legitimately differs: ids pydantic-ai made up (fctest sends back
    none for calls that came without one), the signature's base64 alphabet (the SDK re-encodes
    bytes URL-safe), and the key inside ``functionResponse.response``."""
    out = []
    for content in contents:
        parts = []
        for part in content["parts"]:
            part = dict(part)
            if "functionCall" in part:
                part["functionCall"] = {k: v for k, v in part["functionCall"].items() if k != "id"}
            if "functionResponse" in part:
                fr = {k: v for k, v in part["functionResponse"].items() if k != "id"}
                fr["response"] = list(fr["response"].values())
                part["functionResponse"] = fr
            if "thoughtSignature" in part:
                part["thoughtSignature"] = base64.urlsafe_b64decode(
                    part["thoughtSignature"].replace("+", "-").replace("/", "_")
                )
            parts.append(part)
        out.append({"role": content["role"], "parts": parts})
    return out


def _replay(interactions: list[Interaction]) -> tuple[list[Any], list[Any]]:
    """(recorded contents of the second request, fctest's rebuild from the first response)."""
    assert interactions[0].request is not None
    assert interactions[1].request is not None
    first = interactions[0].request.json()
    second = interactions[1].request.json()
    tools = _tools(first)
    response = _decode(interactions[0])
    recorded = [p["functionResponse"] for p in second["contents"][-1]["parts"]]
    results = [
        ToolResult(call.id, call.name, next(iter(fr["response"].values())))
        for call, fr in zip(response.tool_calls, recorded, strict=True)
    ]
    messages = [Message.user(p["text"]) for p in first["contents"][0]["parts"]]
    system = first.get("systemInstruction", {}).get("parts", ())
    request = Request(
        "gemini-3-flash-preview",  # the model is in the URL, not the body
        (
            *(Message.system(p["text"]) for p in system),
            *messages,
            response.to_message(),
            Message.tool(*results),
        ),
        tools=tools,
    )
    ours = json.loads(ADAPTER.build_request(request, GeminiConfig(api_key="k")).body)
    assert request_problems(ours) == []
    if system:
        assert ours["systemInstruction"]["parts"] == system
    return _normalise(second["contents"]), _normalise(ours["contents"])


def test_replay_three_parallel_calls_like_the_recording() -> None:
    recorded, ours = _replay(_load("test_google_instructions_only_with_tool_calls.yaml"))
    assert ours == recorded
    model, results = ours[1:]
    assert len(model["parts"]) == len(results["parts"]) == 3
    # the signature rides on the first call only, exactly as Gemini sent it
    assert ["thoughtSignature" in p for p in model["parts"]] == [True, False, False]


def test_replay_streamed_call_with_signature_like_the_recording() -> None:
    recorded, ours = _replay(_load("test_google_streaming_tool_call_thought_signature.yaml"))
    assert ours == recorded
    assert "thoughtSignature" in ours[1]["parts"][0]
