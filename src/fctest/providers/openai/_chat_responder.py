"""The Chat Completions wire written, not read: what an OpenAI-dialect server would answer.

The inverse of ``_chat_decode``, for the reference server (``fctest serve``), the round-trip
properties and the benchmarks. Shapes follow recorded traffic and the SDK types
(openai-python ``types/chat/chat_completion.py``, ``chat_completion_chunk.py``,
``completion_usage.py``):

- a ``chat.completion`` body: ``choices[0].message`` with ``content``, ``refusal``,
  ``annotations`` and, for calls, ``tool_calls[]`` = ``{id, type: "function", function: {name,
  arguments}}`` (arguments a compact JSON string);
- a ``chat.completion.chunk`` SSE stream (``data: {...}`` events, ``data: [DONE]`` last): a role
  chunk, text in pieces, then each call: its first fragment carries ``index``, ``id``, ``type``,
  ``name`` and ``arguments: ""``, later fragments only ``index`` and an ``arguments`` piece
  (recorded: docs/dialects.md#stream-openai-chunks). Vendors that send each call whole in one
  chunk (Groq, xAI: profile ``streams_arguments=False``) get that instead. A chunk with
  ``finish_reason`` ends the choice; with ``stream_options.include_usage`` every chunk carries
  ``usage: null`` and a last chunk with ``choices: []`` carries the usage
  (docs/dialects.md#stream-openai-usage).

``ChatResponder`` has hooks (``completion_body``, ``encode_chunks``, ``stream_preamble``,
``error_body``) for the vendors' quirks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ..._messages import Request, Response, Usage
from ..._types import FinishReason, JSONObject
from ..._wire import HttpRequest, HttpResponse
from .._base import encode_json
from .._encoding import content_id, count_turns, fragments
from ._chat_request import OpenAIAdapter
from ._responder import (
    CREATED,
    OpenAIDialectResponder,
    WireCall,
    derive_id,
    sse_data,
    wire_calls,
)

__all__ = ["DONE", "ChatResponder", "chat_usage"]

DONE: Final = b"data: [DONE]\n\n"
"""The last event of a Chat Completions stream (openai-python ``_streaming.py`` stops at it)."""

# Neutral -> Chat ``finish_reason`` (docs/dialects.md#finish-openai). Chat has no value for a
# malformed call: the model did call a tool, so ``tool_calls`` (that OpenAI sends it with
# invalid argument JSON is unconfirmed: docs/dialects.md#arguments-openai only says the JSON
# may be invalid); nor for ``other``, sent as ``stop``.
_CHAT_FINISH: Final[Mapping[FinishReason, str]] = {
    "stop": "stop",
    "tool_calls": "tool_calls",
    "length": "length",
    "content_filter": "content_filter",
    "malformed_call": "tool_calls",
    "other": "stop",
}


class ChatResponder(OpenAIDialectResponder[OpenAIAdapter]):
    """What a Chat Completions server answers to the requests ``adapter`` builds."""

    def encode_response(self, response: Response, request: Request | None = None) -> HttpResponse:
        body = self.completion_body(response, wire_calls(self.fitting(request), response))
        return HttpResponse(200, {"content-type": "application/json"}, encode_json(body))

    def encode_stream(
        self, response: Response, request: Request | None = None, *, fragment_size: int = 8
    ) -> list[bytes]:
        chunks = self.encode_chunks(response, request, fragment_size)
        return [*self.stream_preamble(), *(sse_data(c) for c in chunks), DONE]

    def completion_body(self, response: Response, calls: list[WireCall]) -> JSONObject:
        """The ``chat.completion`` body (Groq adds ``x_groq``)."""
        return chat_completion(response, calls)

    def encode_chunks(
        self, response: Response, request: Request | None, fragment_size: int
    ) -> list[JSONObject]:
        """The stream's chunks. Calls arrive whole where the profile says arguments are not
        streamed (docs/dialects.md#stream-groq, docs/dialects.md#stream-xai); usage comes last
        when the request asked for it (Groq moves it, see its module)."""
        return chat_chunks(
            response,
            wire_calls(self.fitting(request), response),
            fragment_size=fragment_size,
            whole_calls=not self.resolved(request).streams_arguments,
            include_usage=self.asks_stream_usage(request),
        )

    def asks_stream_usage(self, request: Request | None) -> bool:
        """Whether ``request``, as this adapter sends it, asks for a usage chunk: its own
        ``stream_options`` in ``extra_body`` if any, else the profile's ``stream_usage_option``."""
        extra = request.extra_body if request is not None else None
        options = extra.get("stream_options") if extra else None
        if isinstance(options, dict):
            return bool(options.get("include_usage"))
        return self.resolved(request).stream_usage_option

    def stream_preamble(self) -> list[bytes]:
        """Events sent before the first chunk (OpenRouter's processing comments)."""
        return []

    def assistant_turns(self, request: HttpRequest) -> int:
        return count_turns(
            self.name, request, kind="Chat Completions", key="messages", role="assistant"
        )


def chat_finish_reason(response: Response) -> str:
    """The ``finish_reason`` for ``response`` (see ``_CHAT_FINISH``); a turn with calls that
    says ``stop`` is sent as ``tool_calls``, as OpenAI does."""
    reason = _CHAT_FINISH[response.finish_reason]
    if reason == "stop" and response.tool_calls:
        return "tool_calls"
    return reason


def chat_usage(usage: Usage | None) -> JSONObject | None:
    """``CompletionUsage`` with the detail objects OpenAI sends (zeros: fctest does not model
    them); a count the ``Usage`` lacks is left out, not invented."""
    if usage is None:
        return None
    out: JSONObject = {}
    if usage.input_tokens is not None:
        out["prompt_tokens"] = usage.input_tokens
    if usage.output_tokens is not None:
        out["completion_tokens"] = usage.output_tokens
    if usage.total_tokens is not None:
        out["total_tokens"] = usage.total_tokens
    out["prompt_tokens_details"] = {"cached_tokens": 0, "audio_tokens": 0}
    out["completion_tokens_details"] = {
        "reasoning_tokens": 0,
        "audio_tokens": 0,
        "accepted_prediction_tokens": 0,
        "rejected_prediction_tokens": 0,
    }
    return out


def _identity(response: Response) -> JSONObject:
    """The fields every body and chunk of one answer share, in OpenAI's order."""
    return {
        "id": response.id or derive_id("chatcmpl-", response, 29),
        "created": CREATED,
        "model": response.model,
        "service_tier": "default",
        "system_fingerprint": content_id("fp_", response.model, length=10),
    }


def chat_completion(response: Response, calls: list[WireCall]) -> JSONObject:
    """The ``chat.completion`` JSON body for ``response``."""
    ident = _identity(response)
    message: JSONObject = {
        "role": "assistant",
        "content": response.text,
        "refusal": None,
        "annotations": [],
    }
    if calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in calls
        ]
    body: JSONObject = {
        "id": ident["id"],
        "object": "chat.completion",
        "created": ident["created"],
        "model": ident["model"],
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": chat_finish_reason(response),
            }
        ],
    }
    usage = chat_usage(response.usage)
    if usage is not None:
        body["usage"] = usage
    body["service_tier"] = ident["service_tier"]
    body["system_fingerprint"] = ident["system_fingerprint"]
    return body


def chat_chunks(
    response: Response,
    calls: list[WireCall],
    *,
    fragment_size: int,
    whole_calls: bool,
    include_usage: bool,
) -> list[JSONObject]:
    """The ``chat.completion.chunk`` objects for ``response``, in order (no ``[DONE]``)."""
    ident = _identity(response)
    base: JSONObject = {
        "id": ident["id"],
        "object": "chat.completion.chunk",
        "created": ident["created"],
        "model": ident["model"],
        "service_tier": ident["service_tier"],
        "system_fingerprint": ident["system_fingerprint"],
    }
    if include_usage:
        base["usage"] = None  # every chunk says so until the usage chunk (recorded, see docstring)

    def chunk(delta: JSONObject, finish: str | None = None) -> JSONObject:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**base, "choices": [choice]}

    out = [chunk({"role": "assistant", "content": "" if response.text else None, "refusal": None})]
    out.extend(chunk({"content": piece}) for piece in fragments(response.text or "", fragment_size))
    for index, c in enumerate(calls):
        head = {"index": index, "id": c.id, "type": "function"}
        if whole_calls:
            out.append(
                chunk(
                    {
                        "tool_calls": [
                            {**head, "function": {"name": c.name, "arguments": c.arguments}}
                        ]
                    }
                )
            )
            continue
        out.append(chunk({"tool_calls": [{**head, "function": {"name": c.name, "arguments": ""}}]}))
        out.extend(
            chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
            for piece in fragments(c.arguments, fragment_size)
        )
    out.append(chunk({}, chat_finish_reason(response)))
    usage = chat_usage(response.usage)
    if include_usage and usage is not None:
        out.append({**base, "choices": [], "usage": usage})
    return out
