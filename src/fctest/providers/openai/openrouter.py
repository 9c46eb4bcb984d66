"""OpenRouter (``openrouter``): the Chat adapter on OpenRouter's router, with its error forms.

Wire docs: https://openrouter.ai/docs/api-reference/overview (request, attribution headers),
https://openrouter.ai/docs/api/reference/errors-and-debugging (error bodies and statuses),
https://openrouter.ai/docs/api-reference/streaming (``: OPENROUTER PROCESSING`` comments, errors
mid-stream), https://openrouter.ai/announcements/standardized-finish-reasons. Quoted in
provider-dialects.md as [S-OR-REQ], [S-OR-ERR], [S-OR-STREAM], [S-OR-FIN].

Differences from OpenAI: requests are forwarded to an upstream provider, whose own rules (names,
schema keywords, strictness) still apply, so the profile claims no more than OpenAI's portable
rules; errors are ``{"error":{"code":<int>,"message","metadata":{"provider_name","raw"}}}``
with the upstream's own error nested as text in ``metadata.raw``; 402 means out of credits (not
retryable); errors after generation started arrive inside the HTTP-200 stream as an ``error``
key in a chunk (raised by the shared stream decoder, C39); streams carry comment lines that the
SSE layer drops; ``finish_reason`` may be ``error`` (neutral ``other``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from ..._types import JSONObject
from .._base import Config
from ._chat_request import OpenAIAdapter
from ._chat_responder import ChatResponder
from ._decode import error_message
from ._profile import OPENAI_PROFILE
from ._request import bearer_headers

__all__ = ["OPENROUTER_PROFILE", "OpenRouterAdapter", "OpenRouterConfig", "OpenRouterResponder"]

_UPSTREAM = "forwarded to the upstream provider, whose rules apply (S-OR-REQ)"

OPENROUTER_PROFILE = OPENAI_PROFILE.evolve(
    max_tools=None,
    description_max_length=None,
    # OpenRouter's parameter list names max_tokens (S-OR-REQ).
    max_tokens_field="max_tokens",
    retry_headers=("retry-after",),
    base_url="https://openrouter.ai/api/v1",
    env={"api_key": ("OPENROUTER_API_KEY",)},
    sources={
        "max_tokens_field": "OpenRouter's parameter list names max_tokens (S-OR-REQ)",
        "base_url": "https://openrouter.ai/docs/api-reference/overview",
        "max_tools": f"none of its own; {_UPSTREAM}",
        "description_max_length": f"none of its own; {_UPSTREAM}",
        "tool_name_pattern": f"OpenAI's portable rule; {_UPSTREAM}",
        "strict_mode": "`strict` is forwarded; enforcement 'varies by provider' [S-OR-SO]",
        "parallel_call_control": f"parallel_tool_calls is {_UPSTREAM}",
        "tool_choice": f"tool_choice is {_UPSTREAM}; provider.require_parameters routes only to "
        "upstreams that support it [S-OR-ROUTE]",
    },
)


@dataclass(frozen=True)
class OpenRouterConfig(Config):
    """OpenRouter settings. ``http_referer`` and ``x_title`` are the optional app-attribution
    headers ``HTTP-Referer`` and ``X-Title`` (OpenRouter API overview)."""

    http_referer: str | None = None
    x_title: str | None = None


class OpenRouterAdapter(OpenAIAdapter):
    name = "openrouter"
    profile = OPENROUTER_PROFILE
    config_type = OpenRouterConfig

    def headers(self, config: Config) -> dict[str, str]:
        config = cast(OpenRouterConfig, config)  # build_request ran check_config first
        headers = bearer_headers(config)
        if config.http_referer:
            headers["HTTP-Referer"] = config.http_referer
        if config.x_title:
            headers["X-Title"] = config.x_title
        return headers

    def describe_error(self, error: Mapping[str, Any]) -> str:
        """OpenRouter's message plus the upstream's, from ``metadata.raw`` ([S-OR-ERR], [I30])."""
        message = error_message(error)
        metadata = error.get("metadata")
        if not isinstance(metadata, dict):
            return message
        upstream = _parse_upstream(metadata.get("raw"))
        who = metadata.get("provider_name")
        if upstream:
            prefix = f"{who}: " if isinstance(who, str) and who else ""
            return f"{message} ({prefix}{upstream})"
        return message


class OpenRouterResponder(ChatResponder):
    def stream_preamble(self) -> list[bytes]:
        """A ``: OPENROUTER PROCESSING`` comment, sent while the upstream has not answered
        yet ([S-OR-STREAM]; corpus pydantic-ai ``test_openrouter_stream_error.yaml``)."""
        return [b": OPENROUTER PROCESSING\n\n"]

    def error_body(self, status: int, message: str) -> JSONObject:
        """``{"error": {"code": <int status>, "message"}}`` ([S-OR-ERR])."""
        return {"error": {"code": status, "message": message}}


def _parse_upstream(raw: Any) -> str | None:
    """The upstream's message: ``raw`` is text, often the upstream's JSON error body."""
    if not isinstance(raw, str) or not raw:
        return None
    try:
        body = json.loads(raw)
    except ValueError:
        return raw[:500]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return cast(str, error["message"])[:500]
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return cast(str, body["message"])[:500]
    return raw[:500]
