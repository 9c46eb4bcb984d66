"""Azure OpenAI: both URL forms, both auth styles, and Azure's error and content-filter forms."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.chat.completion_create_params import CompletionCreateParamsNonStreaming

from fctest import HttpResponse, Message, Request, Tool, get_adapter
from fctest.errors import BadRequestError, ProviderError, RateLimitError, UsageError
from fctest.providers import Config
from fctest.providers.openai.azure import AzureConfig, AzureOpenAIAdapter
from oracles import typeddict_problems

ADAPTER = AzureOpenAIAdapter()
ENDPOINT = "https://res.openai.azure.com/"
REQUEST = Request(
    model="my-gpt4o",
    messages=(Message.user("hi"),),
    tools=(Tool("t", "", {"type": "object", "properties": {}}),),
)


def test_registered() -> None:
    assert isinstance(get_adapter("azure-openai"), AzureOpenAIAdapter)


def test_deployment_url_form_with_api_version() -> None:
    config = AzureConfig(
        api_key="k", endpoint=ENDPOINT, deployment="my gpt", api_version="2024-10-21"
    )
    http = ADAPTER.build_request(REQUEST, config)
    assert http.url == (
        "https://res.openai.azure.com/openai/deployments/my%20gpt/chat/completions"
        "?api-version=2024-10-21"
    )
    assert http.headers == {"Content-Type": "application/json", "api-key": "k"}
    body = http.json()
    assert body["model"] == "my-gpt4o"
    assert typeddict_problems(body, CompletionCreateParamsNonStreaming) == []


def test_v1_url_form_puts_the_deployment_in_model() -> None:
    http = ADAPTER.build_request(REQUEST, AzureConfig(api_key="k", endpoint=ENDPOINT))
    assert http.url == "https://res.openai.azure.com/openai/v1/chat/completions"
    assert http.json()["model"] == "my-gpt4o"


def test_base_url_replaces_the_endpoint_root() -> None:
    config = AzureConfig(api_key="k", base_url="https://proxy.example/openai/v1/")
    assert ADAPTER.build_request(REQUEST, config).url == (
        "https://proxy.example/openai/v1/chat/completions"
    )


def test_entra_token_goes_in_bearer_header() -> None:
    http = ADAPTER.build_request(REQUEST, AzureConfig(endpoint=ENDPOINT, azure_ad_token="tok"))
    assert http.headers["Authorization"] == "Bearer tok"
    assert "api-key" not in http.headers


def test_api_key_and_token_together_are_refused() -> None:
    config = AzureConfig(api_key="k", azure_ad_token="t", endpoint=ENDPOINT)
    with pytest.raises(UsageError, match="not both"):
        ADAPTER.build_request(REQUEST, config)


@pytest.mark.parametrize(
    ("config", "match"),
    [
        (AzureConfig(api_key="k"), "endpoint"),
        (
            AzureConfig(api_key="k", endpoint=ENDPOINT, deployment="d", api_version=None),
            "api_version",
        ),
        (Config(api_key="k"), "AzureConfig"),
    ],
)
def test_missing_settings_are_usage_errors(config: Config, match: str) -> None:
    with pytest.raises(UsageError, match=match):
        ADAPTER.build_request(REQUEST, config)


def test_config_repr_hides_secrets() -> None:
    text = repr(AzureConfig(api_key="secret-key", azure_ad_token="secret-tok", endpoint=ENDPOINT))
    assert "secret" not in text


def _err(status: int, body: Any, headers: dict[str, str] | None = None) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        ADAPTER.parse_response(HttpResponse(status, headers or {}, json.dumps(body).encode()))
    return info.value


def test_azure_string_code_429_with_retry_after_in_message() -> None:
    body = {
        "error": {
            "code": "429",
            "message": "Requests to the ChatCompletions_Create Operation under Azure OpenAI API "
            "version 2024-02-01 have exceeded token rate limit. Please retry after 20 seconds.",
        }
    }
    e = _err(429, body)
    assert isinstance(e, RateLimitError)
    assert e.retryable
    assert e.code == "429"
    assert e.retry_after == 20
    # a header, when present, is what counts
    assert _err(429, body, {"retry-after": "3"}).retry_after == 3


def test_azure_content_filter_400_is_not_retryable() -> None:
    body = {
        "error": {
            "message": "The response was filtered due to the prompt triggering Azure OpenAI's "
            "content management policy.",
            "type": None,
            "param": "prompt",
            "code": "content_filter",
            "status": 400,
            "innererror": {"code": "ResponsibleAIPolicyViolation", "content_filter_result": {}},
        }
    }
    e = _err(400, body)
    assert isinstance(e, BadRequestError)
    assert not e.retryable
    assert e.code == "content_filter"


def test_content_filtered_completion_without_message() -> None:
    body = {
        "id": "c",
        "model": "gpt-4o",
        "choices": [{"index": 0, "finish_reason": "content_filter", "content_filter_results": {}}],
    }
    r = ADAPTER.parse_response(HttpResponse(200, {}, json.dumps(body).encode()))
    assert (r.text, r.tool_calls, r.finish_reason) == (None, (), "content_filter")
