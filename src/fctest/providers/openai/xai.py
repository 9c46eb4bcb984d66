"""xAI Grok over its OpenAI-compatible REST API (``xai``): the Chat adapter with xAI's profile.

Wire docs: https://docs.x.ai/docs/api-reference#chat-completions and
https://docs.x.ai/developers/tools/function-calling (read through verbatim copies and notes
quoted in provider-dialects.md [S-XAI-FC], [S-XAI-N]; medium confidence, see its §15). The
gRPC SDK (``xai-sdk``) is a different wire format and is not spoken here.

Differences from OpenAI: function arguments are always decoded strictly ("the strict flag is
implicitly always true") and ``additionalProperties`` defaults to false, yet parallel calls
stay on by default, so OpenAI's strict-forces-no-parallel rule (C21) does not apply; a call
arrives whole in one stream chunk (C38); some schema keywords are refused with a 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ..._types import JSONObject
from ._chat_request import OpenAIAdapter
from ._chat_responder import ChatResponder
from ._profile import OPENAI_PROFILE
from ._schema import OpenAIStrictTransformer

__all__ = ["XAI_PROFILE", "XAIAdapter", "XAIResponder", "XAIStrictTransformer"]


class XAIStrictTransformer(OpenAIStrictTransformer):
    """xAI strict: objects closed (its default anyway) but optional properties stay optional;
    no all-required rewrite is documented, and OpenAI's keyword limits are not xAI's."""

    require_all = False


_NOTES = "docs.x.ai quoted in provider-dialects.md [S-XAI-N]"

XAI_PROFILE = OPENAI_PROFILE.evolve(
    max_tools=128,
    description_max_length=None,
    transformer=XAIStrictTransformer,
    strict_mode="always",
    strict_default=True,
    strict_keywords={
        # 400 for these (docs.x.ai structured outputs, quoted in [S-XAI-N]).
        "minContains": "rejected",
        "maxContains": "rejected",
    },
    streams_arguments=False,
    retry_headers=("retry-after",),
    base_url="https://api.x.ai/v1",
    env={"api_key": ("XAI_API_KEY",)},
    sources={
        "base_url": "https://docs.x.ai/docs/api-reference",
        "max_tools": f"128 in the chat reference; xAI's docs also say 200 and 350 ({_NOTES}); "
        "the smallest is kept (C06)",
        "description_max_length": f"none documented ({_NOTES})",
        "strict_mode": f"'strict flag is implicitly always true' ({_NOTES}; C18)",
        "strict_default": f"always strict ({_NOTES})",
        "strict_keywords": f"empty enum/anyOf, boolean schemas, min/maxContains, array-form "
        f"items answer 400 ({_NOTES})",
        "keywords.minContains": f"400 ({_NOTES})",
        "keywords.maxContains": f"400 ({_NOTES})",
        "parallel_call_control": f"parallel_tool_calls, on by default ({_NOTES})",
        "streams_arguments": "'the function call is returned in whole in a single chunk' "
        "(docs.x.ai function calling [S-XAI-FC]; C38)",
        "tool_name_pattern": "unconfirmed for xAI; OpenAI's rule is the portable one",
    },
)


# xAI error ``code``s are gRPC status texts, as recorded: 400 "Client specified an invalid
# argument" (also for a bad key), 404 "Some requested entity was not found", 429 "Some resource
# has been exhausted", 401 "unauthenticated:no-credentials" ([S-XAI-N], observed; public
# recordings quoted in other projects' tests). The rest are the gRPC descriptions of the codes
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
        """``{"code": "<gRPC status text>", "error": "<message>"}`` (provider-dialects.md
        table 12: no ``error`` object, the message is a string)."""
        return {"code": _ERROR_CODES.get(status, "Internal error"), "error": message}
