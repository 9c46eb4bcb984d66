"""Building a neutral response from a stream: the bookkeeping every stream decoder shares.

A provider's decoder only reads its own events and calls ``text``/``start_call``/
``call_arguments``/``finish_call``/``finish``; the assembler numbers the calls, keeps fragments
of different calls apart (two parallel calls never merge), emits the neutral events and builds
the final ``Response``. Fragments are kept in lists and joined once, so assembly is linear in
the stream's size.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable

from .._events import (
    Finished,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    ToolCallFinished,
    ToolCallStarted,
)
from .._exceptions import ProtocolError
from .._messages import ProviderPart, Response, ToolCall, Usage
from .._sse import SSEDecoder, SSEEvent
from .._types import FinishReason, JSONObject

__all__ = [
    "ResponseAssembler",
    "SSEStreamDecoder",
    "make_call",
    "parse_arguments",
    "parse_event",
]


def parse_arguments(text: str) -> tuple[JSONObject, bool]:
    """``(arguments, malformed)`` from a provider's argument text.

    Empty text is a call without arguments (``{}``: fctest's convention; a streamed call's first
    fragment carries ``arguments: ""``, docs/dialects.md#stream-openai-chunks); text that is not
    a JSON object is malformed and the caller keeps the text (OpenAI: "the model does not always
    generate valid JSON", docs/dialects.md#arguments-openai).
    """
    if not text or text.isspace():
        return {}, False
    try:
        value = json.loads(text)
    except ValueError:
        return {}, True
    if isinstance(value, dict):
        return value, False
    return {}, True


def parse_event(provider: str, text: str, expected: str) -> JSONObject:
    """One stream event's JSON object, or ``ProtocolError`` saying what was ``expected`` and
    quoting what came (a decoder never lets a strange event through as a ``KeyError``)."""
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ProtocolError(
            provider, f"expected {expected}, got {text[:200]!r}", status=200, body=text
        )
    return value


def make_call(
    id: str, name: str, arguments: str | JSONObject | None, opaque: ProviderPart | None = None
) -> ToolCall:
    """A ``ToolCall`` from arguments sent as text (parsed) or as an object (kept)."""
    if isinstance(arguments, str):
        parsed, malformed = parse_arguments(arguments)
        return ToolCall(id, name, parsed, arguments, malformed, opaque)
    if arguments is None:
        return ToolCall(id, name, {}, None, False, opaque)
    if not isinstance(arguments, dict):
        return ToolCall(id, name, {}, json.dumps(arguments), True, opaque)
    return ToolCall(id, name, arguments, None, False, opaque)


class _Pending:
    __slots__ = ("id", "index", "name", "opaque", "parts", "whole")

    def __init__(self, index: int, id: str, name: str, opaque: ProviderPart | None) -> None:
        self.index = index
        self.id = id
        self.name = name
        self.opaque = opaque
        self.parts: list[str] = []
        self.whole: str | JSONObject | None = None


class ResponseAssembler:
    """Collects one streamed response. ``drain()`` hands out the events produced so far.

    ``restore`` maps each finished call back to what the user declared (renamed tools,
    strict-mode nullable arguments); adapters build it from the request.
    """

    def __init__(
        self, provider: str, *, restore: Callable[[ToolCall], ToolCall] | None = None
    ) -> None:
        self.provider = provider
        self.model = ""
        self.id: str | None = None
        self.usage: Usage | None = None
        self.opaque: list[ProviderPart] = []
        self._restore = restore
        self._text: list[str] = []
        self._events: list[StreamEvent] = []
        self._open: dict[Hashable, _Pending] = {}
        self._calls: list[ToolCall | None] = []
        self._finish: tuple[FinishReason, str | None] | None = None

    # --- what decoders call ---------------------------------------------------------------
    def drain(self) -> list[StreamEvent]:
        events, self._events = self._events, []
        return events

    def text(self, delta: str) -> None:
        if delta:
            self._text.append(delta)
            self._events.append(TextDelta(delta))

    def has_call(self, key: Hashable) -> bool:
        return key in self._open

    def start_call(
        self, key: Hashable, id: str, name: str, opaque: ProviderPart | None = None
    ) -> None:
        if key in self._open:
            raise ProtocolError(self.provider, f"tool call {key!r} started twice")
        pending = _Pending(len(self._calls), id, name, opaque)
        self._calls.append(None)
        self._open[key] = pending
        self._events.append(ToolCallStarted(pending.index, id, name))

    def update_call(self, key: Hashable, *, id: str | None = None, name: str | None = None) -> None:
        """Fill an id or name that arrived after the call started."""
        pending = self._get(key)
        if id:
            pending.id = id
        if name:
            pending.name = name

    def call_arguments(self, key: Hashable, fragment: str) -> None:
        pending = self._get(key)
        if fragment:
            pending.parts.append(fragment)
            self._events.append(ToolCallDelta(pending.index, fragment))

    def set_arguments(self, key: Hashable, arguments: str | JSONObject) -> None:
        """The provider's final word on the arguments; replaces the fragments (``.done`` events,
        Anthropic's placeholder ``input`` is *not* this: it is replaced by the fragments)."""
        self._get(key).whole = arguments

    def finish_call(self, key: Hashable) -> ToolCall:
        pending = self._open.pop(key, None)
        if pending is None:
            raise ProtocolError(self.provider, f"tool call {key!r} finished but never started")
        arguments = pending.whole if pending.whole is not None else "".join(pending.parts)
        call = make_call(pending.id, pending.name, arguments, pending.opaque)
        if self._restore is not None:
            call = self._restore(call)
        self._calls[pending.index] = call
        self._events.append(ToolCallFinished(pending.index, call))
        return call

    def whole_call(
        self,
        key: Hashable,
        id: str,
        name: str,
        arguments: str | JSONObject | None,
        opaque: ProviderPart | None = None,
    ) -> ToolCall:
        """A call that arrived complete in one chunk (Gemini, xAI, Groq)."""
        self.start_call(key, id, name, opaque)
        text = arguments if isinstance(arguments, str) else json.dumps(arguments or {})
        self.call_arguments(key, text)
        if not isinstance(arguments, str):
            self.set_arguments(key, arguments or {})
        return self.finish_call(key)

    def finish(self, finish_reason: FinishReason, raw: str | None) -> None:
        self._finish = (finish_reason, raw)

    @property
    def finished(self) -> bool:
        return self._finish is not None

    @property
    def call_count(self) -> int:
        return len(self._calls)

    # --- the end --------------------------------------------------------------------------
    def build(self) -> Response:
        """Close open calls, emit ``Finished`` and return the response.

        Raises ``ProtocolError`` when the stream never said it finished (a cut connection
        must not pass for a complete answer).
        """
        for key in list(self._open):
            self.finish_call(key)
        if self._finish is None:
            raise ProtocolError(self.provider, "the stream ended before the response finished")
        reason, raw = self._finish
        self._events.append(Finished(reason, raw, self.usage))
        calls = tuple(c for c in self._calls if c is not None)
        return Response(
            provider=self.provider,
            model=self.model,
            text="".join(self._text) if self._text else None,
            tool_calls=calls,
            finish_reason=reason,
            raw_finish_reason=raw,
            usage=self.usage,
            id=self.id,
            opaque=tuple(self.opaque),
        )

    def _get(self, key: Hashable) -> _Pending:
        try:
            return self._open[key]
        except KeyError:
            raise ProtocolError(
                self.provider, f"fragment for tool call {key!r} that was never started"
            ) from None


class SSEStreamDecoder:
    """The loop every Server-Sent-Events decoder shares: bytes to events (``fctest._sse``),
    each event to ``_handle``, and out what the assembler has made. A provider's decoder
    implements ``_handle`` and, when the end needs more than ``build``, ``_finish``."""

    __slots__ = ("_asm", "_sse")

    def __init__(
        self, provider: str, restore: Callable[[ToolCall], ToolCall] | None = None
    ) -> None:
        self._sse = SSEDecoder()
        self._asm = ResponseAssembler(provider, restore=restore)

    def feed(self, data: bytes) -> list[StreamEvent]:
        for event in self._sse.feed(data):
            self._handle(event)
        return self._asm.drain()

    def close(self) -> Response:
        for event in self._sse.close():
            self._handle(event)
        return self._finish()

    def _handle(self, event: SSEEvent) -> None:
        raise NotImplementedError

    def _finish(self) -> Response:
        return self._asm.build()
