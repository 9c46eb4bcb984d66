"""OpenRouter: attribution headers, 402, nested upstream errors, errors under HTTP 200."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.chat.completion_create_params import CompletionCreateParamsNonStreaming

from fctest import HttpResponse, Message, Request, get_adapter
from fctest.errors import BadRequestError, ProviderError, RateLimitError, ServerError, UsageError
from fctest.providers import Config
from fctest.providers.openai.openrouter import OpenRouterAdapter, OpenRouterConfig
from oracles import typeddict_problems

ADAPTER = OpenRouterAdapter()
REQUEST = Request(
    model="mistralai/mistral-small", messages=(Message.user("x"),), max_output_tokens=9
)


def test_registered_url_and_attribution_headers() -> None:
    assert isinstance(get_adapter("openrouter"), OpenRouterAdapter)
    config = OpenRouterConfig(api_key="or-k", http_referer="https://app.example", x_title="My App")
    http = ADAPTER.build_request(REQUEST, config)
    assert http.url == "https://openrouter.ai/api/v1/chat/completions"
    assert http.headers == {
        "Content-Type": "application/json",
        "Authorization": "Bearer or-k",
        "HTTP-Referer": "https://app.example",
        "X-Title": "My App",
    }
    body = http.json()
    assert body == {
        "model": "mistralai/mistral-small",
        "messages": [{"role": "user", "content": "x"}],
        "max_tokens": 9,
    }
    assert typeddict_problems(body, CompletionCreateParamsNonStreaming) == []
    plain = ADAPTER.build_request(REQUEST, OpenRouterConfig(api_key="k")).headers
    assert "HTTP-Referer" not in plain
    assert "X-Title" not in plain


def test_plain_config_is_refused() -> None:
    with pytest.raises(UsageError, match="OpenRouterConfig"):
        ADAPTER.build_request(REQUEST, Config())


def _err(status: int, body: Any, headers: dict[str, str] | None = None) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        ADAPTER.parse_response(HttpResponse(status, headers or {}, json.dumps(body).encode()))
    return info.value


def test_402_out_of_credits_is_not_retryable() -> None:
    e = _err(402, {"error": {"code": 402, "message": "Insufficient credits"}})
    assert type(e) is ProviderError
    assert not e.retryable
    assert e.status == 402


def test_nested_upstream_error_text_is_in_the_message() -> None:
    body = {
        "error": {
            "code": 429,
            "message": "Provider returned error",
            "metadata": {
                "provider_name": "Google",
                "raw": "google/gemini-2.0-flash-exp:free is temporarily rate-limited upstream.",
            },
        },
        "user_id": "user_x",
    }
    e = _err(429, body, {"retry-after": "5"})
    assert isinstance(e, RateLimitError)
    assert e.retry_after == 5
    assert "Google: google/gemini-2.0-flash-exp:free is temporarily rate-limited" in str(e)


def test_nested_upstream_json_body_is_unwrapped() -> None:
    raw = json.dumps({"error": {"message": "Tool call id was abc but must be ...", "code": 400}})
    body = {
        "error": {
            "code": 400,
            "message": "Provider returned error",
            "metadata": {"provider_name": "Mistral", "raw": raw},
        }
    }
    e = _err(400, body)
    assert isinstance(e, BadRequestError)
    assert "(Mistral: Tool call id was abc but must be ...)" in str(e)


def test_503_no_provider_is_retryable() -> None:
    e = _err(
        503, {"error": {"code": 503, "message": "No endpoints found matching your data policy"}}
    )
    assert isinstance(e, ServerError)
    assert e.retryable


def test_error_under_http_200_non_streamed() -> None:
    body = {"error": {"code": 502, "message": "Upstream failed"}, "user_id": "u"}
    with pytest.raises(ServerError) as info:
        ADAPTER.parse_response(HttpResponse(200, {}, json.dumps(body).encode()))
    assert info.value.status == 200


def test_processing_comments_and_in_band_error_chunk() -> None:
    chunk = {
        "id": "gen-1",
        "provider": "Minimax",
        "model": "minimax/minimax-m2:free",
        "object": "chat.completion.chunk",
        "choices": [
            {
                "index": 0,
                "delta": {"role": "assistant", "content": ""},
                "finish_reason": "length",
                "native_finish_reason": "length",
            }
        ],
    }
    error_chunk = {**chunk, "error": {"code": 400, "message": "Token limit reached"}}
    body = (
        b": OPENROUTER PROCESSING\n\n" * 3
        + b"data: "
        + json.dumps(chunk).encode()
        + b"\n\n"
        + b"data: "
        + json.dumps(error_chunk).encode()
        + b"\n\ndata: [DONE]\n\n"
    )
    decoder = ADAPTER.stream_decoder()
    with pytest.raises(BadRequestError, match="Token limit reached") as info:
        decoder.feed(body)
    assert info.value.status == 200


def test_finish_reason_error_is_other() -> None:
    body = {
        "id": "g",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "finish_reason": "error",
                "native_finish_reason": "error",
                "message": {"role": "assistant", "content": ""},
            }
        ],
    }
    r = ADAPTER.parse_response(HttpResponse(200, {}, json.dumps(body).encode()))
    assert (r.finish_reason, r.raw_finish_reason) == ("other", "error")
