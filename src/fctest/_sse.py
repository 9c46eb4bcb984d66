"""Incremental Server-Sent Events and NDJSON framing, shared by every stream decoder.

Bytes may arrive in pieces of any size, split anywhere (inside a line, inside a UTF-8
character). Lines are joined only once a newline arrives, so decoding stays linear in the
stream's size however small the pieces are. SSE rules follow the WHATWG spec: ``:`` starts a
comment (OpenRouter's ``: OPENROUTER PROCESSING``), a blank line ends an event, several
``data:`` lines are joined with ``\\n``, and CRLF line ends (Gemini) are accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LineBuffer", "SSEDecoder", "SSEEvent"]


class LineBuffer:
    """Splits a byte stream into complete lines (without their ``\\n`` or ``\\r\\n``)."""

    __slots__ = ("_pending",)

    def __init__(self) -> None:
        self._pending: list[bytes] = []

    def feed(self, chunk: bytes) -> list[bytes]:
        if b"\n" not in chunk:
            if chunk:
                self._pending.append(chunk)
            return []
        if self._pending:
            self._pending.append(chunk)
            chunk = b"".join(self._pending)
            self._pending = []
        lines = chunk.split(b"\n")
        rest = lines.pop()
        if rest:
            self._pending.append(rest)
        return [line[:-1] if line.endswith(b"\r") else line for line in lines]

    def close(self) -> list[bytes]:
        """The last line when the stream did not end with a newline."""
        rest = b"".join(self._pending)
        self._pending = []
        if rest.endswith(b"\r"):
            rest = rest[:-1]
        return [rest] if rest else []


@dataclass(frozen=True, slots=True)
class SSEEvent:
    event: str
    data: str
    id: str | None = None


class SSEDecoder:
    """Feed bytes, get complete events. Comments and ``retry:`` lines are dropped."""

    __slots__ = ("_data", "_event", "_id", "_lines")

    def __init__(self) -> None:
        self._lines = LineBuffer()
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        return self._process(self._lines.feed(chunk))

    def close(self) -> list[SSEEvent]:
        """Flush: a final event not followed by a blank line still counts."""
        events = self._process(self._lines.close())
        if self._data:
            events.append(self._dispatch())
        self._event = ""
        return events

    def _process(self, lines: list[bytes]) -> list[SSEEvent]:
        events: list[SSEEvent] = []
        for raw in lines:
            if not raw:
                if self._data:
                    events.append(self._dispatch())
                self._event = ""  # an event without data is not dispatched (WHATWG)
                continue
            # WHATWG decodes the stream as UTF-8 with replacement: odd bytes must not crash.
            line = raw.decode("utf-8", errors="replace")
            if line[0] == ":":
                continue
            name, sep, value = line.partition(":")
            if sep and value[:1] == " ":
                value = value[1:]
            if name == "data":
                self._data.append(value)
            elif name == "event":
                self._event = value
            elif name == "id":
                self._id = value
            # "retry" and unknown fields are ignored, as the spec says.
        return events

    def _dispatch(self) -> SSEEvent:
        event = SSEEvent(self._event or "message", "\n".join(self._data), self._id)
        self._event = ""
        self._data = []
        return event
