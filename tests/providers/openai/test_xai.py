"""xAI Grok (REST): always-strict tools without OpenAI's strict-forces-serial rule."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.chat.completion_create_params import CompletionCreateParamsNonStreaming

from fctest import HttpResponse, Message, Request, Tool, get_adapter
from fctest.errors import AuthenticationError, IncompatibleToolError, ProviderError
from fctest.providers import Config
from fctest.providers.openai.xai import XAIAdapter
from oracles import typeddict_problems

ADAPTER = XAIAdapter()
OPTIONAL = Tool(
    "weather",
    "",
    {
        "type": "object",
        "properties": {"location": {"type": "string"}, "unit": {"type": "string"}},
        "required": ["location"],
    },
)


def _body(request: Request) -> Any:
    http = ADAPTER.build_request(request, Config(api_key="xai-k"))
    assert http.url == "https://api.x.ai/v1/chat/completions"
    assert http.headers["Authorization"] == "Bearer xai-k"
    body = http.json()
    assert typeddict_problems(body, CompletionCreateParamsNonStreaming) == []
    return body


def test_registered() -> None:
    assert isinstance(get_adapter("xai"), XAIAdapter)


def test_tools_are_always_strict_and_say_so() -> None:
    loose = Tool("a", "", {"type": "object", "properties": {}}, strict=False)
    body = _body(Request(model="grok-4", messages=(Message.user("x"),), tools=(loose, OPTIONAL)))
    assert [t["function"]["strict"] for t in body["tools"]] == [True, True]


def test_strict_closes_objects_but_keeps_optional_properties_optional() -> None:
    body = _body(Request(model="grok-4", messages=(Message.user("x"),), tools=(OPTIONAL,)))
    assert body["tools"][0]["function"]["parameters"] == {
        "type": "object",
        "properties": {"location": {"type": "string"}, "unit": {"type": "string"}},
        "required": ["location"],
        "additionalProperties": False,
    }


def test_does_not_force_serial_calls_under_implicit_strict() -> None:
    request = Request(model="grok-4", messages=(Message.user("x"),), tools=(OPTIONAL,))
    assert "parallel_tool_calls" not in _body(request)
    parallel = Request(
        model="grok-4", messages=(Message.user("x"),), tools=(OPTIONAL,), parallel_tool_calls=True
    )
    assert _body(parallel)["parallel_tool_calls"] is True


def test_refused_keywords_are_local_errors() -> None:
    tool = Tool(
        "t",
        "",
        {
            "type": "object",
            "properties": {
                "xs": {"type": "array", "contains": {"type": "integer"}, "minContains": 2}
            },
        },
    )
    with pytest.raises(IncompatibleToolError, match="minContains"):
        ADAPTER.build_request(
            Request(model="grok-4", messages=(Message.user("x"),), tools=(tool,)), Config()
        )


def test_whole_call_in_one_chunk() -> None:
    chunks = [
        {
            "id": "x",
            "model": "grok-3-mini",
            "choices": [{"index": 0, "delta": {"reasoning_content": "Hm", "role": "assistant"}}],
        },
        {
            "id": "x",
            "model": "grok-3-mini",
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {
                                "id": "call_55117580",
                                "function": {
                                    "name": "weather",
                                    "arguments": '{"location":"San Francisco"}',
                                },
                                "index": 0,
                                "type": "function",
                            }
                        ]
                    },
                }
            ],
        },
        {
            "id": "x",
            "model": "grok-3-mini",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}],
        },
        {
            "id": "x",
            "model": "grok-3-mini",
            "choices": [],
            "usage": {"prompt_tokens": 291, "completion_tokens": 26},
        },
    ]
    body = (
        b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"
    )
    decoder = ADAPTER.stream_decoder()
    decoder.feed(body)
    r = decoder.close()
    assert [(c.id, c.name, c.arguments) for c in r.tool_calls] == [
        ("call_55117580", "weather", {"location": "San Francisco"})
    ]
    assert (r.text, r.finish_reason, r.provider) == (None, "tool_calls", "xai")


def test_xai_error_envelope() -> None:
    body = b'{"code":"unauthenticated:no-credentials","error":"No credentials presented."}'
    with pytest.raises(ProviderError) as info:
        ADAPTER.parse_response(HttpResponse(401, {}, body))
    assert isinstance(info.value, AuthenticationError)
    assert info.value.code == "unauthenticated:no-credentials"
    assert "No credentials presented." in str(info.value)
