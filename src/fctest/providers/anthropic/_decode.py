"""Anthropic Messages, decoding direction: response bodies, the stream decoder and errors.

See the package docstring for the wire docs. Sources for
what is decoded here: the ``anthropic`` SDK's ``types/message.py``, ``types/stop_reason.py``,
``types/usage.py``, ``types/raw_message_stream_event.py``, ``_streaming.py`` (``ping``
skipped, ``event: error`` raised), ``lib/streaming/_messages.py`` (``accumulate_event``),
``types/shared/error_type.py`` and https://platform.claude.com/docs/en/api/errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..._events import StreamEvent
from ..._exceptions import (
    AuthenticationError,
    BadRequestError,
    ContextLengthError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    ProtocolError,
    ProviderError,
    RateLimitError,
    ServerError,
)
from ..._messages import ProviderPart, Response, ToolCall, Usage
from ..._sse import SSEEvent
from ..._types import FinishReason, JSONObject
from .._assembly import SSEStreamDecoder, make_call
from .._errors import provider_error

__all__ = [
    "FINISH",
    "PROVIDER",
    "AnthropicStreamDecoder",
    "parse_error_object",
    "parse_message",
]

PROVIDER = "anthropic"


# --- bodies --------------------------------------------------------------------------------

# SDK types/stop_reason.py (docs/dialects.md#finish-anthropic). pause_turn: a server-tool loop
# paused, send the turn back to continue ("other"); refusal: a safety classifier intervened.
FINISH: Mapping[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "refusal": "content_filter",
    "pause_turn": "other",
}

_USAGE_KEYS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
)

# error.type -> class for errors that come without a telling HTTP status (inside a 200 stream):
# docs/dialects.md#errors-anthropic, docs/dialects.md#inband-anthropic.
_BY_TYPE: Mapping[str, type[ProviderError]] = {
    "invalid_request_error": BadRequestError,
    "request_too_large": BadRequestError,
    "authentication_error": AuthenticationError,
    "permission_error": PermissionDeniedError,
    "not_found_error": NotFoundError,
    "rate_limit_error": RateLimitError,
    "api_error": ServerError,
    "timeout_error": ServerError,
    "overloaded_error": OverloadedError,
    "billing_error": ProviderError,
}

# invalid_request_error messages that mean "the prompt does not fit": "prompt is too long:
# 208656 tokens > 200000 maximum" (docs/dialects.md#errors-anthropic-context) and, unconfirmed,
# "input length and `max_tokens` exceed context limit: ...".
_CONTEXT = re.compile(r"prompt is too long|exceed context limit", re.IGNORECASE)


def _finish_reason(raw: str | None) -> FinishReason:
    return FINISH.get(raw, "other") if raw is not None else "other"


def _usage(counts: Mapping[str, int]) -> Usage | None:
    """Input tokens are ``input_tokens`` + cache writes + cache reads: "Total input tokens in a
    request is the summation" of the three (SDK ``types/usage.py``)."""
    if not counts:
        return None
    inp = counts.get("input_tokens")
    if inp is not None:
        inp += counts.get("cache_creation_input_tokens", 0) + counts.get(
            "cache_read_input_tokens", 0
        )
    return Usage(inp, counts.get("output_tokens"))


def _usage_counts(usage: Any, counts: dict[str, int]) -> dict[str, int]:
    """``counts`` updated with the integer token counts of a ``usage`` object."""
    if isinstance(usage, dict):
        for key in _USAGE_KEYS:
            value = usage.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                counts[key] = value
    return counts


def _as_object(value: Any) -> JSONObject | str:
    return value if isinstance(value, dict) else json.dumps(value)


def parse_message(body: JSONObject, restore: Callable[[ToolCall], ToolCall] | None) -> Response:
    """A ``Message`` body: text blocks joined, ``tool_use`` blocks as calls, every other block
    (thinking, redacted thinking, server tools and their results) kept opaque, in order."""
    texts: list[str] = []
    calls: list[ToolCall] = []
    opaque: list[ProviderPart] = []
    for block in body.get("content") or ():
        if not isinstance(block, dict):
            continue
        btype = block.get("type")
        if btype == "text":
            text = block.get("text")
            if isinstance(text, str):
                texts.append(text)
        elif btype == "tool_use":
            call = make_call(
                str(block.get("id") or ""),
                str(block.get("name") or ""),
                _as_object(block.get("input", {})),
            )
            calls.append(restore(call) if restore is not None else call)
        else:
            opaque.append(ProviderPart(PROVIDER, block))
    raw = body.get("stop_reason")
    return Response(
        provider=PROVIDER,
        model=str(body.get("model") or ""),
        text="".join(texts) or None,
        tool_calls=tuple(calls),
        finish_reason=_finish_reason(raw if isinstance(raw, str) else None),
        raw_finish_reason=raw if isinstance(raw, str) else None,
        usage=_usage(_usage_counts(body.get("usage"), {})),
        id=body.get("id") if isinstance(body.get("id"), str) else None,
        opaque=tuple(opaque),
    )


def parse_error_object(
    error: Any, status: int, text: str, headers: Mapping[str, str], body: Any
) -> ProviderError:
    """The neutral error for Anthropic's ``error`` object (docs/dialects.md#errors-anthropic).

    The HTTP status picks the class (529 -> ``OverloadedError``, shared ``_errors``); the
    ``error.type`` refines it (an overloaded 500/503, a context-length 400) and decides alone
    for errors sent inside a 200 stream. ``x-should-retry`` overrides the retry rule (in
    ``_errors.provider_error``, as in the SDK's ``_base_client._should_retry``).
    """
    fields = error if isinstance(error, dict) else {}
    etype = fields.get("type")
    etype = etype if isinstance(etype, str) else None
    message = fields.get("message")
    message = message if isinstance(message, str) else ""
    request_id = body.get("request_id") if isinstance(body, dict) else None
    request_id = request_id or headers.get("request-id")
    if request_id:
        message = f"{message} (request_id {request_id})" if message else f"request_id {request_id}"
    kind: type[ProviderError] | None = None
    if _CONTEXT.search(message) and (etype in (None, "invalid_request_error")):
        kind = ContextLengthError
    elif etype == "overloaded_error":
        kind = OverloadedError
    elif 200 <= status < 300:
        kind = _BY_TYPE.get(etype or "", ServerError if etype is None else ProviderError)
    return provider_error(
        PROVIDER,
        status,
        message,
        body=text,
        headers=headers,
        code=etype,
        kind=kind,
    )


# --- the stream decoder ------------------------------------------------------------------------


class _Block:
    """One open content block of a stream (keyed by its ``index``)."""

    __slots__ = ("data", "fragments", "kind", "streamed")

    def __init__(self, kind: str, data: JSONObject) -> None:
        self.kind = kind  # "text", "call" (client tool_use) or "opaque"
        self.data = data
        self.fragments: list[str] = []  # an opaque block's thinking or input text
        self.streamed = False  # a call got argument fragments (the assembler keeps them)


class AnthropicStreamDecoder(SSEStreamDecoder):
    """Feed the bytes of one ``stream: true`` response; get neutral stream events.

    Events (SDK ``types/raw_message_stream_event.py``; streaming doc): ``message_start``,
    ``content_block_start``/``_delta``/``_stop``, ``message_delta`` (stop reason and cumulative
    usage), ``message_stop``; ``ping`` is skipped and ``error`` raises (SDK ``_streaming.py``;
    docs/dialects.md#inband-anthropic). A ``tool_use`` block starts with a placeholder
    ``input: {}`` that the concatenated ``input_json_delta`` fragments replace
    (docs/dialects.md#stream-anthropic); the placeholder stands only when no fragment came, as
    in the SDK's ``accumulate_event``. Fragments are joined once, at the block's end:
    the SDK helper re-parses the growing buffer on every delta and slows down as a stream grows.
    """

    __slots__ = ("_blocks", "_stopped", "_usage")

    def __init__(self, restore: Callable[[ToolCall], ToolCall] | None = None) -> None:
        super().__init__(PROVIDER, restore)
        self._blocks: dict[int, _Block] = {}
        self._usage: dict[str, int] = {}
        self._stopped = False

    def _finish(self) -> Response:
        self._close_blocks()
        return self._asm.build()

    def drain(self) -> list[StreamEvent]:
        """Events produced by ``close`` (the final ``Finished``)."""
        return self._asm.drain()

    def _handle(self, event: SSEEvent) -> None:
        text = event.data
        if not text or event.event == "ping":
            return
        try:
            data = json.loads(text)
        except ValueError:
            raise ProtocolError(
                PROVIDER,
                f"stream event {event.event!r} is not JSON: {text[:200]!r}",
                status=200,
                body=text,
            ) from None
        if type(data) is not dict:
            return
        kind = data.get("type") or event.event
        if kind == "content_block_delta":  # the hot path: nearly every event is one
            self._block_delta(data)
        elif kind == "error" or event.event == "error":
            raise parse_error_object(data.get("error"), 200, text, {}, data)
        else:
            handler = _HANDLERS.get(kind)
            if handler is not None:
                handler(self, data)
            # Unknown event types are ignored: the versioning policy allows new ones.

    def _message_start(self, data: JSONObject) -> None:
        message = data.get("message")
        if isinstance(message, dict):
            self._asm.model = message.get("model") or ""
            self._asm.id = message.get("id")
            self._update_usage(message.get("usage"))

    def _block_start(self, data: JSONObject) -> None:
        index = data.get("index")
        block = data.get("content_block")
        if not isinstance(index, int) or not isinstance(block, dict):
            return
        btype = block.get("type")
        if btype == "text":
            self._blocks[index] = _Block("text", block)
            self._asm.text(block.get("text") or "")
        elif btype == "tool_use":
            self._blocks[index] = _Block("call", block)
            self._asm.start_call(index, str(block.get("id") or ""), str(block.get("name") or ""))
        else:
            self._blocks[index] = _Block("opaque", dict(block))

    def _block_delta(self, data: JSONObject) -> None:
        block = self._blocks.get(data.get("index"))  # type: ignore[arg-type]
        delta = data.get("delta")
        if block is None or type(delta) is not dict:
            return
        dtype = delta.get("type")
        if dtype == "input_json_delta":
            fragment = delta.get("partial_json") or ""
            if fragment:
                if block.kind == "call":
                    block.streamed = True
                    self._asm.call_arguments(data["index"], fragment)
                else:
                    block.fragments.append(fragment)
        elif dtype == "text_delta":
            if block.kind == "text":
                self._asm.text(delta.get("text") or "")
        elif dtype == "thinking_delta":
            block.fragments.append(delta.get("thinking") or "")
        elif dtype == "signature_delta":
            block.data["signature"] = delta.get("signature")
        # citations_delta and future delta types carry nothing the neutral model holds.

    def _block_stop(self, data: JSONObject) -> None:
        index = data.get("index")
        if isinstance(index, int):
            self._finish_block(index)

    def _finish_block(self, index: int) -> None:
        block = self._blocks.pop(index, None)
        if block is None:
            return
        if block.kind == "call":
            if not block.streamed:
                # No input_json_delta: the start block's input is the whole input.
                self._asm.set_arguments(index, _as_object(block.data.get("input")))
            self._asm.finish_call(index)
        elif block.kind == "opaque":
            data = block.data
            if data.get("type") == "thinking":
                data["thinking"] = (data.get("thinking") or "") + "".join(block.fragments)
            elif block.fragments:
                text = "".join(block.fragments)
                try:
                    data["input"] = json.loads(text)
                except ValueError:
                    data["input"] = text
            self._asm.opaque.append(ProviderPart(PROVIDER, data))

    def _message_delta(self, data: JSONObject) -> None:
        delta = data.get("delta")
        if isinstance(delta, dict) and "stop_reason" in delta:
            raw = delta.get("stop_reason")
            if raw is not None:
                self._asm.finish(_finish_reason(raw), raw)
        self._update_usage(data.get("usage"))

    def _message_stop(self, data: JSONObject) -> None:
        self._close_blocks()
        if not self._asm.finished:
            self._asm.finish("other", None)

    def _close_blocks(self) -> None:
        for index in sorted(self._blocks):
            self._finish_block(index)

    def _update_usage(self, usage: Any) -> None:
        # message_delta counts are cumulative and overwrite; a key left out keeps the
        # message_start value (SDK accumulate_event).
        if isinstance(usage, dict):
            self._asm.usage = _usage(_usage_counts(usage, self._usage))


_HANDLERS: dict[str, Callable[[AnthropicStreamDecoder, JSONObject], None]] = {
    "message_start": AnthropicStreamDecoder._message_start,
    "content_block_start": AnthropicStreamDecoder._block_start,
    "content_block_delta": AnthropicStreamDecoder._block_delta,
    "content_block_stop": AnthropicStreamDecoder._block_stop,
    "message_delta": AnthropicStreamDecoder._message_delta,
    "message_stop": AnthropicStreamDecoder._message_stop,
}
