"""Ollama ``/api/chat``, decoding direction: response bodies, the NDJSON stream decoder, errors.

See the package docstring for the wire docs. A body (and each stream line) is a ``ChatResponse``
(ollama-python 0.6.3 ``_types.py``; ``api/types.go``): ``message`` with ``content``,
``thinking`` and ``tool_calls`` (whole calls, arguments as an object), then ``done``,
``done_reason`` and the counts on the last line. Errors are ``{"error": "<text>"}``, with the
HTTP status or, once a stream has begun, as one more line under status 200
(docs/dialects.md#ollama-errors). Nothing here raises ``KeyError``/``TypeError`` on a strange
body: what does not fit the shape is a ``ProtocolError`` saying what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..._events import StreamEvent
from ..._exceptions import ContextLengthError, ProtocolError, ProviderError
from ..._messages import ProviderPart, Response, ToolCall, Usage
from ..._types import FinishReason, JSONObject
from ..._wire import HttpResponse
from .._assembly import ResponseAssembler, make_call, parse_event
from .._base import error_body
from .._encoding import content_id
from .._errors import in_band, provider_error

__all__ = [
    "PROVIDER",
    "OllamaStreamDecoder",
    "finish_reason",
    "generated_id",
    "parse_body",
    "parse_error",
    "thinking_of",
]

PROVIDER = "ollama"

# done_reason values: "stop" and "length" (llm/server.go DoneReason.String), "load" and
# "unload" for requests that only load or unload a model (docs/api.md); a final line without
# one is a plain stop, as in the API reference's streaming example (docs/dialects.md#ollama-finish).
_FINISH: Mapping[str, FinishReason] = {"length": "length", "load": "other", "unload": "other"}

# 400 texts that mean "the prompt does not fit" (server/routes.go, llm/llama_server.go):
# docs/dialects.md#ollama-errors.
_CONTEXT = re.compile(r"exceeds the context length|longer than the context length", re.I)


def finish_reason(raw: str | None, has_calls: bool) -> FinishReason:
    """``stop`` after calls is ``tool_calls``: Ollama has no reason of its own for them
    (recorded: docs/dialects.md#ollama-finish)."""
    if not raw or raw == "stop":
        return "tool_calls" if has_calls else "stop"
    return _FINISH.get(raw, "other")


def generated_id(model: str, created_at: str, index: int, name: str, arguments: Any) -> str:
    """The id of a call sent without one (servers before v0.12.10): a digest of the line it came
    on and its place in the answer, so the same bytes always give the same id and two turns do
    not collide (docs/dialects.md#ollama-ids)."""
    return content_id("ollama_", model, created_at, index, name, arguments, length=20)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _usage(body: JSONObject) -> Usage | None:
    """``prompt_eval_count`` (input) and ``eval_count`` (output): docs/api/usage.mdx."""
    prompt, output = _count(body.get("prompt_eval_count")), _count(body.get("eval_count"))
    if prompt is None and output is None:
        return None
    return Usage(prompt, output)


def _message(body: JSONObject, text: str) -> JSONObject:
    message = body.get("message")
    if message is None and body.get("done") is True:
        return {}  # the API reference's final lines may carry no message
    if not isinstance(message, dict):
        raise ProtocolError(
            PROVIDER,
            f"expected a ChatResponse with a 'message' object, got {text[:200]!r}",
            status=200,
            body=text,
        )
    return message


def _calls(message: JSONObject, body: JSONObject, first: int, text: str) -> list[ToolCall]:
    """The ``tool_calls`` of one message; ``first`` is the position of the first one in the
    answer (a stream's calls are numbered across its lines)."""
    raw = message.get("tool_calls")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ProtocolError(
            PROVIDER, f"expected 'tool_calls' to be a list, got {raw!r:.200}", status=200, body=text
        )
    calls = []
    for offset, item in enumerate(raw):
        function = item.get("function") if isinstance(item, dict) else None
        if not isinstance(function, dict):
            raise ProtocolError(
                PROVIDER,
                f"expected a tool call {{'function': {{'name', 'arguments'}}}}, got {item!r:.200}",
                status=200,
                body=text,
            )
        name = _str(function.get("name"))
        arguments = function.get("arguments")
        call_id = _str(item.get("id")) or generated_id(
            _str(body.get("model")), _str(body.get("created_at")), first + offset, name, arguments
        )
        calls.append(make_call(call_id, name, arguments))
    return calls


def _thinking(texts: list[str]) -> tuple[ProviderPart, ...]:
    """The reasoning trace, kept to go back in ``thinking`` with the turn
    (docs/dialects.md#ollama-thinking)."""
    joined = "".join(texts)
    return (ProviderPart(PROVIDER, {"thinking": joined}),) if joined else ()


def thinking_of(parts: Iterable[ProviderPart]) -> str:
    """The reasoning trace kept in a turn's parts ("" when there is none)."""
    return "".join(
        str(p.data["thinking"])
        for p in parts
        if p.provider == PROVIDER and isinstance(p.data.get("thinking"), str)
    )


def parse_body(
    body: Any, restore: Callable[[ToolCall], ToolCall] | None, response: HttpResponse
) -> Response:
    """A non-streamed ``ChatResponse`` (``body`` is ``response``'s parsed JSON)."""
    text = response.text()
    if not isinstance(body, dict):
        raise ProtocolError(
            PROVIDER,
            f"expected a ChatResponse object, got {type(body).__name__}",
            status=response.status,
            body=text,
        )
    if "error" in body:
        raise in_band_error(body["error"], text, response.headers)
    message = _message(body, text)
    calls = _calls(message, body, 0, text)
    if restore is not None:
        calls = [restore(c) for c in calls]
    raw = body.get("done_reason")
    raw = raw if isinstance(raw, str) and raw else None
    thinking = message.get("thinking")
    return Response(
        provider=PROVIDER,
        model=_str(body.get("model")),
        text=_str(message.get("content")) or None,
        tool_calls=tuple(calls),
        finish_reason=finish_reason(raw, bool(calls)),
        raw_finish_reason=raw,
        usage=_usage(body),
        opaque=_thinking([thinking] if isinstance(thinking, str) else []),
    )


class OllamaStreamDecoder:
    """Fed the bytes of one ``"stream": true`` answer: NDJSON, one ``ChatResponse`` per line,
    split anywhere (docs/dialects.md#ollama-streaming).

    ``content`` and ``thinking`` are pieces to join; ``tool_calls`` are whole calls; the line
    with ``done: true`` carries ``done_reason`` and the counts. An ``{"error": ...}`` line is the
    error of a stream that had already begun (docs/dialects.md#ollama-errors).
    """

    __slots__ = ("_asm", "_buffer", "_scanned", "_thinking")

    def __init__(self, restore: Callable[[ToolCall], ToolCall] | None = None) -> None:
        self._asm = ResponseAssembler(PROVIDER, restore=restore)
        self._buffer = bytearray()
        self._scanned = 0  # bytes of the buffer known to hold no newline
        self._thinking: list[str] = []

    def feed(self, data: bytes) -> list[StreamEvent]:
        self._buffer += data
        while (end := self._buffer.find(b"\n", self._scanned)) >= 0:
            line = bytes(self._buffer[:end])
            del self._buffer[: end + 1]
            self._scanned = 0
            self._line(line)
        self._scanned = len(self._buffer)
        return self._asm.drain()

    def close(self) -> Response:
        if self._buffer.strip():
            self._line(bytes(self._buffer))
        self._buffer.clear()
        self._asm.opaque = list(_thinking(self._thinking))
        return self._asm.build()

    def _line(self, line: bytes) -> None:
        text = line.decode("utf-8", errors="replace").strip()
        if not text:
            return
        chunk = parse_event(PROVIDER, text, "one ChatResponse JSON object per line (NDJSON)")
        if "error" in chunk:
            raise in_band_error(chunk["error"], text, {})
        self._chunk(chunk, text)

    def _chunk(self, chunk: JSONObject, text: str) -> None:
        asm = self._asm
        model = chunk.get("model")
        if isinstance(model, str) and model:
            asm.model = model
        message = _message(chunk, text)
        content = message.get("content")
        if isinstance(content, str):
            asm.text(content)
        thinking = message.get("thinking")
        if isinstance(thinking, str) and thinking:
            self._thinking.append(thinking)
        for call in _calls(message, chunk, asm.call_count, text):
            arguments: str | JSONObject = (
                call.raw_arguments if call.malformed and call.raw_arguments else call.arguments
            )
            asm.whole_call(asm.call_count, call.id, call.name, arguments)
        if chunk.get("done") is True:
            raw = chunk.get("done_reason")
            raw = raw if isinstance(raw, str) and raw else None
            asm.finish(finish_reason(raw, asm.call_count > 0), raw)
            asm.usage = _usage(chunk)


# --- errors ----------------------------------------------------------------------------------


def _error_text(error: Any, fallback: str) -> str:
    if isinstance(error, str):
        return error
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])
    return fallback.strip()[:500]


def _error(status: int, message: str, body: str, headers: Mapping[str, str]) -> ProviderError:
    """The class comes from the status (docs/dialects.md#ollama-errors); a prompt that does not
    fit the context is a ``ContextLengthError``."""
    kind = ContextLengthError if _CONTEXT.search(message) else None
    return provider_error(PROVIDER, status, message, body=body, headers=headers, kind=kind)


def parse_error(response: HttpResponse) -> ProviderError:
    """The neutral error for a non-2xx answer: ``{"error": "<text>"}``, or a proxy's page."""
    text = response.text()
    body = error_body(response)
    error = body.get("error") if isinstance(body, dict) else None
    return _error(response.status, _error_text(error, text), text, response.headers)


def in_band_error(error: Any, body: str, headers: Mapping[str, str]) -> ProviderError:
    """An ``{"error": ...}`` under status 200 (a stream that failed after it began): the text
    alone says what happened, so it is a ``ServerError`` unless it names the context length."""
    probe = _error(500, _error_text(error, body), body, headers)
    return in_band(probe, body=body, headers=headers)
