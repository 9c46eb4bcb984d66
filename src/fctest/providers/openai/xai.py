"""xAI Grok over its OpenAI-compatible REST API (``xai``): the Chat adapter with xAI's profile.

Wire docs: https://docs.x.ai/docs/api-reference#chat-completions,
https://docs.x.ai/developers/tools/function-calling and
https://docs.x.ai/developers/model-capabilities/text/structured-outputs (read through copies;
docs/dialects.md#strict-xai, docs/dialects.md#tool-choice-xai, docs/dialects.md#stream-xai). The
gRPC SDK (``xai-sdk``) is a different wire format and is not spoken here.

Differences from OpenAI: function arguments are always decoded strictly ("the strict flag is
implicitly always true": docs/dialects.md#strict-xai) and objects are taken as closed, yet
parallel calls stay on by default (docs/dialects.md#parallel-xai), so OpenAI's
strict-forces-no-parallel rule does not apply; a call arrives whole in one stream chunk
(docs/dialects.md#stream-xai); some schema keywords are taken as refused with a 400
(unconfirmed: docs/dialects.md#schema-xai).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ..._types import JSONObject
from ._chat_request import OpenAIAdapter
from ._chat_responder import ChatResponder
from ._profile import OPENAI_PROFILE
from ._schema import CLOSED_OBJECTS, OpenAIStrictTransformer

__all__ = ["XAI_PROFILE", "XAIAdapter", "XAIResponder", "XAIStrictTransformer"]


class XAIStrictTransformer(OpenAIStrictTransformer):
    """xAI strict: objects closed but optional properties stay optional; no all-required rule
    is documented (docs/dialects.md#strict-xai), and OpenAI's keyword limits are not xAI's."""

    require_all = False


_UNCONFIRMED = "third-party notes on docs.x.ai only; unconfirmed"

XAI_PROFILE = OPENAI_PROFILE.evolve(
    max_tools=128,
    description_max_length=None,
    models=(),
    transformer=XAIStrictTransformer,
    strict_mode="always",
    strict_default=True,
    strict_keywords={
        "additionalProperties": CLOSED_OBJECTS,
        # Taken as answered 400 (unconfirmed: docs/dialects.md#schema-xai).
        "minContains": "rejected",
        "maxContains": "rejected",
    },
    streams_arguments=False,
    retry_headers=("retry-after",),
    base_url="https://api.x.ai/v1",
    env={"api_key": ("XAI_API_KEY",)},
    sources={
        "keywords.additionalProperties": (
            "strict mode needs additionalProperties: false; fctest closes every object and "
            "refuses an open one rather than change what it means (docs/dialects.md#strict-xai)"
        ),
        "base_url": "https://docs.x.ai/docs/api-reference",
        "max_tools": (
            f"128, 200 and 350 are all quoted ({_UNCONFIRMED}); the smallest is kept "
            "(docs/dialects.md#max-tools-xai)"
        ),
        "description_max_length": "none documented (docs/dialects.md#descriptions-others)",
        "strict_mode": (
            "'the strict flag is implicitly always true' (docs/dialects.md#strict-xai)"
        ),
        "strict_default": "always strict (docs/dialects.md#strict-xai)",
        "strict_keywords": (
            "empty enum/anyOf, boolean schemas, min/maxContains, array-form items answer 400 "
            f"({_UNCONFIRMED}: docs/dialects.md#schema-xai)"
        ),
        "keywords.minContains": f"400 ({_UNCONFIRMED}: docs/dialects.md#schema-xai)",
        "keywords.maxContains": f"400 ({_UNCONFIRMED}: docs/dialects.md#schema-xai)",
        "parallel_call_control": (
            "on by default; fctest sends parallel_tool_calls, while xAI's page names "
            "parallel_function_calling (docs/dialects.md#parallel-xai, "
            "docs/dialects.md#conflict-xai-parallel)"
        ),
        "streams_arguments": (
            "'the function call is returned in whole in a single chunk' "
            "(docs/dialects.md#stream-xai)"
        ),
        "tool_name_pattern": (
            "unconfirmed for xAI; OpenAI's rule is the portable one "
            "(docs/dialects.md#tool-names-xai)"
        ),
    },
)


# xAI error ``code``s taken to be gRPC status texts: 400 "Client specified an invalid argument"
# (also for a bad key), 404 "Some requested entity was not found", 429 "Some resource has been
# exhausted", 401 "unauthenticated:no-credentials", from third-party notes with no recording
# (unconfirmed: docs/dialects.md#errors-xai). The rest are the gRPC descriptions of the codes
# that HTTP status maps to.
_ERROR_CODES: Final[Mapping[int, str]] = {
    400: "Client specified an invalid argument",
    401: "unauthenticated:no-credentials",
    403: "The caller does not have permission to execute the specified operation",
    404: "Some requested entity was not found",
    429: "Some resource has been exhausted",
    503: "The service is currently unavailable",
}


class XAIAdapter(OpenAIAdapter):
    name = "xai"
    profile = XAI_PROFILE


class XAIResponder(ChatResponder):
    def error_body(self, status: int, message: str) -> JSONObject:
        """``{"code": "<gRPC status text>", "error": "<message>"}``: no ``error`` object, the
        message is a string (unconfirmed: docs/dialects.md#errors-xai)."""
        return {"code": _ERROR_CODES.get(status, "Internal error"), "error": message}
