"""The httpx transport: the only module in fctest that imports httpx.

httpx's exceptions are mapped to ``fctest.errors`` in one place (``_mapped``), the original
chained as ``__cause__``: a timeout of any phase becomes ``RequestTimeout``; a refused, reset or
dropped connection (``RemoteProtocolError``: the server closed it mid-answer) becomes
``ConnectError``; anything else httpx raises for a request (an unsupported scheme, a header it
cannot encode) becomes a non-retryable ``TransportError``. Messages name the method and the URL
with credentials redacted, never a header.

A user's own ``httpx.Client`` / ``httpx.AsyncClient`` (proxies, certificates, event hooks) is used
as given and never closed by fctest. Without one, a default client is built lazily, once:
creating an ``httpx.Client`` costs about 19 ms (its TLS context), so the synchronous default is
shared by every transport in the process; an ``AsyncClient`` is bound to its event loop's
connections, so each async transport builds and owns its own.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx

from .._exceptions import ConnectError, RequestTimeout, TransportError, UsageError
from .._wire import HttpRequest, HttpResponse
from .base import UNSET, AsyncStreamHandle, StreamHandle, Unset, redact_url

__all__ = [
    "DEFAULT_TIMEOUT",
    "AsyncHttpClient",
    "AsyncHttpxTransport",
    "HttpClient",
    "HttpxTransport",
    "Timeout",
]

# The httpx types the client's signatures name, so that no other module imports httpx.
HttpClient = httpx.Client
AsyncHttpClient = httpx.AsyncClient
Timeout = httpx.Timeout

# Model calls can think for minutes: the official SDKs wait 10 minutes for a response
# (openai/_constants.py and anthropic/_constants.py DEFAULT_TIMEOUT) but give up on an
# unreachable host quickly (connect 5 s in both). Same here.
DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)

_default_client: httpx.Client | None = None
_default_lock = threading.Lock()


def _shared_client() -> httpx.Client:
    global _default_client
    client = _default_client
    if client is None or client.is_closed:
        with _default_lock:
            client = _default_client
            if client is None or client.is_closed:
                client = _default_client = httpx.Client(timeout=DEFAULT_TIMEOUT)
    return client


def _map_error(exc: httpx.RequestError, request: HttpRequest) -> TransportError:
    where = f"{request.method} {redact_url(request.url)}"
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeout(f"no response in time from {where} ({detail})")
    if isinstance(exc, (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError)):
        return ConnectError(f"connection to {where} failed or was dropped ({detail})")
    error = TransportError(f"{where} could not be sent ({detail})")
    error.retryable = False  # the same request would fail the same way
    return error


@contextmanager
def _mapped(request: HttpRequest) -> Iterator[None]:
    try:
        yield
    except httpx.RequestError as exc:
        raise _map_error(exc, request) from exc


def _head(response: httpx.Response) -> HttpResponse:
    # httpx lower-cases header names and joins repeated ones with ", ".
    return HttpResponse(response.status_code, dict(response.headers))


class HttpxTransport:
    """``Transport`` over an ``httpx.Client`` (the user's, or the shared default).

    ``timeout``: seconds or an ``httpx.Timeout`` applied to every request; ``None`` waits
    forever; left out (``UNSET``), a given client keeps its own setting and the default client
    waits ``DEFAULT_TIMEOUT``.
    """

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        timeout: float | httpx.Timeout | Unset | None = UNSET,
    ) -> None:
        if client is not None and not isinstance(client, httpx.Client):
            hint = " (an httpx.AsyncClient goes to fctest.AsyncClient)" if _is_async(client) else ""
            raise UsageError(
                f"http_client must be an httpx.Client, got {type(client).__name__}{hint}"
            )
        self._client = client
        self._timeout = _timeout_kwargs(timeout)

    @property
    def client(self) -> httpx.Client:
        return self._client if self._client is not None else _shared_client()

    def _build(self, client: httpx.Client, request: HttpRequest) -> httpx.Request:
        return client.build_request(
            request.method,
            request.url,
            headers=request.headers,
            content=request.body,
            **self._timeout,
        )

    def send(self, request: HttpRequest) -> HttpResponse:
        client = self.client
        with _mapped(request):
            response = client.send(self._build(client, request))
            return HttpResponse(response.status_code, dict(response.headers), response.content)

    @contextmanager
    def stream(self, request: HttpRequest) -> Iterator[StreamHandle]:
        client = self.client
        with _mapped(request):
            response = client.send(self._build(client, request), stream=True)
        try:
            yield _head(response), self._chunks(response, request)
        finally:
            response.close()

    @staticmethod
    def _chunks(response: httpx.Response, request: HttpRequest) -> Iterator[bytes]:
        with _mapped(request):
            yield from response.iter_bytes()

    def close(self) -> None:
        """Nothing to release: a given client is the caller's, the default one is shared."""


class AsyncHttpxTransport:
    """``AsyncTransport`` over an ``httpx.AsyncClient`` (the user's, or one it owns)."""

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        timeout: float | httpx.Timeout | Unset | None = UNSET,
    ) -> None:
        if client is not None and not isinstance(client, httpx.AsyncClient):
            hint = " (an httpx.Client goes to fctest.Client)" if _is_sync(client) else ""
            raise UsageError(
                f"http_client must be an httpx.AsyncClient, got {type(client).__name__}{hint}"
            )
        self._client = client
        self._owned: httpx.AsyncClient | None = None
        self._timeout = _timeout_kwargs(timeout)

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is not None:
            return self._client
        if self._owned is None or self._owned.is_closed:
            self._owned = httpx.AsyncClient(timeout=DEFAULT_TIMEOUT)
        return self._owned

    def _build(self, client: httpx.AsyncClient, request: HttpRequest) -> httpx.Request:
        return client.build_request(
            request.method,
            request.url,
            headers=request.headers,
            content=request.body,
            **self._timeout,
        )

    async def send(self, request: HttpRequest) -> HttpResponse:
        client = self.client
        with _mapped(request):
            response = await client.send(self._build(client, request))
            return HttpResponse(response.status_code, dict(response.headers), response.content)

    @asynccontextmanager
    async def stream(self, request: HttpRequest) -> AsyncIterator[AsyncStreamHandle]:
        client = self.client
        with _mapped(request):
            response = await client.send(self._build(client, request), stream=True)
        try:
            yield _head(response), self._chunks(response, request)
        finally:
            await response.aclose()

    @staticmethod
    async def _chunks(response: httpx.Response, request: HttpRequest) -> AsyncIterator[bytes]:
        with _mapped(request):
            async for chunk in response.aiter_bytes():
                yield chunk

    async def aclose(self) -> None:
        """Close the client this transport built (a given client stays open)."""
        if self._owned is not None:
            owned, self._owned = self._owned, None
            await owned.aclose()


def _timeout_kwargs(timeout: float | httpx.Timeout | Unset | None) -> dict[str, Any]:
    if timeout is UNSET:
        return {}
    return {"timeout": timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)}


def _is_async(client: object) -> bool:
    return isinstance(client, httpx.AsyncClient)


def _is_sync(client: object) -> bool:
    return isinstance(client, httpx.Client)
