"""Which adapter reads a recorded exchange: by the request URL an adapter builds or declares, and
for a response recorded without its request, by what each adapter reads out of the body."""

from __future__ import annotations

import json

import pytest

from fctest import Response, ToolCall, adapter_names, get_adapter
from fctest._wire import HttpResponse
from fctest.providers import adapter_for_body, adapter_for_url, get_responder

ADAPTERS = [get_adapter(n) for n in adapter_names()]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.openai.com/v1/chat/completions", "openai"),
        ("https://api.openai.com/v1/responses", "openai-responses"),
        ("https://api.anthropic.com/v1/messages?beta=true", "anthropic"),
        ("https://api.groq.com/openai/v1/chat/completions", "groq"),
        ("https://api.x.ai/v1/chat/completions", "xai"),
        ("https://openrouter.ai/api/v1/chat/completions", "openrouter"),
        (
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash"
            ":streamGenerateContent?alt=sse&key=secret",
            "gemini",
        ),
        (
            "https://generativelanguage.googleapis.com/v1/models/gemini-2.5-pro:generateContent",
            "gemini",
        ),
        (
            "https://aiplatform.googleapis.com/v1beta1/projects/p/locations/global/publishers/"
            "google/models/gemini-3-flash-preview:generateContent",
            "gemini",
        ),
        (
            "https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions"
            "?api-version=2024-10-21",
            "azure-openai",
        ),
        ("https://res.openai.azure.com/openai/v1/chat/completions", "azure-openai"),
        ("https://res.openai.azure.com/openai/v1/responses", "openai-responses"),
    ],
)
def test_a_recorded_url_names_its_adapter(url: str, expected: str) -> None:
    adapter = adapter_for_url(url, ADAPTERS)
    assert adapter is not None
    assert adapter.name == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://api.mistral.ai/v1/chat/completions",
        "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions",
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse",
        "http://localhost:11434/v1/chat/completions",
        "https://api.openai.com/v1/chat/completions/extra",
    ],
)
def test_an_endpoint_no_adapter_speaks_for_is_not_claimed(url: str) -> None:
    assert adapter_for_url(url, ADAPTERS) is None


def _answer(name: str, *, calls: int = 1) -> HttpResponse:
    response = Response(
        provider=name,
        model="m",
        tool_calls=tuple(ToolCall(f"call_{i}", f"tool_{i}", {"x": i}) for i in range(calls)),
        finish_reason="tool_calls",
    )
    return get_responder(name).encode_response(response)


@pytest.mark.parametrize("name", ["openai-responses", "anthropic", "gemini"])
def test_a_response_without_request_is_read_by_the_adapter_reading_the_most(name: str) -> None:
    found = adapter_for_body(_answer(name, calls=2), stream=False, adapters=ADAPTERS, hints=[])
    assert found is not None
    assert found.name == name


def test_vendors_sharing_a_decoder_fall_back_to_their_common_base_unless_a_folder_says() -> None:
    body = _answer("xai")
    found = adapter_for_body(body, stream=False, adapters=ADAPTERS, hints=[])
    assert found is not None
    assert found.name == "openai"
    hinted = adapter_for_body(body, stream=False, adapters=ADAPTERS, hints=["xai"])
    assert hinted is not None
    assert hinted.name == "xai"


def test_a_hint_that_reads_nothing_is_ignored() -> None:
    found = adapter_for_body(
        _answer("anthropic"), stream=False, adapters=ADAPTERS, hints=["openai"]
    )
    assert found is not None
    assert found.name == "anthropic"


def test_a_body_nothing_reads_is_nobody_s() -> None:
    body = HttpResponse(200, {}, json.dumps({"files": []}).encode())
    assert adapter_for_body(body, stream=False, adapters=ADAPTERS, hints=[]) is None
