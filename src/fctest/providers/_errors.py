"""From an HTTP status and the provider's error fields to the neutral error tree, in one place.

Adapters extract ``message``/``code`` from their own body shape and call ``provider_error``;
the class, the retry flag and ``retry_after`` are decided here so every provider agrees
(docs/dialects.md#errors; the retry rule is the official SDKs', docs/dialects.md#retry-sdk).
Retry-after sources, in order: ``retry-after-ms`` (OpenAI SDK ``_base_client.py``),
``retry-after`` in seconds or as an HTTP date (RFC 9110 10.2.3), then the rate-limit reset
headers, either durations such as ``6s``/``12ms``/``1m30s`` (OpenAI, Groq) or RFC 3339
timestamps (Anthropic ``anthropic-ratelimit-*-reset``, unconfirmed:
docs/dialects.md#retry-reset-headers). The status rule misses Anthropic's spend-cap 429, which
does not clear by waiting, and OpenRouter's 402s that carry ``Retry-After``
(docs/dialects.md#conflict-anthropic-spend-cap, docs/dialects.md#conflict-openrouter-402).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from .._exceptions import (
    AuthenticationError,
    BadRequestError,
    ContextLengthError,
    ModelOutputError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    ServerError,
)

__all__ = ["in_band", "parse_duration", "provider_error", "retry_after"]

_BY_STATUS: dict[int, type[ProviderError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
    529: OverloadedError,
}

# Worth sending again: 408, 409, 429 and >=500 (docs/dialects.md#retry-sdk).
_RETRYABLE = frozenset({408, 409, 429})

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_RESET_HEADERS = (
    "x-ratelimit-reset-requests",
    "x-ratelimit-reset-tokens",
    "anthropic-ratelimit-requests-reset",
    "anthropic-ratelimit-tokens-reset",
    "anthropic-ratelimit-input-tokens-reset",
    "anthropic-ratelimit-output-tokens-reset",
)


def _seconds(value: float) -> float | None:
    return value if math.isfinite(value) and value >= 0 else None


def parse_duration(text: str) -> float | None:
    """``"6s"``, ``"12ms"``, ``"1m30.5s"``, ``"2"`` -> seconds; ``None`` if it is not one.

    Negative, infinite and NaN values are not durations (``float`` would accept them).
    """
    text = text.strip()
    try:
        return _seconds(float(text))
    except ValueError:
        pass
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(n) * _UNIT[u] for n, u in parts)


def _parse_instant(text: str, now: float) -> float | None:
    """Seconds from ``now`` until an RFC 3339 timestamp or an HTTP date."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - now)


def retry_after(
    headers: Mapping[str, str], *, now: float | None = None, reset_headers: bool = True
) -> float | None:
    """How long the provider asked us to wait, in seconds, from lower-cased headers.

    ``reset_headers=False`` reads only ``retry-after-ms``/``retry-after``: the rate-limit reset
    headers come with every OpenAI response and only mean "wait" on a rate-limit error.
    """
    now = time.time() if now is None else now
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            seconds = _seconds(float(ms) / 1000)
        except ValueError:
            seconds = None
        if seconds is not None:
            return seconds
    ra = headers.get("retry-after")
    if ra is not None:
        seconds = parse_duration(ra)
        if seconds is None:
            seconds = _parse_instant(ra, now)
        if seconds is not None:
            return max(0.0, seconds)
    if not reset_headers:
        return None
    waits = []
    for name in _RESET_HEADERS:
        value = headers.get(name)
        if value is None:
            continue
        seconds = parse_duration(value)
        if seconds is None:
            seconds = _parse_instant(value, now)
        if seconds is not None:
            waits.append(seconds)
    return max(waits) if waits else None


def provider_error(
    provider: str,
    status: int,
    message: str,
    *,
    body: str = "",
    headers: Mapping[str, str] | None = None,
    code: str | None = None,
    kind: type[ProviderError] | None = None,
    retryable: bool | None = None,
    retry_after_seconds: float | None = None,
) -> ProviderError:
    """The neutral error for a provider's error answer.

    ``kind`` overrides the class picked from the status when the body says more (an
    "overloaded" 503, a context-length 400, Groq's ``tool_use_failed``, an error sent inside a
    200 stream). ``retryable`` overrides the status rule. ``retry_after`` is read from the
    headers unless given (the rate-limit reset headers count only for a ``RateLimitError``).
    """
    headers = headers or {}
    cls = kind or _BY_STATUS.get(status) or (ServerError if status >= 500 else ProviderError)
    should_retry = headers.get("x-should-retry")
    if retryable is None and should_retry in ("true", "false"):
        # The server's own word beats the status rules (OpenAI and Anthropic SDKs,
        # _base_client.py _should_retry).
        retryable = should_retry == "true"
    if retryable is None:
        if issubclass(cls, (ModelOutputError, ContextLengthError)):
            retryable = False
        elif kind is not None:
            retryable = cls.default_retryable
        else:
            retryable = status in _RETRYABLE or status >= 500 or cls.default_retryable
    if retry_after_seconds is None:
        retry_after_seconds = retry_after(headers, reset_headers=issubclass(cls, RateLimitError))
    return cls(
        message or f"HTTP {status}",
        provider=provider,
        status=status,
        body=body,
        headers=headers,
        code=code,
        retryable=retryable,
        retry_after=retry_after_seconds,
    )


def in_band(probe: ProviderError, *, body: str, headers: Mapping[str, str] | None) -> ProviderError:
    """An error sent inside a 2xx answer (a stream's error event, an error object under HTTP
    200): the class, code and retry decision of ``probe``, the error its object stands for,
    with ``status`` the HTTP status that actually came (200)."""
    return provider_error(
        probe.provider,
        200,
        probe.message,
        body=body,
        headers=headers,
        code=probe.code,
        kind=type(probe),
        retryable=probe.retryable,
        retry_after_seconds=probe.retry_after,
    )
