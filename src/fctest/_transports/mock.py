"""Mock transports: a plain function answers every request (httpx's ``MockTransport`` idea).

The handler takes an ``HttpRequest`` and returns an ``HttpResponse``; raising a
``fctest.errors.TransportError`` stands for a request that got no answer. Streams hand out the
body in ``chunk_size`` pieces (default: one piece), so a test can check that decoding does not
depend on where the bytes were split. Every request is kept in ``requests``, in order.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

from .._exceptions import UsageError
from .._wire import HttpRequest, HttpResponse
from .base import AsyncStreamHandle, StreamHandle

__all__ = ["AsyncMockTransport", "MockTransport"]

Handler = Callable[[HttpRequest], HttpResponse]
AsyncHandler = Callable[[HttpRequest], "HttpResponse | Awaitable[HttpResponse]"]


def _pieces(body: bytes, chunk_size: int | None) -> list[bytes]:
    if not body:
        return []
    if chunk_size is None:
        return [body]
    return [body[i : i + chunk_size] for i in range(0, len(body), chunk_size)]


def _check(response: object, handler: object) -> HttpResponse:
    if not isinstance(response, HttpResponse):
        raise UsageError(
            f"mock handler {getattr(handler, '__name__', handler)!r} returned "
            f"{type(response).__name__}, expected fctest.HttpResponse"
        )
    return response


def _check_chunk_size(chunk_size: int | None) -> int | None:
    if chunk_size is not None and chunk_size < 1:
        raise UsageError(f"chunk_size must be a positive number of bytes, got {chunk_size}")
    return chunk_size


class MockTransport:
    """``Transport`` answering every request with ``handler(request)``."""

    def __init__(self, handler: Handler, *, chunk_size: int | None = None) -> None:
        self.handler = handler
        self.chunk_size = _check_chunk_size(chunk_size)
        self.requests: list[HttpRequest] = []

    def send(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        return _check(self.handler(request), self.handler)

    @contextmanager
    def stream(self, request: HttpRequest) -> Iterator[StreamHandle]:
        response = self.send(request)
        head = HttpResponse(response.status, response.headers)
        yield head, iter(_pieces(response.body, self.chunk_size))

    def close(self) -> None:
        """Nothing to release."""


class AsyncMockTransport:
    """``AsyncTransport`` answering with ``handler(request)``; the handler may be ``async``."""

    def __init__(self, handler: AsyncHandler, *, chunk_size: int | None = None) -> None:
        self.handler = handler
        self.chunk_size = _check_chunk_size(chunk_size)
        self.requests: list[HttpRequest] = []

    async def send(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        response = self.handler(request)
        if inspect.isawaitable(response):
            response = await response
        return _check(response, self.handler)

    @asynccontextmanager
    async def stream(self, request: HttpRequest) -> AsyncIterator[AsyncStreamHandle]:
        response = await self.send(request)
        head = HttpResponse(response.status, response.headers)
        yield head, _aiter(_pieces(response.body, self.chunk_size))

    async def aclose(self) -> None:
        """Nothing to release."""


async def _aiter(pieces: list[bytes]) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece
