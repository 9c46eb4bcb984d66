"""What the reference server sends back, as a value: answerers are sans-I/O.

An answerer turns one ``HttpRequest`` (its ``url`` holds the server's own address) into an
``Answer``; ``fctest.server`` writes it to the socket, flushing each chunk of a stream on its own.
Errors the server makes itself (no such provider, nothing recorded) are plain JSON with an
``error`` object, the shape most provider SDKs print when they cannot parse a body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .._wire import HttpRequest, HttpResponse

__all__ = ["Answer", "Answerer", "json_answer"]


@dataclass(frozen=True, slots=True)
class Answer:
    """One HTTP answer. ``chunks`` is one body for ``stream=False`` and one wire event per item
    for a stream (sent with chunked transfer encoding, each item flushed as it is written)."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    chunks: tuple[bytes, ...] = ()
    stream: bool = False
    note: str = ""
    """What answered (scenario and step, or cassette and interaction), for the log line."""

    @classmethod
    def of(cls, response: HttpResponse, note: str = "") -> Answer:
        return cls(response.status, response.headers, (response.body,), note=note)

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


class Answerer(Protocol):
    """Answers requests; ``describe`` is what ``GET /`` shows about it."""

    def answer(self, request: HttpRequest) -> Answer: ...

    def describe(self) -> dict[str, Any]: ...


def json_answer(status: int, kind: str, message: str, **details: Any) -> Answer:
    """An error the server makes itself: ``{"error": {"type", "message", ...}}``."""
    body = {"error": {"type": kind, "message": message, **details}}
    data = json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
    return Answer(status, {"content-type": "application/json"}, (data,), note=kind)
