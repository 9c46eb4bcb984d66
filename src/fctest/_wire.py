"""The sans-I/O boundary: plain HTTP requests and responses as values.

Adapters turn a neutral ``Request`` into an ``HttpRequest`` and an ``HttpResponse`` back into a
neutral ``Response``; only the transport moves bytes. Nothing here imports an HTTP library.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._exceptions import redact_headers

__all__ = ["HttpRequest", "HttpResponse"]


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One HTTP request, ready to send. ``headers`` may hold credentials: its repr redacts them."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        """The body parsed as JSON (adapters send JSON bodies)."""
        return json.loads(self.body) if self.body else None

    def __repr__(self) -> str:
        return (
            f"HttpRequest(method={self.method!r}, url={self.url!r}, "
            f"headers={redact_headers(self.headers)!r}, body=<{len(self.body)} bytes>)"
        )


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """One HTTP response. ``headers`` are lower-cased so adapters can look them up directly."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def __post_init__(self) -> None:
        if any(k != k.lower() for k in self.headers):
            object.__setattr__(self, "headers", {k.lower(): v for k, v in self.headers.items()})

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def __repr__(self) -> str:
        return f"HttpResponse(status={self.status}, body=<{len(self.body)} bytes>)"
