"""Anthropic Messages API, encoding direction: what the API would answer (the decoders' inverse).

Used by the reference server and the round-trip properties; ``_decode`` reads back
exactly what is written here, and so does the ``anthropic`` SDK. Shapes follow the SDK 2.15.0
types (``types/message.py``, ``types/usage.py``, ``types/raw_message_*_event.py``,
``types/shared/error_type.py``), the streaming doc
(https://platform.claude.com/docs/en/build-with-claude/streaming: ``message_start``, per block
``content_block_start``/``_delta``/``_stop``, ``message_delta``, ``message_stop``, with ``ping``
events in between) and the errors doc (https://platform.claude.com/docs/en/api/errors), checked
against the recorded streams of the corpus (``shared/corpus/Arize-ai__openinference/anthropic/``
``*streaming*``: a ``ping`` after the first block start, a ``tool_use`` start with ``input: {}``
then an empty ``input_json_delta``, cumulative usage with ``input_tokens`` on
``message_delta``; docs/dialects.md#stream-anthropic).

Deterministic: a message without an id gets ``msg_`` + a digest of its content, a call without
an id ``toolu_`` + a digest of the message id and its position. Lossy on purpose, and refused
rather than guessed: ``finish_reason="malformed_call"`` (Anthropic has no such stop reason) and
malformed calls in a whole body (``tool_use.input`` is an object; a stream can carry the raw
text as ``input_json_delta`` fragments, and does). A response without usage is written with
zero counts: the SDK's ``Usage.input_tokens``/``output_tokens`` are required.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..._exceptions import UsageError
from ..._messages import Request, Response, ToolCall
from ..._types import FinishReason, JSONObject
from ..._wire import HttpRequest, HttpResponse
from .._encoding import (
    check_error_status,
    content_id,
    count_turns,
    fragments,
    response_digest,
    retry_after_header,
    sse_event,
)
from .._responder import Responder
from ._decode import FINISH, PROVIDER
from ._request import AnthropicAdapter

__all__ = ["AnthropicResponder"]

# Neutral finish reason -> stop_reason (SDK types/stop_reason.py). "other" has no exact
# counterpart: pause_turn is the documented value that decodes back to "other".
_STOP_REASON: Mapping[FinishReason, str] = {
    "stop": "end_turn",
    "tool_calls": "tool_use",
    "length": "max_tokens",
    "content_filter": "refusal",
    "other": "pause_turn",
}

# HTTP status -> error.type (docs/dialects.md#errors-anthropic). Other 4xx are
# invalid_request_error ("We may also use this error type for other 4XX status codes"),
# other 5xx api_error.
_ERROR_TYPE: Mapping[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}

_JSON_HEADERS = {"content-type": "application/json"}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --- whole bodies ------------------------------------------------------------------------------


def _message_id(response: Response) -> str:
    if response.id:
        return response.id
    return "msg_" + response_digest(response, PROVIDER)[:24]


def _stop_reason(response: Response) -> str:
    """The raw value when it means the neutral one, else the neutral reason's own value."""
    raw = response.raw_finish_reason
    if raw is not None and FINISH.get(raw) == response.finish_reason:
        return raw
    stop = _STOP_REASON.get(response.finish_reason)
    if stop is None:
        raise UsageError(
            f"{PROVIDER}: finish_reason {response.finish_reason!r} has no Anthropic stop_reason "
            f"(SDK types/stop_reason.py: {sorted(FINISH)})"
        )
    return stop


def _usage(response: Response) -> JSONObject:
    usage = response.usage
    if usage is None:
        return {"input_tokens": 0, "output_tokens": 0}
    return {"input_tokens": usage.input_tokens or 0, "output_tokens": usage.output_tokens or 0}


def _content(
    response: Response, names: Mapping[str, str], message_id: str, *, whole: bool
) -> list[JSONObject]:
    """Opaque blocks (thinking, redacted thinking, server tools) first, as the request mapper
    sends them back, then the text, then one ``tool_use`` block per call."""
    blocks = [
        dict(p.data)
        for p in response.opaque
        if p.provider == PROVIDER and isinstance(p.data.get("type"), str)
    ]
    if response.text:
        blocks.append({"type": "text", "text": response.text})
    for index, call in enumerate(response.tool_calls):
        block: JSONObject = {
            "type": "tool_use",
            "id": call.id or content_id("toolu_", message_id, index),
            "name": names.get(call.name, call.name),
            "input": _input(call, whole=whole),
        }
        blocks.append(block)
    return blocks


def _input(call: ToolCall, *, whole: bool) -> JSONObject:
    if call.malformed and whole:
        raise UsageError(
            f"{PROVIDER}: call {call.id!r} ({call.name}) has malformed arguments, which a "
            "Messages body cannot hold (tool_use.input is an object); encode_stream carries "
            "the raw text as input_json_delta fragments"
        )
    return call.arguments


# --- streams --------------------------------------------------------------------------------------


def _block_events(
    block: JSONObject, raw_arguments: str | None, size: int
) -> tuple[JSONObject, list[JSONObject]]:
    """A block's ``content_block_start`` payload and its deltas.

    Text and thinking start empty and grow by ``text_delta``/``thinking_delta`` (the signature
    comes whole in a ``signature_delta``); blocks with an ``input`` object (``tool_use``,
    ``server_tool_use``) start with the ``input: {}`` placeholder and send the JSON text in
    ``input_json_delta`` pieces, led by an empty one as the API does; anything else (redacted
    thinking, server tool results) arrives whole in its start event.
    """
    btype = block.get("type")
    if btype == "text":
        text = block.get("text") or ""
        return {**block, "text": ""}, [
            {"type": "text_delta", "text": piece} for piece in fragments(text, size)
        ]
    if btype == "thinking":
        start = {**block, "thinking": ""}
        deltas: list[JSONObject] = [
            {"type": "thinking_delta", "thinking": piece}
            for piece in fragments(str(block.get("thinking") or ""), size)
        ]
        signature = block.get("signature")
        if isinstance(signature, str):
            start["signature"] = ""
            if signature:
                deltas.append({"type": "signature_delta", "signature": signature})
        return start, deltas
    arguments = block.get("input")
    if raw_arguments is not None or isinstance(arguments, dict):
        text = raw_arguments
        if text is None:
            text = json.dumps(arguments, ensure_ascii=False) if arguments else ""
        deltas = [{"type": "input_json_delta", "partial_json": ""}]
        deltas += [{"type": "input_json_delta", "partial_json": p} for p in fragments(text, size)]
        return {**block, "input": {}}, deltas
    return block, []


# --- errors and requests ---------------------------------------------------------------------


class AnthropicResponder(Responder[AnthropicAdapter]):
    """What the Messages API answers to the requests ``adapter`` builds."""

    def encode_response(self, response: Response, request: Request | None = None) -> HttpResponse:
        """A 200 ``Message`` body (``client.messages.create``'s answer)."""
        names = self.wire_names(request)
        message_id = _message_id(response)
        body: JSONObject = {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": self.model(response, request),
            "content": _content(response, names, message_id, whole=True),
            "stop_reason": _stop_reason(response),
            "stop_sequence": None,
            "usage": _usage(response),
        }
        headers = {**_JSON_HEADERS, "request-id": content_id("req_", message_id)}
        return HttpResponse(200, headers, _json(body).encode("utf-8"))

    def encode_stream(
        self, response: Response, request: Request | None = None, *, fragment_size: int = 8
    ) -> list[bytes]:
        """The ``stream: true`` answer, one SSE event (``event:`` + ``data:`` + blank line)
        per item."""
        return _stream_events(
            response, self.wire_names(request), self.model(response, request), fragment_size
        )

    def encode_error(
        self, status: int, message: str, *, retry_after: float | None = None
    ) -> HttpResponse:
        """``{"type": "error", "error": {"type", "message"}, "request_id"}`` (api/errors,
        "Error shapes"), with ``request-id`` and, when given, ``retry-after`` headers."""
        check_error_status(PROVIDER, status)
        etype = _ERROR_TYPE.get(status, "invalid_request_error" if status < 500 else "api_error")
        request_id = content_id("req_", status, message)
        body = {
            "type": "error",
            "error": {"type": etype, "message": message},
            "request_id": request_id,
        }
        headers = {**_JSON_HEADERS, "request-id": request_id}
        if retry_after is not None:
            headers["retry-after"] = retry_after_header(retry_after)
        return HttpResponse(status, headers, _json(body).encode("utf-8"))

    def assistant_turns(self, request: HttpRequest) -> int:
        """The ``assistant`` entries of a Messages request's ``messages``."""
        return count_turns(PROVIDER, request, kind="Messages", key="messages", role="assistant")


def _stream_events(
    response: Response, names: Mapping[str, str], model: str, fragment_size: int
) -> list[bytes]:
    message_id = _message_id(response)
    stop = _stop_reason(response)
    usage = _usage(response)
    events: list[bytes] = []

    def emit(kind: str, payload: JSONObject) -> None:
        events.append(sse_event(_json({"type": kind, **payload}), event=kind))

    emit(
        "message_start",
        {
            "message": {
                "id": message_id,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                # The real API reports the first few output tokens here; message_delta's
                # cumulative count replaces them.
                "usage": {**usage, "output_tokens": min(usage["output_tokens"], 1)},
            }
        },
    )
    blocks = _content(response, names, message_id, whole=False)
    raw_texts = {
        len(blocks) - len(response.tool_calls) + i: c.raw_arguments
        for i, c in enumerate(response.tool_calls)
        if c.malformed and c.raw_arguments is not None
    }
    if not blocks:
        emit("ping", {})
    for index, block in enumerate(blocks):
        start, deltas = _block_events(block, raw_texts.get(index), fragment_size)
        emit("content_block_start", {"index": index, "content_block": start})
        if index == 0:
            emit("ping", {})
        for delta in deltas:
            emit("content_block_delta", {"index": index, "delta": delta})
        emit("content_block_stop", {"index": index})
    emit("message_delta", {"delta": {"stop_reason": stop, "stop_sequence": None}, "usage": usage})
    emit("message_stop", {})
    return events
