"""OpenRouter (``openrouter``): the Chat adapter on OpenRouter's router, with its error forms.

Wire docs: https://openrouter.ai/docs/api-reference/overview (request, attribution headers),
https://openrouter.ai/docs/api/reference/errors-and-debugging (error bodies and statuses),
https://openrouter.ai/docs/api-reference/streaming (``: OPENROUTER PROCESSING`` comments, errors
mid-stream), https://openrouter.ai/announcements/standardized-finish-reasons
(docs/dialects.md#auth-openrouter, docs/dialects.md#errors-openrouter,
docs/dialects.md#stream-openrouter-comments, docs/dialects.md#inband-openrouter,
docs/dialects.md#finish-openrouter).

Differences from OpenAI: requests are forwarded to an upstream provider, whose own rules (names,
schema keywords, strictness) still apply, so the profile claims no more than OpenAI's portable
rules; errors are ``{"error":{"code":<int>,"message","metadata":{"provider_name","raw"}}}`` with the
upstream's own error nested as text in ``metadata.raw``; 402 means out of credits (not retryable
here, although some 402s carry ``Retry-After``: docs/dialects.md#conflict-openrouter-402); errors
after generation started arrive inside the HTTP-200 stream as an ``error`` key in a chunk (raised by
the shared stream decoder); streams carry comment lines that the SSE layer drops; a
``finish_reason`` of ``error`` (unconfirmed) would be the neutral ``other``.
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

_UPSTREAM = (
    "forwarded to the upstream provider, whose rules apply (docs/dialects.md#routing-openrouter; "
    "no rule of its own is documented: docs/dialects.md#tool-names-openrouter)"
)

OPENROUTER_PROFILE = OPENAI_PROFILE.evolve(
    max_tools=None,
    description_max_length=None,
    # Model names are the upstream's ("openai/o3-mini"); OpenAI's model rules are about its own
    # API, and what OpenRouter forwards to each upstream is not documented per model.
    models=(),
    # OpenRouter's request schema names max_tokens (see sources).
    max_tokens_field="max_tokens",
    retry_headers=("retry-after",),
    base_url="https://openrouter.ai/api/v1",
    env={"api_key": ("OPENROUTER_API_KEY",)},
    sources={
        "max_tokens_field": (
            "the request schema of https://openrouter.ai/docs/api-reference/overview names "
            "max_tokens; whether max_completion_tokens is taken is unconfirmed "
            "(docs/dialects.md#max-tokens-openai)"
        ),
        "base_url": "https://openrouter.ai/docs/api-reference/overview",
        "max_tools": f"none of its own; {_UPSTREAM}",
        "description_max_length": f"none of its own; {_UPSTREAM}",
        "tool_name_pattern": f"OpenAI's portable rule; {_UPSTREAM}",
        "strict_mode": (
            "`strict` is forwarded; enforcement by the upstream is unconfirmed "
            "(docs/dialects.md#strict-openrouter)"
        ),
        "parallel_call_control": f"parallel_tool_calls is {_UPSTREAM}",
        "tool_choice": (
            f"tool_choice is {_UPSTREAM}; provider.require_parameters routes only to upstreams "
            "that support every parameter (https://openrouter.ai/docs/features/provider-routing)"
        ),
    },
)


@dataclass(frozen=True)
class OpenRouterConfig(Config):
    """OpenRouter settings. ``http_referer`` and ``x_title`` are the optional app-attribution
    headers ``HTTP-Referer`` and ``X-Title`` (docs/dialects.md#auth-openrouter; other clients now
    send ``X-OpenRouter-Title``)."""

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
        """OpenRouter's message plus the upstream's, from ``metadata.raw``
        (docs/dialects.md#errors-openrouter)."""
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
        yet (docs/dialects.md#stream-openrouter-comments)."""
        return [b": OPENROUTER PROCESSING\n\n"]

    def error_body(self, status: int, message: str) -> JSONObject:
        """``{"error": {"code": <int status>, "message"}}`` (docs/dialects.md#errors-openrouter)."""
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
