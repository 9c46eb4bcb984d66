"""What the client needs from a transport: send one ``HttpRequest``, or stream its response.

Modelled on httpx's ``_transports/base.py``: one small protocol with a sync and an async twin, so
the client, the tool loop and the pytest plugin share one code path whatever moves the bytes.

``send`` returns the whole ``HttpResponse``. ``stream`` is a context manager yielding the
response head (an ``HttpResponse`` with an empty body: status and lower-cased headers) and an
iterator of body chunks; leaving the block releases the connection, read or not. A transport
raises only ``fctest.errors.TransportError`` subclasses for a request that got no HTTP answer
(an HTTP error status is an answer: it is returned, not raised).

Nothing here imports an HTTP library; ``httpx.py`` is the only module that does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from enum import Enum
from typing import Literal, Protocol, TypeAlias, runtime_checkable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .._secrets import REDACTED, is_secret_param
from .._wire import HttpRequest, HttpResponse

__all__ = [
    "UNSET",
    "AsyncStreamHandle",
    "AsyncTransport",
    "StreamHandle",
    "Transport",
    "Unset",
    "redact_url",
]


class _UnsetType(Enum):
    UNSET = "UNSET"


UNSET = _UnsetType.UNSET
"""An argument left out, where ``None`` means something (``timeout=None``: wait forever)."""

Unset: TypeAlias = Literal[_UnsetType.UNSET]

StreamHandle: TypeAlias = tuple[HttpResponse, Iterator[bytes]]
"""What ``Transport.stream`` yields: the response head (empty body) and the body's chunks."""

AsyncStreamHandle: TypeAlias = tuple[HttpResponse, AsyncIterator[bytes]]
"""What ``AsyncTransport.stream`` yields: the response head and the body's chunks."""


@runtime_checkable
class Transport(Protocol):
    """Moves one request and its response (synchronous)."""

    def send(self, request: HttpRequest) -> HttpResponse:
        """The whole response; ``TransportError`` if there was none."""
        ...

    def stream(self, request: HttpRequest) -> AbstractContextManager[StreamHandle]:
        """``with transport.stream(request) as (head, chunks): ...``"""
        ...

    def close(self) -> None:
        """Release what the transport owns (a client it was given stays open)."""
        ...


@runtime_checkable
class AsyncTransport(Protocol):
    """Moves one request and its response (asynchronous)."""

    async def send(self, request: HttpRequest) -> HttpResponse:
        """The whole response; ``TransportError`` if there was none."""
        ...

    def stream(self, request: HttpRequest) -> AbstractAsyncContextManager[AsyncStreamHandle]:
        """``async with transport.stream(request) as (head, chunks): ...``"""
        ...

    async def aclose(self) -> None:
        """Release what the transport owns (a client it was given stays open)."""
        ...


def redact_url(url: str) -> str:
    """``url`` with credential query parameters and any user:password replaced by a marker."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@" + netloc.rpartition("@")[2]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(is_secret_param(k) for k, _ in pairs):
            query = urlencode(
                [(k, REDACTED if is_secret_param(k) else v) for k, v in pairs], safe="<>"
            )
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
