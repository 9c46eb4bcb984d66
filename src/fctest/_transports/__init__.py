"""Transports: what moves an ``HttpRequest`` and brings back an ``HttpResponse``.

``base`` holds the protocols, ``mock`` the function-backed transports for tests and examples,
``httpx`` the real one. The httpx module is not imported here: ``import fctest`` stays cheap, and
the client imports it only when it builds its default transport.
"""

from __future__ import annotations

from .base import (
    UNSET,
    AsyncStreamHandle,
    AsyncTransport,
    StreamHandle,
    Transport,
    Unset,
    redact_url,
)
from .mock import AsyncMockTransport, MockTransport

__all__ = [
    "UNSET",
    "AsyncMockTransport",
    "AsyncStreamHandle",
    "AsyncTransport",
    "MockTransport",
    "StreamHandle",
    "Transport",
    "Unset",
    "redact_url",
]
