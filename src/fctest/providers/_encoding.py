"""What every response encoder (the inverse of a decoder) shares: framing, cutting, ids.

The encoders write what a provider would answer, for the reference server (``fctest serve``),
the round-trip properties and the benchmarks. They must be deterministic (the same response
gives the same bytes, so a recorded cassette can be reproduced): ids they make up are digests
of the response's content, never of a clock or a random source. Provider modules
(``_<provider>_encode``) hold only their own shapes; nothing here knows a provider.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import TYPE_CHECKING, Any

from .._exceptions import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from .._messages import Response
    from .._types import FinishReason, JSONObject
    from .._wire import HttpRequest

__all__ = [
    "check_error_status",
    "content_id",
    "count_turns",
    "finish_value",
    "fragments",
    "request_body",
    "response_digest",
    "retry_after_header",
    "sse_event",
]


def sse_event(data: str, *, event: str | None = None, line_end: str = "\n") -> bytes:
    """One Server-Sent Event with its blank line: ``event:`` (if any), then ``data:`` lines.

    ``line_end`` is ``"\\r\\n"`` for providers that frame with CRLF (Gemini). A payload that
    holds newlines becomes several ``data:`` lines, which a reader joins back (WHATWG).
    """
    lines = [f"event: {event}"] if event else []
    lines.extend(f"data: {line}" for line in data.split("\n"))
    return (line_end.join(lines) + line_end + line_end).encode("utf-8")


def fragments(text: str, size: int) -> list[str]:
    """``text`` cut into pieces of at most ``size`` characters (none for empty text)."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise UsageError(f"fragment_size must be a positive integer, got {size!r}")
    return [text[i : i + size] for i in range(0, len(text), size)]


def response_digest(response: Response, *salt: Any) -> str:
    """A hex SHA-256 over what a response says (model, text, calls, finish, usage)."""
    usage = response.usage
    seed = json.dumps(
        [
            response.model,
            response.text,
            [[c.id, c.name, c.arguments, c.raw_arguments] for c in response.tool_calls],
            response.finish_reason,
            response.raw_finish_reason,
            None if usage is None else [usage.input_tokens, usage.output_tokens],
            list(salt),
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=repr,
    )
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def content_id(prefix: str, *parts: Any, length: int = 24) -> str:
    """``prefix`` plus ``length`` hex digits of a digest of ``parts`` (JSON-encoded)."""
    seed = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return prefix + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:length]


def retry_after_header(seconds: float) -> str:
    """A ``retry-after`` value: whole seconds as an integer (RFC 9110 10.2.3 delay-seconds),
    a fraction as a decimal (which the SDKs read too: ``float(retry_header)``)."""
    if isinstance(seconds, bool) or not math.isfinite(seconds) or seconds < 0:
        raise UsageError(f"retry_after must be a finite number of seconds >= 0, got {seconds!r}")
    return str(int(seconds)) if float(seconds).is_integer() else repr(float(seconds))


def finish_value(
    response: Response,
    decode: Callable[[str], FinishReason],
    table: Mapping[FinishReason, str],
    *,
    provider: str,
    field: str,
) -> str:
    """The provider's finish value for ``response``: its raw value when that decodes to the
    neutral reason, else ``table``'s; ``UsageError`` for a reason the provider has no value for
    (refused rather than guessed)."""
    raw = response.raw_finish_reason
    if raw is not None and decode(raw) == response.finish_reason:
        return raw
    value = table.get(response.finish_reason)
    if value is None:
        raise UsageError(
            f"{provider}: finish_reason {response.finish_reason!r} has no {field} value "
            f"(it has: {', '.join(sorted(set(table.values())))})"
        )
    return value


def check_error_status(provider: str, status: int) -> None:
    """An error answer's status must be an HTTP error status (400-599)."""
    if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
        raise UsageError(f"{provider}: an error status is 400-599, got {status!r}")


def request_body(provider: str, request: HttpRequest, kind: str) -> JSONObject:
    """The JSON object body of a request the adapter built (``kind`` names the API)."""
    try:
        body = json.loads(request.body) if request.body else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise UsageError(
            f"{provider}: not a {kind} request: the body is not a JSON object "
            f"({request.body[:120]!r})"
        )
    return body


def count_turns(provider: str, request: HttpRequest, *, kind: str, key: str, role: str) -> int:
    """The model turns of a request's history: the entries of its ``key`` list whose ``role``
    is ``role`` (``messages``/``assistant`` on Chat and Anthropic, ``contents``/``model`` on
    Gemini)."""
    try:
        body = json.loads(request.body) if request.body else None
    except ValueError:
        body = None
    entries = body.get(key) if isinstance(body, dict) else None
    if not isinstance(entries, list):
        raise UsageError(
            f"{provider}: not a {kind} request: the body has no {key!r} list "
            f"({request.body[:120]!r})"
        )
    return sum(1 for e in entries if isinstance(e, dict) and e.get("role") == role)
