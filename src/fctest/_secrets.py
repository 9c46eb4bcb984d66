"""What counts as a credential: header names, the name pattern, query parameters, the shortest
value worth replacing, and the marker that stands in for one.

Every net that keeps a key out of an error message, a log line or a cassette file reads these,
so that they agree on what a key is: ``redact_headers`` (errors and reprs), ``redact_url``
(URLs in messages and logs), the server's request log, ``Settings`` (the secrets an error is
scrubbed of) and the cassette scrubber. The nets live with their callers; nothing here
redacts anything.

Bare ``token`` is not a secret *name* on purpose: ``max_tokens`` and ``x-ratelimit-remaining-
tokens`` are not credentials. ``signature`` neither: Anthropic thinking blocks and Gemini parts
carry opaque model state under ``signature`` / ``thoughtSignature``. In a query string both are
credentials (``?token=``, signed URLs' ``sig``/``signature``).
"""

from __future__ import annotations

import re

__all__ = [
    "MIN_SECRET",
    "NAME_HINTS",
    "REDACTED",
    "SECRET_HEADERS",
    "SECRET_NAME",
    "SECRET_PARAMS",
    "is_secret_name",
    "is_secret_param",
]

REDACTED = "<redacted>"

MIN_SECRET = 8
"""Values shorter than this are not replaced wherever they appear: a test key ``"x"`` would
redact half of every message."""

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-api-key",
        "api-key",
        "x-goog-api-key",
        "cookie",
        "set-cookie",
        "openai-organization",
        "openai-project",
        "anthropic-organization-id",
        "x-amz-security-token",
    }
)
"""Header names whose values are credentials. Lower-case; compared case-insensitively."""

SECRET_NAME = re.compile(
    r"api[-_]?key|apikey|secret|password|passwd|credential|cookie|session|authori[sz]ation"
    r"|access[-_]?token|refresh[-_]?token|id[-_]?token|security[-_]?token|auth[-_]?token"
    r"|bearer|organi[sz]ation|(?:^|[-_])project(?:[-_]?id)?$",
    re.IGNORECASE,
)
"""Searched in a header, query parameter or JSON field name: a match means it holds a credential."""

NAME_HINTS = (
    "apikey", "api-key", "api_key", "secret", "password", "passwd", "credential", "cookie",
    "session", "authoriz", "authoris", "bearer", "organiz", "organis", "project",
    *(f"{kind}{sep}token" for kind in ("access", "refresh", "id", "auth", "security")
      for sep in ("_", "-", "")),
)  # fmt: skip
"""Lower-case fragments, one of which every name ``SECRET_NAME`` matches holds: a substring test
for them is the cheap check before a full walk of a JSON body."""

SECRET_PARAMS = frozenset(
    {"key", "api_key", "api-key", "apikey", "access_token", "token", "sig", "signature", "code"}
    | {"x-amz-signature", "x-amz-credential", "x-amz-security-token"}
)
"""Query parameters that carry credentials beyond the secret names (Gemini accepts ``?key=``;
signed URLs use ``sig``, ``signature`` and AWS's ``X-Amz-*``; OAuth redirects ``code``)."""


def is_secret_name(name: str) -> bool:
    """Whether a header, query parameter or JSON field called ``name`` holds a credential."""
    lowered = name.lower()
    return lowered in SECRET_HEADERS or bool(SECRET_NAME.search(lowered))


def is_secret_param(name: str) -> bool:
    """Whether the query parameter ``name`` holds a credential."""
    return name.lower() in SECRET_PARAMS or is_secret_name(name)
