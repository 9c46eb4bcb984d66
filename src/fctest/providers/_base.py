"""The adapter contract: plain data in, plain data out (h11's sans-I/O idea).

An adapter turns a neutral ``Request`` into an ``HttpRequest``, an ``HttpResponse`` into a
neutral ``Response`` (or the right ``ProviderError``), and hands out a stream decoder that is fed
bytes. It does no I/O and reads no environment: keys, base URLs and versions arrive in a
``Config``. The same adapter then serves sync and async clients, cassette replay and property
tests. Nothing under ``providers/`` imports httpx, asyncio or ``os.environ`` (a test proves it).
"""

from __future__ import annotations

import abc
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from .._exceptions import ProtocolError, ProviderError, UsageError
from .._messages import Request, Response
from .._wire import HttpRequest, HttpResponse
from ..dialect import Profile

__all__ = ["Adapter", "Config", "StreamDecoder"]


@dataclass(frozen=True)
class Config:
    """Where and how to reach a provider.

    ``api_key`` is sent in the provider's auth header; ``base_url`` replaces the provider's
    default (a proxy, a compatible server, the reference server); ``headers`` are added to every
    request. Provider modules subclass it for their own settings (Azure's endpoint and version).
    Its repr never shows the key.
    """

    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)


class StreamDecoder(Protocol):
    """Fed the bytes of one streamed response, in pieces of any size.

    A decoder that learns from the wire that the response is complete (Anthropic
    ``message_stop``, OpenAI ``[DONE]``) may hand out the ``Finished`` event from ``feed``;
    otherwise the consumer makes it from the ``Response`` that ``close()`` returns, so every
    stream a client yields ends with ``Finished`` and then the ``Response``.
    """

    def feed(self, data: bytes) -> list[Any]:
        """The stream events completed by these bytes (``fctest`` stream event values)."""
        ...

    def close(self) -> Response:
        """End of stream: the whole response, or ``ProtocolError`` if it was cut short."""
        ...


class Adapter(abc.ABC):
    """One provider's wire format. Subclasses set ``name``, ``profile`` and ``config_type``.

    Everything the provider differs by that is data (schema dialect, limits, base URL,
    environment variables...) is in its ``profile``.
    """

    name: ClassVar[str]
    profile: ClassVar[Profile]
    config_type: ClassVar[type[Config]] = Config

    @abc.abstractmethod
    def build_request(self, request: Request, config: Config) -> HttpRequest:
        """The HTTP request for ``request``; raises ``UsageError`` (or its subclass
        ``IncompatibleToolError``) for anything the provider would reject."""

    @abc.abstractmethod
    def parse_response(self, response: HttpResponse, request: Request | None = None) -> Response:
        """The neutral response, or the ``ProviderError`` subclass for a non-2xx status.

        ``request`` (the one sent) lets the adapter map renamed tools and strict-mode
        nullable arguments back to what the user declared; without it, names are as sent.
        """

    @abc.abstractmethod
    def stream_decoder(self, request: Request | None = None) -> StreamDecoder:
        """A fresh decoder for one streamed 2xx response to ``request``."""

    @abc.abstractmethod
    def parse_error(self, response: HttpResponse) -> ProviderError:
        """The ``ProviderError`` subclass that this non-2xx response stands for."""

    # --- the inverse: what the provider would answer ---------------------------------------
    # The reference server (``fctest serve``), the round-trip properties and the benchmarks
    # need each wire format written as well as read. Optional for third-party adapters: the
    # plugin's replay does not need them.
    def encode_response(self, response: Response, request: Request | None = None) -> HttpResponse:
        """``response`` as this provider's 2xx JSON answer (``parse_response`` reads it back
        to an equal ``Response``, and so does the provider's official SDK)."""
        raise UsageError(f"adapter {self.name!r} has no response encoder")

    def encode_stream(
        self, response: Response, request: Request | None = None, *, fragment_size: int = 8
    ) -> list[bytes]:
        """``response`` as this provider streams it, one wire event per item (an SSE event
        with its blank line, or an NDJSON line); argument text is cut into fragments of at
        most ``fragment_size`` characters where the provider streams arguments in pieces."""
        raise UsageError(f"adapter {self.name!r} has no stream encoder")

    def encode_error(
        self, status: int, message: str, *, retry_after: float | None = None
    ) -> HttpResponse:
        """An error answer in this provider's documented error shape (``parse_error`` maps
        it to the class the status stands for); ``retry_after`` becomes its retry header."""
        raise UsageError(f"adapter {self.name!r} has no error encoder")

    def assistant_turns(self, request: HttpRequest) -> int:
        """How many assistant (model) turns the history of a request built by this adapter
        holds: the reference server answers step ``n`` of a scenario's script with it."""
        raise UsageError(f"adapter {self.name!r} cannot read its own requests")

    # --- shared mechanics -----------------------------------------------------------------
    def base_url(self, config: Config) -> str:
        url = config.base_url or self.profile.base_url
        if not url:
            raise UsageError(f"{self.name}: no base URL configured")
        return url.rstrip("/")

    def check_config(self, config: Config) -> None:
        if not isinstance(config, self.config_type):
            raise UsageError(
                f"{self.name}: expected {self.config_type.__name__}, got {type(config).__name__}"
            )

    def json_body(self, response: HttpResponse) -> Any:
        """The body as JSON, or ``ProtocolError`` quoting its start."""
        try:
            return json.loads(response.body)
        except ValueError:
            raise ProtocolError(
                self.name,
                f"expected a JSON body, got {response.body[:200]!r}",
                status=response.status,
                body=response.text(),
            ) from None

    @staticmethod
    def encode_json(body: Any) -> bytes:
        """Compact, key-order-preserving JSON: the same request always gives the same bytes."""
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
