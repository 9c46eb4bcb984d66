"""Serving a folder of recorded cassettes to any client, in any language.

What is recorded under the folder, and which recording answers a request, is
``fctest._cassettes.CassetteIndex``'s; this module turns what it finds into an ``Answer``.
Streams are replayed byte for byte, one wire event per chunk. When nothing matches, the answer
is a 404 whose JSON names the nearest recorded requests and the JSON paths where they differ.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .._cassettes import CassetteIndex, Recorded
from .._wire import HttpRequest
from ._answer import Answer, json_answer

__all__ = ["CassetteAnswerer", "split_events"]

# Hop-by-hop or no longer true of the stored body (it was decompressed when loaded).
_DROP_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "connection", "content-encoding", "keep-alive"}
)
_EVENT_END = re.compile(rb"(?<=\r\n\r\n)|(?<=\n\n)|(?<=\r\r)")
_LINE_END = re.compile(rb"(?<=\n)")


def split_events(body: bytes) -> tuple[bytes, ...]:
    """A stream body cut after each SSE event (or each line of NDJSON); joined, the pieces are
    the body again, byte for byte."""
    pattern = _EVENT_END if re.search(rb"\n\n|\r\r", body) else _LINE_END
    return tuple(piece for piece in pattern.split(body) if piece)


class CassetteAnswerer(CassetteIndex):
    """Answers from every cassette under ``folder`` (see ``CassetteIndex``)."""

    def describe(self) -> dict[str, Any]:
        return {
            "mode": "cassettes",
            "folder": str(self.folder),
            "cassettes": self.cassettes,
            "interactions": self.interactions,
            "routes": self.routes(),
            "skipped": [f"{name}: {why}" for name, why in self.skipped],
        }

    def answer(self, request: HttpRequest) -> Answer:
        recorded = self.find(request)
        if recorded is not None:
            return _replay(recorded)
        return json_answer(
            404,
            "fctest_no_recording",
            f"no recorded interaction matches {request.method} {urlsplit(request.url).path} "
            f"with this body ({self.interactions} interactions from {self.cassettes} cassettes "
            f"in {self.folder}; matched on method, path and the JSON body with keys sorted)",
            nearest=self.nearest(request),
        )


def _replay(recorded: Recorded) -> Answer:
    response = recorded.interaction.response
    headers = {k: v for k, v in response.headers.items() if k not in _DROP_HEADERS}
    note = f"{recorded.cassette}#{recorded.index}"
    if recorded.interaction.is_stream:
        return Answer(response.status, headers, split_events(response.body), True, note)
    return Answer(response.status, headers, (response.body,), False, note)
