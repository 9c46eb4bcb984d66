"""Gemini API, decoding direction: response bodies, the stream decoder and errors.

See the package docstring for the wire docs, the id scheme and the rules covered.
Sources for what is decoded here: google-genai 3.6.1 ``types.py`` (``GenerateContentResponse``,
``Candidate``, ``Part``, ``FunctionCall``, ``FinishReason``, the usage metadata),
``_api_client.py`` (SSE lines; ``{"error": ...}`` chunks raised by ``request_streamed``; JSON that
arrives without SSE framing), ``errors.py`` (``APIError``: ``code``/``status``/``message``, a
one-element list body) and docs/dialects.md#errors-gemini. That depleted prepaid credits come as
a 402 ``RESOURCE_EXHAUSTED`` not worth retrying is unconfirmed
(docs/dialects.md#errors-gemini-prepaid).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from ..._events import StreamEvent
from ..._exceptions import (
    AuthenticationError,
    ContextLengthError,
    OverloadedError,
    ProtocolError,
    ProviderError,
    RateLimitError,
)
from ..._messages import ProviderPart, Response, ToolCall, Usage
from ..._sse import SSEDecoder
from ..._types import FinishReason, JSONObject
from ..._wire import HttpResponse
from .._assembly import ResponseAssembler, make_call
from .._encoding import content_id
from .._errors import in_band, parse_duration, provider_error

__all__ = [
    "PROVIDER",
    "GeminiStreamDecoder",
    "finish_reason",
    "in_band_error",
    "parse_body",
    "parse_error",
    "stable_id",
]

PROVIDER = "gemini"


def parse_body(
    body: Any,
    *,
    model: str,
    restore: Callable[[ToolCall], ToolCall] | None,
    response: HttpResponse,
) -> Response:
    """A non-streamed ``GenerateContentResponse`` (``body`` is ``response``'s parsed JSON)."""
    if not isinstance(body, dict):
        raise ProtocolError(
            PROVIDER,
            f"expected a GenerateContentResponse object, got {type(body).__name__}",
            status=response.status,
            body=response.text(),
        )
    if "error" in body:
        raise in_band_error(body["error"], response.text(), response.headers)
    turn = _Turn()
    turn.response_id = _str(body.get("responseId"))
    candidate = _first_candidate(body)
    texts: list[str] = []
    calls: list[ToolCall] = []
    for item in turn.read(_parts(candidate)):
        if isinstance(item, str):
            texts.append(item)
        else:
            calls.append(restore(item) if restore is not None else item)
    raw, blocked = _raw_finish(body, candidate)
    return Response(
        provider=PROVIDER,
        model=_str(body.get("modelVersion")) or model,
        text="".join(texts) if texts else None,
        tool_calls=tuple(calls),
        finish_reason=finish_reason(raw, bool(calls), blocked),
        raw_finish_reason=raw,
        usage=_parse_usage(body.get("usageMetadata")),
        id=turn.response_id,
        opaque=turn.opaque(),
    )


def parse_error(response: HttpResponse) -> ProviderError:
    """The neutral error for a non-2xx answer (docs/dialects.md#errors-gemini)."""
    text = response.text()
    try:
        body = json.loads(response.body) if response.body else None
    except ValueError:
        body = None
    # A list holding one error object also occurs (google-genai errors.APIError.__init__).
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    error = body.get("error") if isinstance(body, dict) else None
    return _error(response.status, error, text, response.headers)


class GeminiStreamDecoder:
    """Fed the bytes of one ``streamGenerateContent?alt=sse`` response.

    Every ``data:`` payload is a complete ``GenerateContentResponse``: text parts are deltas,
    ``functionCall`` parts are whole calls, ``usageMetadata`` is cumulative (the last one wins),
    ``finishReason`` arrives on the last chunk. A body that starts with ``{`` or ``[`` is not
    SSE (an error answer, or a stream asked for without ``alt=sse``) and is parsed whole on
    ``close``.
    """

    def __init__(self, model: str, restore: Callable[[ToolCall], ToolCall] | None) -> None:
        self._sse = SSEDecoder()
        self._asm = ResponseAssembler(PROVIDER, restore=restore)
        self._asm.model = model
        self._turn = _Turn()
        self._raw: list[bytes] | None = None
        self._started = False
        self._finish: str | None = None
        self._blocked = False
        self._usage: Any = None

    def feed(self, data: bytes) -> list[StreamEvent]:
        if self._raw is not None:
            self._raw.append(data)
            return []
        if not self._started:
            head = data.lstrip()
            if head:
                self._started = True
                if head[:1] in (b"{", b"["):
                    self._raw = [data]
                    return []
        for event in self._sse.feed(data):
            self._event(event.data)
        return self._asm.drain()

    def close(self) -> Response:
        if self._raw is not None:
            text = b"".join(self._raw).decode("utf-8", errors="replace")
            try:
                body = json.loads(text)
            except ValueError:
                raise ProtocolError(
                    PROVIDER, f"stream body is neither SSE nor JSON: {text[:200]!r}"
                ) from None
            for chunk in body if isinstance(body, list) else [body]:
                self._chunk(chunk, text)
        else:
            for event in self._sse.close():
                self._event(event.data)
        self._asm.usage = _parse_usage(self._usage)
        if self._finish is not None or self._blocked:
            reason = finish_reason(self._finish, self._asm.call_count > 0, self._blocked)
            self._asm.finish(reason, self._finish)
        self._asm.opaque = list(self._turn.opaque())
        return self._asm.build()

    def _event(self, data: str) -> None:
        if not data:
            return
        try:
            chunk = json.loads(data)
        except ValueError:
            raise ProtocolError(
                PROVIDER, f"SSE data is not JSON: {data[:200]!r}", body=data
            ) from None
        self._chunk(chunk, data)

    def _chunk(self, chunk: Any, text: str) -> None:
        if not isinstance(chunk, dict):
            raise ProtocolError(PROVIDER, f"expected a GenerateContentResponse, got {chunk!r:.200}")
        if "error" in chunk:
            raise in_band_error(chunk["error"], text, {})
        asm = self._asm
        response_id = chunk.get("responseId")
        if response_id and isinstance(response_id, str):
            asm.id = self._turn.response_id = response_id
        model = chunk.get("modelVersion")
        if model and isinstance(model, str):
            asm.model = model
        usage = chunk.get("usageMetadata")
        if usage is not None:
            self._usage = usage  # cumulative: only the last one is read, in close()
        candidate = _first_candidate(chunk)
        for item in self._turn.read(_parts(candidate)):
            if isinstance(item, str):
                asm.text(item)
            else:
                index = asm.call_count
                arguments: str | JSONObject = (
                    item.raw_arguments if item.malformed and item.raw_arguments else item.arguments
                )
                asm.whole_call(index, item.id, item.name, arguments, item.opaque)
        raw, blocked = _raw_finish(chunk, candidate)
        if raw is not None:
            self._finish = raw
            self._blocked = self._blocked or blocked


# --- helpers -------------------------------------------------------------------------------------


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _first_candidate(body: JSONObject) -> JSONObject:
    candidates = body.get("candidates")
    if isinstance(candidates, list) and candidates and isinstance(candidates[0], dict):
        return candidates[0]
    return {}


def _parts(candidate: JSONObject) -> Any:
    content = candidate.get("content")
    return content.get("parts") if isinstance(content, dict) else None


def stable_id(response_id: str | None, index: int, name: str, args: Any) -> str:
    """The id of a call sent without one: a digest of where it stands and what it says (the
    shared ``content_id``, as Ollama's decoder makes its own)."""
    return content_id("gemini_", response_id or "", index, name, args, length=20)


class _Turn:
    """Sorts the parts of one model turn (a whole response, or the chunks of a stream).

    ``read`` returns text deltas and calls in order; thought parts and parts fctest does not
    model are kept verbatim (consecutive thought texts joined) for ``opaque`` to send back.
    """

    __slots__ = ("calls", "kept", "response_id", "text_signature")

    def __init__(self) -> None:
        self.response_id: str | None = None
        self.calls = 0
        self.kept: list[JSONObject] = []
        self.text_signature: str | None = None

    def read(self, parts: Any) -> list[str | ToolCall]:
        out: list[str | ToolCall] = []
        if not isinstance(parts, list):
            return out
        for part in parts:
            if not isinstance(part, dict):
                continue
            fc = part.get("functionCall")
            if isinstance(fc, dict):
                out.append(_parse_call(fc, part.get("thoughtSignature"), self))
                continue
            text = part.get("text")
            if isinstance(text, str) and not part.get("thought"):
                if text:
                    out.append(text)
                signature = part.get("thoughtSignature")
                if isinstance(signature, str) and signature:
                    self.text_signature = signature
                continue
            self._keep(part)
        return out

    def _keep(self, part: JSONObject) -> None:
        last = self.kept[-1] if self.kept else None
        if (
            last is not None
            and part.get("thought") is True
            and last.get("thought") is True
            and set(last) == {"text", "thought"}
            and set(part) <= {"text", "thought", "thoughtSignature"}
            and isinstance(part.get("text"), str)
            and isinstance(last.get("text"), str)
        ):
            self.kept[-1] = {**part, "text": last["text"] + part["text"]}
        else:
            self.kept.append(part)

    def opaque(self) -> tuple[ProviderPart, ...]:
        data: JSONObject = {}
        if self.kept:
            data["parts"] = self.kept
        if self.text_signature:
            data["textSignature"] = self.text_signature
        return (ProviderPart("gemini", data),) if data else ()


def _parse_call(fc: JSONObject, signature: Any, turn: _Turn) -> ToolCall:
    name = fc.get("name")
    if not isinstance(name, str):
        name = ""
    args = fc.get("args")
    data: JSONObject = {}
    call_id = fc.get("id")
    if not isinstance(call_id, str) or not call_id:
        call_id = stable_id(turn.response_id, turn.calls, name, args)
        data["generatedId"] = True
    turn.calls += 1
    if isinstance(signature, str) and signature:
        data["thoughtSignature"] = signature
    return make_call(call_id, name, args, ProviderPart("gemini", data))


_FINISH: Mapping[str, FinishReason] = {
    "MAX_TOKENS": "length",
    "CONTINUATION": "length",
    "MALFORMED_FUNCTION_CALL": "malformed_call",
    "UNEXPECTED_TOOL_CALL": "malformed_call",
    **dict.fromkeys(
        (
            "SAFETY",
            "RECITATION",
            "LANGUAGE",
            "BLOCKLIST",
            "PROHIBITED_CONTENT",
            "SPII",
            "IMAGE_SAFETY",
            "IMAGE_PROHIBITED_CONTENT",
            "IMAGE_RECITATION",
            "MODEL_ARMOR",
        ),
        "content_filter",
    ),
}
"""types.FinishReason values that are not ``STOP``; anything unknown is ``other``.
``CONTINUATION`` and ``MODEL_ARMOR`` are not in google-genai 3.6.1, and its newer
``TOO_MANY_TOOL_CALLS``, ``MISSING_THOUGHT_SIGNATURE`` and ``MALFORMED_RESPONSE`` fall to
``other`` (docs/dialects.md#conflict-gemini-finish)."""


def _raw_finish(body: JSONObject, candidate: JSONObject) -> tuple[str | None, bool]:
    """The provider's finish value, and whether the prompt itself was blocked (no candidate,
    ``promptFeedback.blockReason``)."""
    raw = _str(candidate.get("finishReason"))
    if raw is not None:
        return raw, False
    if not candidate:
        feedback = body.get("promptFeedback")
        if isinstance(feedback, dict) and _str(feedback.get("blockReason")):
            return feedback["blockReason"], True
    return None, False


def finish_reason(raw: str | None, has_calls: bool, blocked: bool) -> FinishReason:
    if blocked:
        return "content_filter"
    if raw is None or raw == "STOP":
        # Gemini says STOP after function calls: the parts tell (docs/dialects.md#finish-gemini).
        return "tool_calls" if has_calls else "stop"
    return _FINISH.get(raw, "other")


def _parse_usage(meta: Any) -> Usage | None:
    """Input = prompt (+ tool-use prompt) tokens; output = candidates + thinking tokens, so the
    two add up to ``totalTokenCount``. Proto JSON leaves zero counts out: absent means 0."""
    if not isinstance(meta, dict):
        return None

    counts = [meta.get(key) for key in _USAGE_KEYS]
    prompt, tool_prompt, candidates, thoughts = (c if type(c) is int else 0 for c in counts)
    return Usage(prompt + tool_prompt, candidates + thoughts)


_USAGE_KEYS = (
    "promptTokenCount",
    "toolUsePromptTokenCount",
    "candidatesTokenCount",
    "thoughtsTokenCount",
)


# --- errors -------------------------------------------------------------------------------------


def _retry_delay(details: Any) -> float | None:
    """``retryDelay`` of a ``google.rpc.RetryInfo`` detail (``"30s"``; a Duration in JSON),
    unconfirmed on the REST API (docs/dialects.md#errors-gemini-429)."""
    if not isinstance(details, list):
        return None
    for detail in details:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith(
            "google.rpc.RetryInfo"
        ):
            delay = detail.get("retryDelay")
            if isinstance(delay, str):
                return parse_duration(delay)
            if isinstance(delay, dict):
                seconds = delay.get("seconds", 0)
                nanos = delay.get("nanos", 0)
                try:
                    return float(seconds) + float(nanos) / 1e9
                except (TypeError, ValueError):
                    return None
    return None


def _error_reasons(details: Any) -> set[str]:
    if not isinstance(details, list):
        return set()
    return {
        str(d.get("reason"))
        for d in details
        if isinstance(d, dict) and str(d.get("@type", "")).endswith("google.rpc.ErrorInfo")
    }


def _error(
    status: int,
    error: Any,
    body: str,
    headers: Mapping[str, str],
) -> ProviderError:
    """The neutral error for a Gemini ``error`` object (or a body without one)."""
    message: str
    if isinstance(error, dict):
        text = error.get("message")
        message = text if isinstance(text, str) else ""
        status_name = _str(error.get("status"))
        details = error.get("details")
    else:
        message = error if isinstance(error, str) else body.strip()[:500]
        status_name = None
        details = None
    kind: type[ProviderError] | None = None
    retryable: bool | None = None
    lowered = message.lower()
    if status_name == "UNAVAILABLE":
        kind = OverloadedError  # 503 "The model is overloaded" (docs/dialects.md#errors-gemini-503)
    elif status_name == "RESOURCE_EXHAUSTED" and status != 402:
        kind = RateLimitError  # 429 quota / rate (docs/dialects.md#errors-gemini-429)
    elif "API_KEY_INVALID" in _error_reasons(details):
        # Answered as 400 INVALID_ARGUMENT; this and the next text are unconfirmed
        # (docs/dialects.md#errors-gemini-other).
        kind = AuthenticationError
    elif "exceeds the maximum number of tokens" in lowered:
        kind = ContextLengthError
    if "prepayment credits are depleted" in lowered:
        # 402 RESOURCE_EXHAUSTED (429 before the change), not worth retrying until credits are
        # added: unconfirmed (docs/dialects.md#errors-gemini-prepaid).
        retryable = False
    return provider_error(
        PROVIDER,
        status,
        message,
        body=body,
        headers=headers,
        code=status_name,
        kind=kind,
        retryable=retryable,
        retry_after_seconds=_retry_delay(details),
    )


def in_band_error(error: Any, body: str, headers: Mapping[str, str]) -> ProviderError:
    """An ``{"error": ...}`` object inside a 200 body or stream (``_api_client.request_streamed``
    raises these): the class from the code it carries, ``status`` left at 200."""
    code = error.get("code") if isinstance(error, dict) else None
    embedded = code if isinstance(code, int) and 100 <= code <= 599 else 500
    return in_band(_error(embedded, error, body, headers), body=body, headers=headers)
