"""Groq: server-side argument validation (``tool_use_failed``), in-band stream errors, usage."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.chat.completion_create_params import CompletionCreateParamsStreaming

from fctest import HttpResponse, Message, Request, Tool, get_adapter
from fctest.errors import BadRequestError, ModelOutputError, ProviderError, RateLimitError
from fctest.providers import Config
from fctest.providers.openai.groq import GroqAdapter
from oracles import typeddict_problems

ADAPTER = GroqAdapter()

TOOL_USE_FAILED = {
    "error": {
        "message": "Tool call validation failed: tool call validation failed: parameters for tool "
        "get_something_by_name did not match schema: errors: [missing properties: 'name']",
        "type": "invalid_request_error",
        "code": "tool_use_failed",
        "failed_generation": '{"name": "get_something_by_name", "arguments": {"foo": "bar"}}',
    }
}


def test_registered_url_and_stream_body() -> None:
    assert isinstance(get_adapter("groq"), GroqAdapter)
    request = Request(
        model="openai/gpt-oss-120b",
        messages=(Message.user("x"),),
        tools=(Tool("t", "", {"type": "object", "properties": {}}),),
        stream=True,
        max_output_tokens=100,
    )
    http = ADAPTER.build_request(request, Config(api_key="gsk"))
    assert http.url == "https://api.groq.com/openai/v1/chat/completions"
    assert http.headers["Authorization"] == "Bearer gsk"
    body = http.json()
    # usage comes in x_groq.usage unasked: no stream_options
    assert body["stream"] is True
    assert "stream_options" not in body
    assert body["max_completion_tokens"] == 100
    assert typeddict_problems(body, CompletionCreateParamsStreaming) == []


def test_tool_use_failed_is_a_non_retryable_model_output_error() -> None:
    with pytest.raises(ModelOutputError) as info:
        ADAPTER.parse_response(HttpResponse(400, {}, json.dumps(TOOL_USE_FAILED).encode()))
    e = info.value
    assert not e.retryable
    assert (e.status, e.code, e.provider) == (400, "tool_use_failed", "groq")
    assert '"foo": "bar"' in str(e)  # the rejected generation is shown


def test_in_band_error_event_tool_use_failed() -> None:
    error = {**TOOL_USE_FAILED["error"], "status_code": 400}
    body = (
        b'data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"role":"assistant"}}]}\n\n'
        b"event: error\ndata: " + json.dumps({"error": error}).encode() + b"\n\n"
    )
    decoder = ADAPTER.stream_decoder()
    with pytest.raises(ModelOutputError) as info:
        decoder.feed(body)
    assert info.value.status == 200
    assert not info.value.retryable


def test_other_400s_stay_bad_requests() -> None:
    body = {"error": {"message": "requested tool does not exist", "type": "invalid_request_error"}}
    with pytest.raises(ProviderError) as info:
        ADAPTER.parse_response(HttpResponse(400, {}, json.dumps(body).encode()))
    assert type(info.value) is BadRequestError


def test_rate_limit_reset_durations() -> None:
    headers = {"x-ratelimit-reset-requests": "2m59.56s", "x-ratelimit-reset-tokens": "7.66s"}
    body = {
        "error": {"message": "Rate limit reached", "type": "tokens", "code": "rate_limit_exceeded"}
    }
    with pytest.raises(RateLimitError) as info:
        ADAPTER.parse_response(HttpResponse(429, headers, json.dumps(body).encode()))
    assert info.value.retry_after == pytest.approx(179.56)


def test_whole_calls_and_x_groq_usage() -> None:
    chunks: list[Any] = [
        {
            "id": "c",
            "model": "m",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": None}}],
            "x_groq": {"id": "req_1"},
        },
        {
            "id": "c",
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {
                                "id": "rew01jq49",
                                "type": "function",
                                "function": {
                                    "name": "get_weather",
                                    "arguments": '{"city":"Paris"}',
                                },
                                "index": 0,
                            },
                            {
                                "id": "gbpypqxpx",
                                "type": "function",
                                "function": {"name": "final_result", "arguments": "{}"},
                                "index": 1,
                            },
                        ]
                    },
                }
            ],
        },
        {
            "id": "c",
            "model": "m",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}],
            "x_groq": {
                "id": "req_1",
                "usage": {"prompt_tokens": 304, "completion_tokens": 49, "total_tokens": 353},
            },
        },
    ]
    body = (
        b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"
    )
    decoder = ADAPTER.stream_decoder()
    decoder.feed(body)
    r = decoder.close()
    assert [(c.id, c.arguments) for c in r.tool_calls] == [
        ("rew01jq49", {"city": "Paris"}),
        ("gbpypqxpx", {}),
    ]
    assert r.usage is not None
    assert (r.usage.input_tokens, r.usage.output_tokens) == (304, 49)
