"""The Chat Completions wire written, not read: what an OpenAI-dialect server would answer.

The inverse of ``openai.py``'s decoding, for the reference server (``fctest serve``), the
round-trip properties and the benchmarks. Nothing here parses a provider's answer, and nothing
reads a clock or a random source: the same ``Response`` always gives the same bytes (``created``
is fixed, ids missing from the ``Response`` are derived from its content).

Shapes follow recorded traffic and the SDK types (openai-python 3.54 ``types/chat/
chat_completion.py``, ``chat_completion_chunk.py``, ``completion_usage.py``):

- a ``chat.completion`` body: ``choices[0].message`` with ``content``, ``refusal``,
  ``annotations`` and, for calls, ``tool_calls[]`` = ``{id, type: "function", function: {name,
  arguments}}`` (arguments a compact JSON string);
- a ``chat.completion.chunk`` SSE stream (``data: {...}`` events, ``data: [DONE]`` last): a role
  chunk, text in pieces, then each call: its first fragment carries ``index``, ``id``, ``type``,
  ``name`` and ``arguments: ""``, later fragments only ``index`` and an ``arguments`` piece (corpus:
  pydantic-ai ``test_complex_agent_run.yaml``; provider-dialects.md table 10, C38). Vendors that
  send each call whole in one chunk (Groq, xAI: profile ``streams_arguments=False``) get that
  instead. A chunk with ``finish_reason`` ends the choice; with ``stream_options.include_usage``
  every chunk carries ``usage: null`` and a last chunk with ``choices: []`` carries the usage.

Shared with the Responses encoder (``_responses_encode``): ``wire_calls`` (tool names and argument
text as the model would send them), ``derive_id``, the OpenAI error envelope (``openai_error``,
``error_response``). Framing, cutting and digests common to every provider's encoder are in
``_encoding``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from .._exceptions import UsageError
from .._messages import Response, ToolCall, Usage
from .._types import FinishReason, JSONObject
from .._wire import HttpRequest, HttpResponse
from ..dialect import Fitting
from ._encoding import content_id, fragments, response_digest, retry_after_header, sse_event

__all__ = [
    "CREATED",
    "DONE",
    "WireCall",
    "chat_chunks",
    "chat_completion",
    "chat_finish_reason",
    "chat_usage",
    "count_chat_turns",
    "derive_id",
    "error_response",
    "openai_error",
    "request_json",
    "sse_data",
    "wire_calls",
]

CREATED: Final = 1_767_225_600
"""The fixed ``created`` / ``created_at`` of every encoded answer (2026-01-01T00:00:00Z): a
clock would make the same response encode to different bytes."""

DONE: Final = b"data: [DONE]\n\n"
"""The last event of a Chat Completions stream (openai-python ``_streaming.py`` stops at it)."""

# Neutral -> Chat ``finish_reason`` (ChatCompletion Choice.finish_reason). Chat has no value for
# a malformed call: the model did call a tool, so ``tool_calls`` (what OpenAI sends when the
# argument text is not valid JSON, C28); nor for ``other``, sent as ``stop``.
_CHAT_FINISH: Final[Mapping[FinishReason, str]] = {
    "stop": "stop",
    "tool_calls": "tool_calls",
    "length": "length",
    "content_filter": "content_filter",
    "malformed_call": "tool_calls",
    "other": "stop",
}

# OpenAI error ``type`` and ``code`` by status, as recorded: ``invalid_request_error`` for the
# caller's mistakes (401 ``invalid_api_key`` [I37]; 404 ``model_not_found``, corpus pydantic-ai
# ``test_model_name_suggestion[openai-chat].yaml``), ``tokens`` + ``rate_limit_exceeded`` for a
# 429 ([I38]), ``server_error`` for 5xx (openai-openapi ErrorResponse).
_ERROR_TYPES: Final[Mapping[int, tuple[str, str | None]]] = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", None),
    404: ("invalid_request_error", "model_not_found"),
    429: ("tokens", "rate_limit_exceeded"),
}


@dataclass(frozen=True, slots=True)
class WireCall:
    """One call as the provider would send it: wire name and argument text; ``call`` is the
    neutral call it came from (the Responses encoder reads its ``fc_`` id and ``malformed``)."""

    id: str
    name: str
    arguments: str
    call: ToolCall


# --- shared with the Responses encoder -------------------------------------------------------


def wire_calls(fitting: Fitting | None, response: Response) -> list[WireCall]:
    """The calls of ``response`` as the model would send them to the request ``fitting``
    was made for.

    A call to a tool that was renamed for the wire carries the wire name, and under OpenAI
    strict mode (optional properties sent required-and-nullable, ``make_strict``) the omitted
    optional properties are sent as ``null``, as a constrained model does; decoding with the
    same request maps both back. A call that kept its provider text (``raw_arguments``,
    malformed or not) is sent with that text unchanged.
    """
    out = []
    for call in response.tool_calls:
        name = call.name if fitting is None else fitting.names.get(call.name, call.name)
        if call.raw_arguments is not None:
            text = call.raw_arguments
        else:
            arguments = call.arguments if fitting is None else fitting.wire_arguments(call)
            text = json.dumps(arguments, ensure_ascii=False, separators=(",", ":"))
        out.append(WireCall(call.id, name, text, call))
    return out


def derive_id(prefix: str, response: Response, size: int) -> str:
    """A stable id for an answer that has none: ``prefix`` + ``size`` hex characters of a digest
    of the response's content."""
    return prefix + response_digest(response)[:size]


def sse_data(obj: Any) -> bytes:
    """One ``data:`` SSE event holding ``obj`` as compact JSON."""
    return sse_event(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))


def openai_error(status: int, message: str) -> JSONObject:
    """``{"error": {message, type, param, code}}`` (openai-openapi ErrorResponse)."""
    kind, code = _ERROR_TYPES.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None)
    )
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def error_response(
    status: int,
    body: Any,
    *,
    retry_after: float | None = None,
    retry_headers: tuple[str, ...] = ("retry-after",),
) -> HttpResponse:
    """A JSON error answer. ``retry_after`` goes in each of ``retry_headers`` (the profile's):
    ``retry-after`` in seconds (``_encoding``), ``retry-after-ms`` in milliseconds (read first
    by openai-python ``_base_client.py``)."""
    if status < 400:
        raise UsageError(f"an error answer needs a 4xx or 5xx status, got {status}")
    headers = {"content-type": "application/json"}
    if retry_after is not None:
        seconds = retry_after_header(retry_after)  # checks the value
        for name in retry_headers:
            headers[name] = str(round(retry_after * 1000)) if name == "retry-after-ms" else seconds
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return HttpResponse(status, headers, data)


def request_json(provider: str, request: HttpRequest) -> JSONObject:
    """The JSON object body of a request an OpenAI-dialect adapter built."""
    try:
        body = json.loads(request.body) if request.body else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise UsageError(
            f"{provider}: the request body is not a JSON object: {request.body[:200]!r}"
        )
    return body


# --- Chat Completions ------------------------------------------------------------------------


def count_chat_turns(provider: str, request: HttpRequest) -> int:
    """Assistant messages in a Chat request's ``messages`` (each one a model turn)."""
    messages = request_json(provider, request).get("messages")
    if not isinstance(messages, list):
        raise UsageError(f"{provider}: the request has no 'messages' list")
    return sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "assistant")


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
        base["usage"] = None  # every chunk says so until the usage chunk (corpus, see docstring)

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
