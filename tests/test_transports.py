"""Transports: the mock ones, and the httpx one (through respx) with its error mapping."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import respx

import fctest
from fctest import (
    AsyncMockTransport,
    AsyncTransport,
    HttpRequest,
    HttpResponse,
    MockTransport,
    Transport,
)
from fctest._transports import httpx as httpx_transport
from fctest._transports import redact_url
from fctest._transports.httpx import AsyncHttpxTransport, HttpxTransport
from fctest.errors import ConnectError, RequestTimeout, TransportError, UsageError

URL = "https://api.example.test/v1/chat"
REQUEST = HttpRequest(
    "POST", URL, {"authorization": "Bearer sk-secret-0123456789", "x-extra": "1"}, b'{"a":1}'
)
SRC = Path(fctest.__file__).parent


# --- mock transports ----------------------------------------------------------------------
def test_mock_transport_answers_and_records() -> None:
    seen: list[HttpRequest] = []

    def handler(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse(201, {"X-Thing": "v"}, b"hello")

    transport = MockTransport(handler)
    assert isinstance(transport, Transport)
    response = transport.send(REQUEST)
    assert (response.status, response.headers, response.body) == (201, {"x-thing": "v"}, b"hello")
    assert transport.requests == [REQUEST] == seen


def test_mock_transport_streams_in_chunks() -> None:
    transport = MockTransport(lambda r: HttpResponse(200, {}, b"abcdefg"), chunk_size=3)
    with transport.stream(REQUEST) as (head, chunks):
        assert head.status == 200
        assert head.body == b""
        assert list(chunks) == [b"abc", b"def", b"g"]
    with MockTransport(lambda r: HttpResponse(200, {}, b"abc")).stream(REQUEST) as (_, chunks):
        assert list(chunks) == [b"abc"]


def test_mock_transport_rejects_bad_handler_results_and_chunk_sizes() -> None:
    with pytest.raises(UsageError, match=r"expected fctest\.HttpResponse"):
        MockTransport(lambda r: b"nope").send(REQUEST)  # type: ignore[arg-type,return-value]
    with pytest.raises(UsageError, match="chunk_size"):
        MockTransport(lambda r: HttpResponse(200), chunk_size=0)


def test_mock_transport_passes_handler_errors_through() -> None:
    def handler(request: HttpRequest) -> HttpResponse:
        raise ConnectError("dropped")

    with pytest.raises(ConnectError, match="dropped"):
        MockTransport(handler).send(REQUEST)


def test_async_mock_transport_takes_sync_and_async_handlers() -> None:
    async def ahandler(request: HttpRequest) -> HttpResponse:
        await asyncio.sleep(0)
        return HttpResponse(200, {}, b"async")

    async def main() -> None:
        t1 = AsyncMockTransport(lambda r: HttpResponse(200, {}, b"sync"))
        t2 = AsyncMockTransport(ahandler, chunk_size=2)
        assert isinstance(t1, AsyncTransport)
        assert (await t1.send(REQUEST)).body == b"sync"
        async with t2.stream(REQUEST) as (head, chunks):
            assert head.status == 200
            assert [c async for c in chunks] == [b"as", b"yn", b"c"]
        assert t2.requests == [REQUEST]
        await t1.aclose()

    asyncio.run(main())


# --- the httpx transport ------------------------------------------------------------------
def test_only_one_module_imports_httpx() -> None:
    importers = sorted(
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if re.search(r"^\s*(import httpx|from httpx\b)", p.read_text(), re.M)
    )
    assert importers == ["_transports/httpx.py"]


def test_import_fctest_does_not_import_httpx() -> None:
    """The client imports the httpx transport only when it builds its default one."""
    code = "import sys, fctest; print('httpx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@respx.mock
def test_httpx_send_maps_request_and_response() -> None:
    route = respx.post(URL).mock(
        return_value=httpx.Response(200, headers={"X-Request-Id": "r1"}, content=b'{"ok":1}')
    )
    response = HttpxTransport().send(REQUEST)
    assert response.status == 200
    assert response.body == b'{"ok":1}'
    assert response.headers["x-request-id"] == "r1"
    sent = route.calls.last.request
    assert sent.content == b'{"a":1}'
    assert sent.headers["authorization"] == "Bearer sk-secret-0123456789"
    assert sent.headers["x-extra"] == "1"


@respx.mock
def test_httpx_error_statuses_are_returned_not_raised() -> None:
    respx.post(URL).mock(return_value=httpx.Response(429, headers={"retry-after": "2"}))
    response = HttpxTransport().send(REQUEST)
    assert (response.status, response.headers["retry-after"]) == (429, "2")


@pytest.mark.parametrize(
    ("raised", "expected", "retryable"),
    [
        (httpx.ConnectError("refused"), ConnectError, True),
        (httpx.RemoteProtocolError("peer closed connection"), ConnectError, True),
        (httpx.ReadError("reset"), ConnectError, True),
        (httpx.ReadTimeout("slow"), RequestTimeout, True),
        (httpx.ConnectTimeout("slow"), RequestTimeout, True),
        (httpx.PoolTimeout("busy"), RequestTimeout, True),
        (httpx.UnsupportedProtocol("ftp"), TransportError, False),
    ],
)
def test_httpx_exceptions_map_to_the_neutral_tree(
    raised: Exception, expected: type[TransportError], retryable: bool
) -> None:
    with respx.mock:
        respx.post(URL).mock(side_effect=raised)
        with pytest.raises(expected) as info:
            HttpxTransport().send(REQUEST)
    assert type(info.value) is expected
    assert info.value.retryable is retryable
    assert info.value.__cause__ is raised
    assert "POST https://api.example.test/v1/chat" in str(info.value)
    assert "sk-secret" not in str(info.value)


def test_error_messages_redact_keys_in_urls() -> None:
    request = HttpRequest("POST", "https://g.test/v1/models/m:generate?key=AIza-secret-key-1", {})
    with respx.mock:
        respx.post(url__startswith="https://g.test/").mock(side_effect=httpx.ConnectError("x"))
        with pytest.raises(ConnectError) as info:
            HttpxTransport().send(request)
    assert "AIza-secret" not in str(info.value)
    assert "key=<redacted>" in str(info.value)


def test_redact_url() -> None:
    assert redact_url("https://a.test/x?key=s3cret&alt=sse") == (
        "https://a.test/x?key=<redacted>&alt=sse"
    )
    assert redact_url("https://user:pw@a.test/x") == "https://<redacted>@a.test/x"
    plain = "https://a.test/x?alt=sse"
    assert redact_url(plain) is plain


def test_redact_url_redacts_every_credential_parameter() -> None:
    url = "https://a.test/x?sig=s3cret&X-Amz-Signature=s3cret&client_secret=s3cret&alt=sse"
    assert redact_url(url) == (
        "https://a.test/x?sig=<redacted>&X-Amz-Signature=<redacted>&client_secret=<redacted>"
        "&alt=sse"
    )


@respx.mock
def test_httpx_stream_yields_head_then_chunks() -> None:
    respx.post(URL).mock(
        return_value=httpx.Response(
            200,
            headers={"content-type": "text/event-stream"},
            stream=httpx.ByteStream(b"data: 1\n\ndata: 2\n\n"),
        )
    )
    with HttpxTransport().stream(REQUEST) as (head, chunks):
        assert head.status == 200
        assert head.headers["content-type"] == "text/event-stream"
        assert b"".join(chunks) == b"data: 1\n\ndata: 2\n\n"


class _Dropping(httpx.SyncByteStream):
    def __iter__(self):  # type: ignore[no-untyped-def]
        yield b"data: 1\n\n"
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message")


@respx.mock
def test_httpx_stream_maps_errors_in_the_middle_of_the_body() -> None:
    respx.post(URL).mock(return_value=httpx.Response(200, stream=_Dropping()))
    with HttpxTransport().stream(REQUEST) as (_, chunks):
        it = iter(chunks)
        assert next(it) == b"data: 1\n\n"
        with pytest.raises(ConnectError) as info:
            next(it)
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)


def test_users_httpx_client_is_used_and_left_open() -> None:
    hooked: list[str] = []
    client = httpx.Client(event_hooks={"request": [lambda r: hooked.append(str(r.url))]})
    with respx.mock:
        respx.post(URL).mock(return_value=httpx.Response(200))
        transport = HttpxTransport(client)
        transport.send(REQUEST)
        transport.close()
    assert hooked == [URL]
    assert not client.is_closed
    client.close()


def test_wrong_client_type_is_a_usage_error() -> None:
    sync_client, async_client = httpx.Client(), httpx.AsyncClient()
    with pytest.raises(UsageError, match=r"fctest\.AsyncClient"):
        HttpxTransport(async_client)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"fctest\.Client"):
        AsyncHttpxTransport(sync_client)  # type: ignore[arg-type]
    sync_client.close()
    asyncio.run(async_client.aclose())


def test_default_client_is_built_lazily_once_and_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(httpx_transport, "_default_client", None)
    built: list[httpx.Client] = []
    real = httpx.Client

    def counting(*args: object, **kwargs: object) -> httpx.Client:
        client = real(*args, **kwargs)  # type: ignore[arg-type]
        built.append(client)
        return client

    monkeypatch.setattr(httpx_transport.httpx, "Client", counting)
    first, second = HttpxTransport(), HttpxTransport()
    assert built == []
    with respx.mock:
        respx.post(URL).mock(return_value=httpx.Response(200))
        for _ in range(3):
            first.send(REQUEST)
            second.send(REQUEST)
    assert len(built) == 1
    assert first.client is second.client is built[0]
    assert built[0].timeout.read == 600.0
    assert built[0].timeout.connect == 5.0


def test_timeout_is_sent_with_each_request() -> None:
    timeouts: list[object] = []

    def record(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"])
        return httpx.Response(200)

    with respx.mock:
        respx.post(URL).mock(side_effect=record)
        HttpxTransport(timeout=12.5).send(REQUEST)
        client = httpx.Client(timeout=3.0)
        HttpxTransport(client).send(REQUEST)
        client.close()
    assert timeouts[0] == {"connect": 12.5, "read": 12.5, "write": 12.5, "pool": 12.5}
    assert timeouts[1] == {"connect": 3.0, "read": 3.0, "write": 3.0, "pool": 3.0}


def test_async_httpx_transport_send_stream_errors_and_close() -> None:
    async def main() -> None:
        transport = AsyncHttpxTransport()
        with respx.mock:
            respx.post(URL).mock(return_value=httpx.Response(200, content=b"abc"))
            response = await transport.send(REQUEST)
            assert (response.status, response.body) == (200, b"abc")
            async with transport.stream(REQUEST) as (head, chunks):
                assert head.status == 200
                assert b"".join([c async for c in chunks]) == b"abc"
        with respx.mock:
            respx.post(URL).mock(side_effect=httpx.ReadTimeout("slow"))
            with pytest.raises(RequestTimeout):
                await transport.send(REQUEST)
        owned = transport.client
        await transport.aclose()
        assert owned.is_closed

        mine = httpx.AsyncClient()
        given = AsyncHttpxTransport(mine)
        assert given.client is mine
        await given.aclose()
        assert not mine.is_closed
        await mine.aclose()

    asyncio.run(main())
