"""Ollama ``/api/chat``, encoding direction: what the server would answer (the decoders' inverse).

Used by the reference server and the round-trip properties; ``_decode`` reads back what is
written here, and so does ollama-python. Shapes follow ``api/types.go`` (``ChatResponse``,
``Message``, ``ToolCall`` with ``id`` and ``function.index``), the API reference's examples and
the recorded answer of the corpus (``shared/corpus/Arize-ai__openinference/ollama/``
``test_chat_with_tool_call.yaml``: ``id: call_...``, ``index``, ``done_reason: stop`` after a
call; docs/dialects.md#ollama-ids). A stream is NDJSON: a line per piece of thinking or text,
a line per call, then the ``done`` line with the reason and the counts
(docs/dialects.md#ollama-streaming). Errors are ``{"error": "<text>"}``
(docs/dialects.md#ollama-errors).

Deterministic: every line carries one fixed ``created_at`` (no clock), and a call is written
with its id, or without one when it has none (the decoder then makes up the same one from the
line). Refused rather than guessed: malformed calls (``arguments`` is an object) and the finish
reasons Ollama has no value for (``content_filter``, ``malformed_call``).
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
    count_turns,
    finish_value,
    fragments,
    retry_after_header,
)
from .._responder import Responder
from ._decode import PROVIDER, finish_reason, thinking_of
from ._request import OllamaAdapter

__all__ = ["CREATED_AT", "OllamaResponder"]

CREATED_AT = "2026-01-01T00:00:00Z"
"""The ``created_at`` of every answer written here (a clock would make answers differ)."""

# Neutral finish reason -> done_reason; "unload" is a documented value that decodes to "other".
_DONE_REASON: Mapping[FinishReason, str] = {
    "stop": "stop",
    "tool_calls": "stop",
    "length": "length",
    "other": "unload",
}

# Gin's c.JSON (server/routes.go) and the streaming doc's NDJSON type.
_JSON_HEADERS = {"content-type": "application/json; charset=utf-8"}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _done_reason(response: Response) -> str:
    """docs/dialects.md#ollama-finish: stop, length, load, unload."""
    has_calls = bool(response.tool_calls)
    return finish_value(
        response,
        lambda raw: finish_reason(raw, has_calls),
        _DONE_REASON,
        provider=PROVIDER,
        field="done_reason",
    )


def _call(call: ToolCall, index: int, names: Mapping[str, str]) -> JSONObject:
    if call.malformed:
        raise UsageError(
            f"{PROVIDER}: call {call.id!r} ({call.name}) has malformed arguments, which "
            "function.arguments cannot hold (it is a JSON object)"
        )
    out: JSONObject = {}
    if call.id:
        out["id"] = call.id
    name = names.get(call.name, call.name)
    out["function"] = {"index": index, "name": name, "arguments": call.arguments}
    return out


class OllamaResponder(Responder[OllamaAdapter]):
    """What ``/api/chat`` answers to the requests ``adapter`` builds."""

    def _line(self, model: str, message: JSONObject, **rest: Any) -> JSONObject:
        return {"model": model, "created_at": CREATED_AT, "message": message, **rest}

    def _done(self, response: Response) -> JSONObject:
        done: JSONObject = {"done": True, "done_reason": _done_reason(response)}
        usage = response.usage
        if usage is not None:
            if usage.input_tokens is not None:
                done["prompt_eval_count"] = usage.input_tokens
            if usage.output_tokens is not None:
                done["eval_count"] = usage.output_tokens
        return done

    def encode_response(self, response: Response, request: Request | None = None) -> HttpResponse:
        """A 200 ``ChatResponse`` (``"stream": false``)."""
        names = self.wire_names(request)
        message: JSONObject = {"role": "assistant", "content": response.text or ""}
        thinking = thinking_of(response.opaque)
        if thinking:
            message["thinking"] = thinking
        if response.tool_calls:
            message["tool_calls"] = [_call(c, i, names) for i, c in enumerate(response.tool_calls)]
        body = self._line(self.model(response, request), message, **self._done(response))
        return HttpResponse(200, _JSON_HEADERS, _json(body).encode("utf-8"))

    def encode_stream(
        self, response: Response, request: Request | None = None, *, fragment_size: int = 8
    ) -> list[bytes]:
        """The ``"stream": true`` answer, one NDJSON line per item: thinking, then text in
        pieces of at most ``fragment_size`` characters, then a line per (whole) call, then the
        ``done`` line."""
        names = self.wire_names(request)
        model = self.model(response, request)
        done = self._done(response)  # refuses an unwritable finish reason before any line
        lines: list[JSONObject] = []
        for piece in fragments(thinking_of(response.opaque), fragment_size):
            lines.append({"role": "assistant", "content": "", "thinking": piece})
        for piece in fragments(response.text or "", fragment_size):
            lines.append({"role": "assistant", "content": piece})
        for i, call in enumerate(response.tool_calls):
            lines.append(
                {"role": "assistant", "content": "", "tool_calls": [_call(call, i, names)]}
            )
        out = [self._line(model, message, done=False) for message in lines]
        out.append(self._line(model, {"role": "assistant", "content": ""}, **done))
        return [(_json(line) + "\n").encode("utf-8") for line in out]

    def encode_error(
        self, status: int, message: str, *, retry_after: float | None = None
    ) -> HttpResponse:
        """``{"error": "<text>"}`` (docs/api/errors.mdx), with ``retry-after`` when given."""
        check_error_status(PROVIDER, status)
        headers = dict(_JSON_HEADERS)
        if retry_after is not None:
            headers["retry-after"] = retry_after_header(retry_after)
        return HttpResponse(status, headers, _json({"error": message}).encode("utf-8"))

    def assistant_turns(self, request: HttpRequest) -> int:
        """The ``assistant`` entries of an ``/api/chat`` request's ``messages``."""
        return count_turns(PROVIDER, request, kind="/api/chat", key="messages", role="assistant")
