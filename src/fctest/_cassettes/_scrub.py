"""Taking secrets out of recorded traffic before anything is written.

Three nets, applied in this order to every request and response the plugin records:

1. **By name** (``fctest._secrets``). Credential headers (``SECRET_HEADERS`` plus any header
   whose name says key, secret, cookie, session, password, credential, organisation or
   project), credential query parameters (``key=``, ``api_key=``, ``sig=``...) and JSON fields
   with such names hold ``<redacted>`` instead of their value. Every value taken out this way
   is also remembered as a *known secret*.
2. **By shape.** ``Bearer <token>`` anywhere in a body, and the key formats the providers
   publish (``sk-...``, ``sk-ant-...``, ``AIza...``, ``xai-...``, ``gsk_...``).
3. **By value.** Every known secret (the client's own key, the values net 1 took out) is
   replaced wherever else it appears: a provider echoing a key in an error message, a cookie
   repeated in a body. The serializer runs this net once more over the final text.

Nothing here imports pytest or vcrpy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .._secrets import MIN_SECRET, NAME_HINTS, REDACTED, is_secret_name, is_secret_param

__all__ = [
    "Secrets",
    "scrub_headers",
    "scrub_json",
    "scrub_text",
    "scrub_url",
]

# Lower-case fragments one of which a text must hold for it to possibly hold a secret that
# the nets below would take out (the cheap test before a full walk of a JSON body): the secret
# names' hints, and the prefixes of the key formats in ``_SHAPES``.
_HINTS = (*NAME_HINTS, "sk-", "aiza", "xai-", "gsk_")

# Bearer tokens, and the published key formats (OpenAI, Anthropic, Google, xAI, Groq,
# OpenRouter). Anchored on their prefixes so that ordinary text is left alone.
_SHAPES = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"(?P<bearer>[Bb]earer\s+)[A-Za-z0-9._~+/=-]{8,}"
    r"|sk-[A-Za-z0-9_-]{16,}"
    r"|AIza[0-9A-Za-z_-]{30,}"
    r"|xai-[A-Za-z0-9_-]{16,}"
    r"|gsk_[A-Za-z0-9]{16,}"
    r")"
)
_BEARER = re.compile(r"[Bb]earer\s+([A-Za-z0-9._~+/=-]{8,})")


class Secrets:
    """The known secret values of one cassette; grows as traffic is scrubbed."""

    __slots__ = ("_values",)

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self.update(values)

    def add(self, value: str) -> None:
        value = value.strip()
        if len(value) >= MIN_SECRET and value != REDACTED:
            self._values.add(value)
        # "Bearer abc", "Basic abc", "sid=abc; other=def": remember the token parts too.
        for part in re.split(r"[\s;,]+", value):
            token = part.partition("=")[2] if "=" in part else part
            if len(token) >= MIN_SECRET and token != REDACTED and token.lower() != "bearer":
                self._values.add(token)

    def update(self, values: Iterable[str]) -> None:
        for value in values:
            self.add(value)

    def __iter__(self) -> Any:
        # Longest first: a value containing another is replaced whole.
        return iter(sorted(self._values, key=len, reverse=True))

    def __bool__(self) -> bool:
        return bool(self._values)

    def might_be_in(self, text: str) -> bool:
        """Whether ``text`` may hold a secret any net would take out (a cheap test: C-level
        substring searches of the lower-cased text, no regex)."""
        if any(map(text.lower().__contains__, _HINTS)):
            return True
        return any(map(text.__contains__, self._values))

    def found_in(self, text: str) -> list[str]:
        """The known secrets that still appear in ``text``."""
        return [v for v in self._values if v in text]


def scrub_text(text: str, secrets: Secrets) -> str:
    """``text`` with bearer tokens, published key formats and known secrets replaced."""
    for match in _BEARER.finditer(text):
        secrets.add(match.group(1))
    text = _SHAPES.sub(_replace_shape, text)
    for value in secrets:
        if value in text:
            text = text.replace(value, REDACTED)
    return text


def _replace_shape(match: re.Match[str]) -> str:
    prefix = match.group("bearer")
    return f"{prefix}{REDACTED}" if prefix else REDACTED


def scrub_json(value: Any, secrets: Secrets) -> Any:
    """A copy of the JSON ``value`` with secret fields and secret-looking strings redacted."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(item, str) and is_secret_name(key):
                if item and item != REDACTED:
                    secrets.add(item)
                out[key] = REDACTED if item else item
            else:
                out[key] = scrub_json(item, secrets)
        return out
    if isinstance(value, list):
        return [scrub_json(item, secrets) for item in value]
    if isinstance(value, str):
        return scrub_text(value, secrets)
    return value


def scrub_url(url: str, secrets: Secrets) -> str:
    """``url`` without user:password and with credential query parameters redacted."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        secrets.update(userinfo.split(":"))
        netloc = host
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(is_secret_param(k) for k, _ in pairs):
            for k, v in pairs:
                if is_secret_param(k) and v:
                    secrets.add(v)
            query = urlencode(
                [(k, REDACTED if is_secret_param(k) and v else v) for k, v in pairs], safe="<>"
            )
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def scrub_headers(headers: dict[str, list[str]], secrets: Secrets) -> dict[str, list[str]]:
    """vcrpy-shaped headers (``{name: [values]}``) with credential values redacted."""
    out: dict[str, list[str]] = {}
    for name, values in headers.items():
        if is_secret_name(name):
            for v in values:
                secrets.add(v)
            out[name] = [REDACTED for _ in values]
        else:
            out[name] = [scrub_text(v, secrets) for v in values]
    return out
