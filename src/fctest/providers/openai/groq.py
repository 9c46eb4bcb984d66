"""Groq (``groq``): the Chat adapter on Groq's OpenAI-compatible endpoint.

Wire docs: https://console.groq.com/docs/api-reference#chat-create,
https://console.groq.com/docs/tool-use, https://console.groq.com/docs/structured-outputs
(docs/dialects.md#strict-groq), and the official client groq/groq-python 1.6.0 (``_client.py``
base URL, ``types/chat/completion_create_params.py``, ``chat_completion_chunk.py``;
docs/dialects.md#auth-groq).

Differences from OpenAI: Groq checks the generated arguments against the schema on its
servers and answers a bad generation with 400 ``tool_use_failed`` (plus ``failed_generation``),
or, in a stream, with an in-band ``event: error`` carrying the same object and
``status_code``; both are ``ModelOutputError`` and not retryable (the mapping is shared:
``_decode``; docs/dialects.md#errors-groq, docs/dialects.md#inband-groq). A streamed call arrives
whole in one chunk, and a stream's usage comes in the last chunk's ``x_groq.usage``
(docs/dialects.md#stream-groq).

Inherited from OpenAI and not yet matched to Groq's documentation: ``response_format``
json_schema is sent with tools and in streams, which Groq documents as unsupported, and strict
is constrained only on the gpt-oss models (docs/dialects.md#conflict-groq-structured-output).
"""

from __future__ import annotations

from ..._messages import Request, Response, Usage
from ..._types import JSONObject
from ...dialect import ModelRule
from .._encoding import content_id
from ._chat_request import OpenAIAdapter
from ._chat_responder import ChatResponder, chat_usage
from ._decode import parse_usage
from ._profile import OPENAI_PROFILE
from ._responder import WireCall, openai_error

__all__ = ["GROQ_PROFILE", "GroqAdapter", "GroqResponder"]

_SDK = "groq-python 1.6.0"

GPT_OSS = ModelRule(
    "gpt-oss",
    ("openai/gpt-oss-*",),
    {"strict_enforced": True},
    "constrained decoding for strict: true on openai/gpt-oss-20b and -120b only "
    "(docs/dialects.md#strict-groq)",
)
"""The models Groq constrains to the schema; elsewhere ``strict`` is best-effort."""

GROQ_PROFILE = OPENAI_PROFILE.evolve(
    max_tools=128,
    description_max_length=None,
    streams_arguments=False,
    # Structured Outputs take neither tools nor streaming (docs/dialects.md#structured-output-groq).
    structured_output_with_tools=False,
    structured_output_streaming=False,
    strict_enforced=False,
    models=(GPT_OSS,),
    # Streams report usage in x_groq.usage unasked; stream_options is not in groq-python's
    # completion_create_params, so it is not sent.
    stream_usage_option=False,
    # 429s carry retry-after (https://console.groq.com/docs/rate-limits; unconfirmed here:
    # docs/dialects.md#errors-groq).
    retry_headers=("retry-after",),
    base_url="https://api.groq.com/openai/v1",
    env={"api_key": ("GROQ_API_KEY",)},
    sources={
        "structured_output_with_tools": "docs/dialects.md#structured-output-groq",
        "structured_output_streaming": "docs/dialects.md#structured-output-groq",
        "strict_enforced": "best-effort outside gpt-oss (docs/dialects.md#strict-groq)",
        "stream_usage_option": f"stream_options is not in {_SDK} completion_create_params.py; "
        "usage comes in x_groq.usage (chat_completion_chunk.py)",
        "retry_headers": (
            "https://console.groq.com/docs/rate-limits (unconfirmed: docs/dialects.md#errors-groq)"
        ),
        "base_url": f"{_SDK} _client.py",
        "tool_name_pattern": f"{_SDK} shared/function_definition.py name: a-z, A-Z, 0-9, "
        "underscores and dashes, max 64 (docs/dialects.md#tool-names-groq)",
        "tool_name_max_length": (
            f"{_SDK} shared/function_definition.py (max 64; docs/dialects.md#tool-names-groq)"
        ),
        "max_tools": (
            f"{_SDK} completion_create_params.py 'A max of 128 functions' "
            "(docs/dialects.md#max-tools-groq)"
        ),
        "description_max_length": "none documented (docs/dialects.md#descriptions-others)",
        "strict_mode": (
            "function.strict; structured outputs are constrained only on openai/gpt-oss-20b/120b, "
            "best-effort elsewhere; function-level enforcement unconfirmed "
            "(docs/dialects.md#strict-groq)"
        ),
        "structured_output": (
            "inherited from OpenAI; Groq documents no streaming and no tools with it "
            "(docs/dialects.md#structured-output-groq, "
            "docs/dialects.md#conflict-groq-structured-output)"
        ),
        "tool_choice": (
            f"{_SDK} chat_completion_tool_choice_option_param.py "
            "(docs/dialects.md#tool-choice-groq)"
        ),
        "parallel_call_control": (
            f"{_SDK} completion_create_params.py parallel_tool_calls "
            "(docs/dialects.md#parallel-groq)"
        ),
        "streams_arguments": (
            "one delta with id, name and full arguments, as recorded (docs/dialects.md#stream-groq)"
        ),
    },
)


class GroqAdapter(OpenAIAdapter):
    name = "groq"
    profile = GROQ_PROFILE

    def parse_usage(self, data: JSONObject) -> Usage | None:
        """``usage``, or in streams ``x_groq.usage`` (groq-python chat_completion_chunk.py)."""
        usage = parse_usage(data.get("usage"))
        if usage is None:
            x_groq = data.get("x_groq")
            if isinstance(x_groq, dict):
                usage = parse_usage(x_groq.get("usage"))
        return usage


class GroqResponder(ChatResponder):
    """Groq's request id travels in ``x_groq.id``; a stream's usage comes unasked in its finish
    chunk, as ``x_groq.usage`` and ``usage`` (docs/dialects.md#stream-groq). Calls arrive whole
    (``streams_arguments=False``)."""

    def error_body(self, status: int, message: str) -> JSONObject:
        """OpenAI's envelope without ``param`` (recorded: docs/dialects.md#errors-groq)."""
        error = {k: v for k, v in openai_error(status, message)["error"].items() if k != "param"}
        return {"error": error}

    def completion_body(self, response: Response, calls: list[WireCall]) -> JSONObject:
        body = super().completion_body(response, calls)
        return {**body, "x_groq": {"id": _request_id(body["id"])}}

    def encode_chunks(
        self, response: Response, request: Request | None, fragment_size: int
    ) -> list[JSONObject]:
        chunks = super().encode_chunks(response, request, fragment_size)
        request_id = _request_id(chunks[0]["id"])
        chunks[0] = {**chunks[0], "x_groq": {"id": request_id}}
        usage = chat_usage(response.usage)
        if usage is not None:
            finish = next(
                i for i, c in enumerate(chunks) if c["choices"] and c["choices"][0]["finish_reason"]
            )
            chunks[finish] = {
                **chunks[finish],
                "x_groq": {"id": request_id, "usage": usage},
                "usage": usage,
            }
            chunks = [c for c in chunks if c["choices"]]  # no separate usage chunk
        return chunks


def _request_id(completion_id: str) -> str:
    """Groq's ``req_`` id, derived from the completion's (so a decoded answer re-encodes the
    same)."""
    return content_id("req_", completion_id, length=26)
