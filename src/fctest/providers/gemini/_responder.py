"""Gemini API, encoding direction: what ``generateContent`` would answer (the decoders' inverse).

Used by the reference server and the round-trip properties; ``_decode`` reads back what
is written here, and so does google-genai. Shapes follow google-genai 3.6.1 ``types.py``
(``GenerateContentResponse``, ``Candidate``, ``Part``, ``FunctionCall``, ``FinishReason``,
``GenerateContentResponseUsageMetadata``), https://ai.google.dev/api/generate-content and the
recorded answers of the corpus (``shared/corpus/Arize-ai__openinference/gemini/*``,
``shared/corpus/pydantic__pydantic-ai/gemini/*stream*``; docs/dialects.md#stream-gemini): a whole
body is pretty-printed JSON; a stream is ``data: <GenerateContentResponse>`` events framed with CRLF
CRLF, each chunk a complete response carrying ``modelVersion``, ``responseId`` and the cumulative
``usageMetadata``, calls whole (one per chunk), text in pieces, and a last chunk with an empty text
part and the ``finishReason``.

Call ids (see the package docstring): the decoder makes up ``gemini_...`` ids for calls sent without
one. An id is therefore written only when the decoder would not make up the same one, so
``decode(encode(r))`` keeps every id; a call with an empty id is written without one (the decoder's
id then stands). Thought signatures go beside their ``functionCall``
(docs/dialects.md#thinking-gemini-signatures), a text signature on the text part, kept thought parts
first. Deterministic: a response without an id gets a ``responseId`` digested from its content.
Refused: malformed calls (``args`` is an object).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..._exceptions import UsageError
from ..._messages import Request, Response, ToolCall
from ..._types import FinishReason, JSONObject
from ..._wire import HttpRequest, HttpResponse
from .._encoding import check_error_status, count_turns, fragments, response_digest, sse_event
from .._responder import Responder
from ._decode import PROVIDER, finish_reason, stable_id
from ._request import GeminiAdapter

__all__ = ["GeminiResponder"]

# Neutral finish reason -> types.FinishReason. STOP after calls decodes as tool_calls
# (docs/dialects.md#finish-gemini).
_FINISH_REASON: Mapping[FinishReason, str] = {
    "stop": "STOP",
    "tool_calls": "STOP",
    "length": "MAX_TOKENS",
    "content_filter": "SAFETY",
    "malformed_call": "MALFORMED_FUNCTION_CALL",
    "other": "OTHER",
}

# HTTP status -> google.rpc status name (https://ai.google.dev/gemini-api/docs/troubleshooting,
# and https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto for 401, 409,
# 499 and 501; not re-checked: docs/dialects.md#errors-gemini-other). Anything else is UNKNOWN.
_STATUS: Mapping[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

_RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
_JSON_HEADERS = {"content-type": "application/json; charset=UTF-8"}


def _pretty(value: Any) -> bytes:
    """Whole bodies as the API writes them: two-space indents, a final newline."""
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _chunk_json(value: Any) -> str:
    """Stream payloads on one line, with the API's ``": "`` key separator."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ": "))


# --- whole bodies ------------------------------------------------------------------------------


def _response_id(response: Response) -> str:
    if response.id:
        return response.id
    return response_digest(response, PROVIDER)[:22]


def _finish(response: Response) -> str:
    """The raw value when it decodes to the neutral reason, else the neutral reason's value."""
    has_calls = bool(response.tool_calls)
    raw = response.raw_finish_reason
    if raw is not None and finish_reason(raw, has_calls, False) == response.finish_reason:
        return raw
    return _FINISH_REASON[response.finish_reason]


def _usage(response: Response) -> JSONObject | None:
    """Proto3 JSON leaves zero counts out (and the decoder reads absent counts as 0)."""
    usage = response.usage
    if usage is None:
        return None
    prompt, candidates = usage.input_tokens or 0, usage.output_tokens or 0
    counts = {
        "promptTokenCount": prompt,
        "candidatesTokenCount": candidates,
        "totalTokenCount": prompt + candidates,
    }
    return {k: v for k, v in counts.items() if v}


def _gemini_data(response: Response) -> JSONObject:
    return next((p.data for p in response.opaque if p.provider == PROVIDER), {})


def _kept_parts(response: Response) -> list[JSONObject]:
    kept = _gemini_data(response).get("parts")
    return [dict(p) for p in kept if isinstance(p, dict)] if isinstance(kept, list) else []


def _text_signature(response: Response) -> str | None:
    signature = _gemini_data(response).get("textSignature")
    return signature if isinstance(signature, str) and signature else None


def _text_part(text: str, signature: str | None) -> JSONObject:
    part: JSONObject = {"text": text}
    if signature:
        part["thoughtSignature"] = signature
    return part


def _call_parts(response: Response, names: Mapping[str, str], response_id: str) -> list[JSONObject]:
    return [
        _call_part(call, index, names.get(call.name, call.name), response_id)
        for index, call in enumerate(response.tool_calls)
    ]


def _call_part(call: ToolCall, index: int, name: str, response_id: str) -> JSONObject:
    if call.malformed:
        raise UsageError(
            f"{PROVIDER}: call {call.id!r} ({call.name}) has malformed arguments, which a "
            "functionCall cannot hold (args is a JSON object)"
        )
    fc: JSONObject = {"name": name, "args": call.arguments}
    # The decoder names id-less calls stable_id(responseId, position, name, args): write the
    # id only when that would not give it back.
    if call.id and call.id != stable_id(response_id, index, name, call.arguments):
        fc["id"] = call.id
    part: JSONObject = {"functionCall": fc}
    data = call.opaque.data if call.opaque is not None and call.opaque.provider == PROVIDER else {}
    signature = data.get("thoughtSignature")
    if isinstance(signature, str) and signature:
        part["thoughtSignature"] = signature
    return part


def _envelope(
    response: Response, response_id: str, model: str, parts: list[JSONObject], *, finish: bool
) -> JSONObject:
    candidate: JSONObject = {"content": {"parts": parts, "role": "model"}}
    if finish:
        candidate["finishReason"] = _finish(response)
    candidate["index"] = 0
    body: JSONObject = {"candidates": [candidate]}
    usage = _usage(response)
    if usage is not None:
        body["usageMetadata"] = usage
    if model:
        body["modelVersion"] = model
    body["responseId"] = response_id
    return body


# --- streams --------------------------------------------------------------------------------------


def _event(chunk: JSONObject) -> bytes:
    return sse_event(_chunk_json(chunk), line_end="\r\n")


# --- errors and requests ---------------------------------------------------------------------


def _duration(seconds: float) -> str:
    """Proto3 JSON ``Duration``: seconds with 0, 3, 6 or 9 fractional digits and an ``s``."""
    if isinstance(seconds, bool) or not 0 <= seconds < float("inf"):
        raise UsageError(f"retry_after must be a finite number of seconds >= 0, got {seconds!r}")
    whole, nanos = divmod(round(seconds * 1_000_000_000), 1_000_000_000)
    if not nanos:
        return f"{whole}s"
    digits = f"{nanos:09d}"
    for width in (3, 6):
        if not digits[width:].strip("0"):
            digits = digits[:width]
            break
    return f"{whole}.{digits}s"


class GeminiResponder(Responder[GeminiAdapter]):
    """What ``generateContent`` answers to the requests ``adapter`` builds (names are fitted
    the same way in both schema dialects, so the default one gives the wire names)."""

    def encode_response(self, response: Response, request: Request | None = None) -> HttpResponse:
        """A 200 ``GenerateContentResponse`` (``models.generateContent``'s answer)."""
        names = self.wire_names(request)
        model = self.model(response, request)
        response_id = _response_id(response)
        parts = _kept_parts(response)
        signature = _text_signature(response)
        if response.text:
            parts.append(_text_part(response.text, signature))
        parts += _call_parts(response, names, response_id)
        if signature and not response.text:
            # As the API ends a turn: an empty text part holding the signature, after the calls.
            parts.append(_text_part("", signature))
        body = _envelope(response, response_id, model, parts or [{"text": ""}], finish=True)
        return HttpResponse(200, _JSON_HEADERS, _pretty(body))

    def encode_stream(
        self, response: Response, request: Request | None = None, *, fragment_size: int = 8
    ) -> list[bytes]:
        """The ``streamGenerateContent?alt=sse`` answer, one ``data:`` event per chunk: kept
        thought parts, then the text in pieces of at most ``fragment_size`` characters, then one
        chunk per call, then the last chunk with the finish reason (and the text signature)."""
        names = self.wire_names(request)
        model = self.model(response, request)
        response_id = _response_id(response)
        chunks: list[list[JSONObject]] = []
        kept = _kept_parts(response)
        if kept:
            chunks.append(kept)
        chunks += [[{"text": piece}] for piece in fragments(response.text or "", fragment_size)]
        chunks += [[part] for part in _call_parts(response, names, response_id)]
        events = [
            _event(_envelope(response, response_id, model, parts, finish=False)) for parts in chunks
        ]
        last = [_text_part("", _text_signature(response))]
        events.append(_event(_envelope(response, response_id, model, last, finish=True)))
        return events

    def encode_error(
        self, status: int, message: str, *, retry_after: float | None = None
    ) -> HttpResponse:
        """``{"error": {"code", "message", "status"}}`` (docs/dialects.md#errors-gemini);
        ``retry_after`` becomes a ``google.rpc.RetryInfo`` detail whose ``retryDelay`` is a JSON
        ``Duration`` (``"30s"``)."""
        check_error_status(PROVIDER, status)
        error: JSONObject = {
            "code": status,
            "message": message,
            "status": _STATUS.get(status, "UNKNOWN"),
        }
        if retry_after is not None:
            error["details"] = [{"@type": _RETRY_INFO, "retryDelay": _duration(retry_after)}]
        return HttpResponse(status, _JSON_HEADERS, _pretty({"error": error}))

    def assistant_turns(self, request: HttpRequest) -> int:
        """The ``model`` entries of a generateContent request's ``contents``."""
        return count_turns(PROVIDER, request, kind="generateContent", key="contents", role="model")
