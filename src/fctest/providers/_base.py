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
from .._messages import Request, Response, ToolResult
from .._wire import HttpRequest, HttpResponse
from ..dialect import Profile

__all__ = [
    "Adapter",
    "Config",
    "StreamDecoder",
    "base_url",
    "check_config",
    "encode_json",
    "error_body",
    "json_body",
    "tool_result_text",
]


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
    endpoints: ClassVar[tuple[str, ...]] = ()
    """Regexes a recorded request URL (without its query) fully matches when this adapter
    reads that traffic, beyond the URLs it builds for its profile's default base URL (those
    are recognised anyway): hosts every user names differently, the same wire format served
    elsewhere. ``fctest matrix observe`` recognises recordings by them. Default: none."""

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


# --- shared mechanics for implementing an adapter -------------------------------------------


def check_config(adapter: Adapter, config: Config) -> Config:
    """``config``, if it is an ``adapter.config_type``; else a ``UsageError`` naming both."""
    kind = adapter.config_type
    if not isinstance(config, kind):
        raise UsageError(f"{adapter.name}: expected {kind.__name__}, got {type(config).__name__}")
    return config


def base_url(adapter: Adapter, config: Config) -> str:
    """``config.base_url`` or the profile's default, without a trailing ``/``."""
    url = config.base_url or adapter.profile.base_url
    if not url:
        raise UsageError(f"{adapter.name}: no base URL configured")
    return url.rstrip("/")


def json_body(provider: str, response: HttpResponse) -> Any:
    """The body as JSON, or ``ProtocolError`` quoting its start."""
    try:
        return json.loads(response.body)
    except ValueError:
        raise ProtocolError(
            provider,
            f"expected a JSON body, got {response.body[:200]!r}",
            status=response.status,
            body=response.text(),
        ) from None


def error_body(response: HttpResponse) -> Any:
    """An error answer's body as JSON, or ``None`` when it is not JSON (a proxy's page): the
    error class then comes from the status alone."""
    try:
        return json.loads(response.body) if response.body else None
    except ValueError:
        return None


def encode_json(body: Any) -> bytes:
    """Compact, key-order-preserving JSON: the same request always gives the same bytes."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def tool_result_text(result: ToolResult) -> str:
    """Tool content as text, for the APIs whose result is text without an error flag: OpenAI
    Chat takes text only, Responses also takes image and file parts, unused here
    (docs/dialects.md#history-openai, docs/dialects.md#history-responses); Ollama's ``tool``
    message has only ``content`` (docs/dialects.md#ollama-history).

    A string is sent as is; any other JSON value is JSON-encoded. With no error flag, a failed
    call's text is prefixed with ``Error:``.
    """
    content = result.content
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    return f"Error: {text}" if result.is_error else text
