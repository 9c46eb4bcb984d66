"""``fctest serve``: a reference server on loopback that speaks every built-in provider's wire.

Two modes, one HTTP front (the standard library's ``ThreadingHTTPServer``, HTTP/1.1,
keep-alive, streams sent chunked with each wire event flushed on its own):

- **scenarios** (default): each adapter is served under ``/<adapter name>`` plus the path of
  its real base URL, so one server answers every provider; ``server.base_url("openai")`` is
  ``http://127.0.0.1:PORT/openai/v1``, ``"anthropic"`` is ``.../anthropic``, ``"gemini"`` is
  ``.../gemini`` (the adapter appends ``/v1beta/models/{model}:generateContent``). Requests
  carrying a conformance scenario's ``[fctest:<id>]`` marker are answered from its script
  through the adapter's own encoders (``fctest._server._scenarios`` says how).
- **cassettes** (``cassettes=DIR``): every recorded interaction under ``DIR`` is answered to
  the request that matches it (``fctest._server._cassettes``), for clients in any language.

The server refuses to listen anywhere but loopback: it is a test fixture, it answers any key,
and it must never be reachable from another machine. Credentials are checked for presence
only; no header value is logged or stored. Log lines go to the ``fctest.server`` logger.

``running(...)`` starts one in a thread for tests and the pytest plugin and always stops it;
``serve(...)`` is the command, running until Ctrl-C.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, cast

from ._exceptions import UsageError
from ._secrets import REDACTED, is_secret_param
from ._server._answer import Answer, Answerer, json_answer
from ._server._cassettes import CassetteAnswerer
from ._server._scenarios import ScenarioAnswerer
from ._transports.base import redact_url
from ._version import __version__
from ._wire import HttpRequest
from .providers import Adapter, Responder
from .scenarios import Scenario

__all__ = ["ReferenceServer", "check_host", "running", "serve"]

logger = logging.getLogger("fctest.server")

_MAX_BODY = 64 * 1024 * 1024
# Set by this server for every answer (a recorded answer carries its own).
_SKIP_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "connection", "server", "date", "x-fctest-server"}
)
# A query parameter in what the stdlib logs (its error path quotes the request line).
_QUERY_PARAM = re.compile(r"([?&]([^=&?\s]+)=)[^&\s]*")


def _redact_param(match: re.Match[str]) -> str:
    return match.group(1) + REDACTED if is_secret_param(match.group(2)) else match.group(0)


def check_host(host: str) -> str:
    """``host`` if it is a loopback address (``localhost`` becomes ``127.0.0.1``); otherwise
    ``UsageError``: the server answers any key and must not be reachable from elsewhere."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise UsageError(
            f"host {host!r} is not a loopback address; the reference server listens only on "
            "127.0.0.1, ::1 or localhost (it accepts any key, so it must not be reachable from "
            "another machine)"
        )
    return host.strip("[]")


class ReferenceServer(ThreadingHTTPServer):
    """The reference server, bound at construction (``port=0`` picks a free port).

    ``adapters``/``responders`` and ``scenarios`` replace the registry and the catalogue
    (tests, a third-party adapter): an adapter is answered by its responder from
    ``responders``, else by the one the registry has for it. ``cassettes`` switches to serving
    the recordings in that folder.
    Call ``serve_forever`` (or use ``running``) to answer.
    """

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        cassettes: str | Path | None = None,
        adapters: Iterable[Adapter] | None = None,
        responders: Iterable[Responder[Any]] | None = None,
        scenarios: Iterable[Scenario] | None = None,
        fragment_size: int = 8,
    ) -> None:
        host = check_host(host)
        if cassettes is not None and (
            adapters is not None or responders is not None or scenarios is not None
        ):
            raise UsageError("give cassettes, or adapters/responders/scenarios, not both")
        self.scenarios: ScenarioAnswerer = ScenarioAnswerer(
            adapters, scenarios, responders=responders, fragment_size=fragment_size
        )
        self.cassettes: CassetteAnswerer | None = (
            None if cassettes is None else CassetteAnswerer(cassettes)
        )
        self.answerer: Answerer = self.scenarios if self.cassettes is None else self.cassettes
        self.mode = "scenarios" if self.cassettes is None else "cassettes"
        self.requests = 0
        """How many requests were answered (any status)."""
        self._count_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)

    # Keep-alive connections outlive ``shutdown()`` (a handler thread waits for the next
    # request); closing them in ``server_close`` ends those threads with the server.
    def process_request(self, request: Any, client_address: Any) -> None:
        with self._count_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._count_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        with self._count_lock:
            open_now = list(self._connections)
            self._connections.clear()
        for connection in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    @property
    def host(self) -> str:
        return str(self.server_address[0])

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (IPv6 hosts in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def count(self) -> None:
        with self._count_lock:
            self.requests += 1

    def providers(self) -> list[str]:
        """The adapter names served."""
        return self.scenarios.providers()

    def base_url(self, provider: str) -> str:
        """The base URL to give ``provider``'s client (``fctest.Client(..., base_url=...)``,
        or the official SDK's ``base_url``); the same in both modes."""
        return self.url + self.scenarios.base_path(provider)

    def base_urls(self) -> dict[str, str]:
        """Every served provider's base URL; adapters that cannot be loaded are left out."""
        out: dict[str, str] = {}
        for name in self.providers():
            try:
                out[name] = self.base_url(name)
            except UsageError:
                continue
        return out

    def index(self) -> dict[str, Any]:
        """What ``GET /`` answers: the mode, the base URLs and what is served."""
        return {
            "server": "fctest reference server",
            "version": __version__,
            "url": self.url,
            "base_urls": self.base_urls(),
            **self.answerer.describe(),
        }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: with Nagle on, the body waits for the
    # client's delayed ACK (40 ms a request on Linux).
    disable_nagle_algorithm = True
    server_version = f"fctest/{__version__}"
    sys_version = ""

    def do_POST(self) -> None:
        self._handle()

    do_GET = do_PUT = do_PATCH = do_DELETE = do_POST

    def _handle(self) -> None:
        server = cast(ReferenceServer, self.server)
        started = time.perf_counter()
        body = self._read_body()
        if body is None:
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = HttpRequest(self.command, server.url + self.path, headers, body)
        if self.command == "GET" and self.path.split("?")[0] in ("", "/"):
            data = json.dumps(server.index(), indent=2).encode("utf-8")
            answer = Answer(200, {"content-type": "application/json"}, (data,), note="index")
        else:
            try:
                answer = server.answerer.answer(request)
            except Exception as exc:  # a bug must answer 500, not drop the connection
                logger.exception("fctest server: error answering %s", redact_url(self.path))
                answer = json_answer(500, "fctest_server_error", f"{type(exc).__name__}: {exc}")
        server.count()  # before sending: a client that has its answer sees the count
        self._send(answer)
        logger.info(
            "%s %s -> %d %s (%.1f ms)",
            self.command,
            redact_url(self.path),
            answer.status,
            answer.note,
            (time.perf_counter() - started) * 1000,
        )

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("content-length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= _MAX_BODY:
            self.send_error(400, "bad or too large Content-Length")
            return None
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes | None:
        parts: list[bytes] = []
        size = 0
        while True:
            line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                n = int(line, 16)
            except ValueError:
                self.send_error(400, "bad chunk size")
                return None
            size += n
            if size > _MAX_BODY:
                self.send_error(413, "request body too large")
                return None
            if n == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(parts)
            parts.append(self.rfile.read(n))
            self.rfile.readline(8)  # the chunk's CRLF

    def version_string(self) -> str:
        return self.server_version  # the stdlib appends the Python version

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        # Which mode answered: recorders tell reference-server answers from replayed ones.
        self.send_header("x-fctest-server", cast(ReferenceServer, self.server).mode)
        for name, value in answer.headers.items():
            if name.lower() not in _SKIP_HEADERS:
                self.send_header(name, value)
        if answer.stream:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in answer.chunks:
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        else:
            body = answer.body
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        self.wfile.flush()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Each answer is logged once by ``_handle``, with the key redacted."""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("fctest server: %s", _QUERY_PARAM.sub(_redact_param, format % args))


@contextmanager
def running(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    cassettes: str | Path | None = None,
    adapters: Iterable[Adapter] | None = None,
    responders: Iterable[Responder[Any]] | None = None,
    scenarios: Iterable[Scenario] | None = None,
    fragment_size: int = 8,
) -> Iterator[ReferenceServer]:
    """A ``ReferenceServer`` answering in a background thread, stopped on leaving the block."""
    server = ReferenceServer(
        host,
        port,
        cassettes=cassettes,
        adapters=adapters,
        responders=responders,
        scenarios=scenarios,
        fragment_size=fragment_size,
    )
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"fctest-server-{server.port}",
        daemon=True,
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    cassettes: str | Path | None = None,
    out: IO[str],
    err: IO[str],
) -> int:
    """Run the server until Ctrl-C, printing where each provider is served; the exit code."""
    try:
        server = ReferenceServer(host, port, cassettes=cassettes)
    except (UsageError, OSError) as exc:
        print(f"fctest serve: error: {exc}", file=err)
        return 2
    with server:
        _banner(server, out)
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            print("fctest serve: stopped", file=out, flush=True)
    return 0


def _banner(server: ReferenceServer, out: IO[str]) -> None:
    lines = [f"fctest reference server {__version__} on {server.url}"]
    if server.cassettes is not None:
        c = server.cassettes
        lines.append(
            f"serving {c.interactions} recorded interactions from {c.cassettes} cassettes "
            f"in {c.folder}"
        )
        lines += [f"  {route}" for route in c.routes()]
        lines += [f"  skipped {name}: {why}" for name, why in c.skipped]
        lines.append("base URLs (recorded paths also match with the provider prefix left out):")
    else:
        described = server.scenarios.describe()
        lines.append(f"answering {len(described['scenarios'])} conformance scenarios; base URLs:")
    width = max((len(name) for name in server.providers()), default=0)
    lines += [f"  {name:<{width}}  {url}" for name, url in server.base_urls().items()]
    lines.append("Ctrl-C stops it.")
    print("\n".join(lines), file=out, flush=True)
