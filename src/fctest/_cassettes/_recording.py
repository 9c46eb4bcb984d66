"""What a test's cassette is, and what a recorded exchange looks like once it is stored.

``CassetteSpec`` is everything a test's cassette needs to know (the plugin resolves it from its
options). Before anything is recorded, a request is stored under the provider's canonical base
URL (the actual one, a loopback port or a ``--fctest-base-url`` override, goes to the
provenance), stripped of transport headers that change between machines (``user-agent``,
``x-stainless-*``...) and scrubbed of secrets (``_scrub``); a response's compressed body is
decoded and its secrets scrubbed too. The provenance (where the bytes come from) is written in
the file's top-level ``fctest`` key.

Plain functions over vcrpy's request objects and response dicts: nothing here imports vcrpy
(``_cassette`` calls them from vcrpy's record hooks).
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from .._secrets import REDACTED
from .._version import __version__
from ._matching import Matcher
from ._scrub import Secrets, scrub_headers, scrub_json, scrub_text

if TYPE_CHECKING:
    from fctest.providers import Adapter

__all__ = [
    "CassetteSpec",
    "canonical_base_url",
    "header",
    "provenance",
    "stored_request",
    "stored_response",
    "strip_userinfo",
]

# Headers the HTTP client adds (or an SDK adds about the machine it runs on): they change
# between machines and versions, not between requests, and would make every re-recording a diff.
_DROPPED_REQUEST_HEADERS = frozenset(
    {"host", "content-length", "connection", "accept-encoding", "user-agent", "keep-alive"}
)
_DROPPED_REQUEST_PREFIXES = ("x-stainless-",)

_VERSION_SEGMENT = re.compile(r"^v\d+[a-z0-9]*$")


def canonical_base_url(adapter: Adapter) -> str:
    """The base URL a provider's cassettes are stored under: its default one, or a fixed
    placeholder for providers without one (Azure: every resource has its own host)."""
    return (adapter.profile.base_url or f"https://{adapter.name}.fctest.invalid").rstrip("/")


@dataclass(frozen=True)
class CassetteSpec:
    """Everything a test's cassette needs to know, resolved from the plugin options."""

    path: Path
    name: str
    provider: str
    record_mode: str
    canonical_base: str
    base_url: str
    """The base URL the client sends to (an override, else the canonical one)."""
    nodeid: str = ""
    rootdir: Path = field(default_factory=Path.cwd)
    model: str | None = None
    """``--fctest-model`` for this provider; else the recorded model; else ``DEFAULT_MODEL``."""
    ignored_fields: tuple[str, ...] = ()
    credential_env: tuple[str, ...] = ()
    """Environment variables holding this provider's credentials (their values are scrubbed)."""


def header(headers: Mapping[str, Sequence[str]], name: str) -> list[str]:
    """The values of the lower-case header ``name`` in vcrpy-shaped headers, whatever its case."""
    for key, values in headers.items():
        if key.lower() == name:
            return list(values)
    return []


# --- requests ---------------------------------------------------------------------------------
def stored_request(
    request: Any, matcher: Matcher, secrets: Secrets
) -> tuple[str, str, Any, dict[str, list[str]]]:
    """``(method, uri, body, headers)`` of a vcrpy request as stored: canonical URL, stable
    headers, no secrets."""
    headers: dict[str, list[str]] = {}
    for name, value in request.headers.items():
        lowered = name.lower()
        if lowered in _DROPPED_REQUEST_HEADERS or lowered.startswith(_DROPPED_REQUEST_PREFIXES):
            continue
        if lowered == "accept" and value == "*/*":  # httpx's default, not the caller's
            continue
        headers[lowered] = [value]
    headers = scrub_headers(headers, secrets)
    uri = matcher.canonical_url(request.uri, secrets)
    body = request.body
    if isinstance(body, (bytes, str)) and body:
        body = _scrub_body(body, secrets)
    return request.method, uri, body, headers


def _scrub_body(body: bytes | str, secrets: Secrets) -> bytes:
    import json

    text = body.decode("utf-8", errors="strict") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return scrub_text(text, secrets).encode("utf-8")
    return json.dumps(scrub_json(data, secrets), ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


# --- responses --------------------------------------------------------------------------------
def stored_response(response: dict[str, Any], secrets: Secrets) -> dict[str, Any]:
    """A vcrpy response dict as stored (changed in place): body decompressed, credentials and
    secrets scrubbed."""
    headers: dict[str, list[str]] = {
        k: list(v) if isinstance(v, list) else [v] for k, v in response["headers"].items()
    }
    body = response["body"]["string"]
    if isinstance(body, str):
        body = body.encode("utf-8")
    encodings = header(headers, "content-encoding")
    if encodings and body:
        decoded = _decompress(body, ", ".join(encodings).split(","))
        if decoded is not None:
            body = decoded
            headers = {k: v for k, v in headers.items() if k.lower() != "content-encoding"}
    headers = scrub_headers(headers, secrets)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        body = scrub_text(text, secrets).encode("utf-8")
    for name in headers:
        if name.lower() == "content-length":
            headers[name] = [str(len(body))]
    response["headers"] = headers
    response["body"] = {"string": body}
    return response


def _decompress(body: bytes, encodings: Sequence[str]) -> bytes | None:
    """``body`` with its content codings undone (last applied first), or ``None``."""
    for coding in reversed([c.strip().lower() for c in encodings if c.strip()]):
        try:
            if coding in ("gzip", "x-gzip"):
                body = gzip.decompress(body)
            elif coding == "deflate":
                try:
                    body = zlib.decompress(body)
                except zlib.error:  # raw deflate, as some servers send it
                    body = zlib.decompress(body, -zlib.MAX_WBITS)
            elif coding == "br":
                import brotli  # type: ignore[import-not-found]

                body = brotli.decompress(body)
            elif coding == "zstd":
                import zstandard  # type: ignore[import-not-found]

                body = zstandard.ZstdDecompressor().decompressobj().decompress(body)
            elif coding != "identity":
                return None
        except Exception:  # any decoder's error (brotli.error, ZstdError...): keep it as sent
            return None
    return body


# --- provenance -------------------------------------------------------------------------------
def provenance(
    spec: CassetteSpec, model: str, request: Any, response: Mapping[str, Any], secrets: Secrets
) -> dict[str, Any]:
    """Where the bytes of the first interaction recorded come from, as the file records it."""
    endpoint = scrub_text(strip_userinfo(spec.base_url), secrets)
    server = " ".join(header(response["headers"], "server")).lower()
    if server.startswith("fctest") or header(response["headers"], "x-fctest-server"):
        source = "reference-server"
    elif spec.base_url == spec.canonical_base:
        source = "live"
    else:
        source = "compatible-server"
    out: dict[str, Any] = {
        "source": source,
        "provider": spec.provider,
        "endpoint": endpoint,
    }
    version = _api_version(request)
    if version:
        out["api_version"] = version
    out["model"] = model
    out["date"] = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    out["fctest_version"] = __version__
    return out


def _api_version(request: Any) -> str:
    """What a request says about the API version: path segments like ``v1beta``, and headers
    and query parameters whose name holds ``version`` (``anthropic-version``, ``api-version``)."""
    parts = urlsplit(request.uri)
    found = [s for s in parts.path.split("/") if _VERSION_SEGMENT.match(s)]
    for name, value in request.headers.items():
        if "version" in name.lower():
            found.append(f"{name.lower()} {value}")
    for name, value in parse_qsl(parts.query):
        if "version" in name.lower() and value != REDACTED:
            found.append(f"{name} {value}")
    return ", ".join(dict.fromkeys(found))


def strip_userinfo(url: str) -> str:
    """``url`` without a ``user:password@``."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
